#!/usr/bin/env bash
# Builds a minimal OpenTelemetry Collector into <repo>/.tools/bin/otelcol-orderflow from
# observability/otel-collector/builder-config.yaml, so that CI can run
# `otelcol-orderflow validate --config=observability/otel-collector/config.yml`. Safe to
# run repeatedly: it does nothing (and prints nothing) when the binary there was built
# from this manifest by this builder version.
#
# The Collector Builder generates a Go module under .tools/otelcol-build (the manifest's
# dist.output_path) and compiles it; modules come from the Go module proxy.
set -euo pipefail

builder_version=v0.165.0
builder_module=go.opentelemetry.io/collector/cmd/builder
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
manifest=$root/observability/otel-collector/builder-config.yaml
build_dir=$root/.tools/otelcol-build
builder_dir=$root/.tools/otelcol-builder/$builder_version
target=$root/.tools/bin/otelcol-orderflow
# Names the builder and the manifest the binary was built from; rebuilt when either changes.
stamp=$target.stamp

say() { echo "install-otelcol: $*" >&2; }

# The Go tarball installs to /usr/local/go/bin, which is not always on PATH.
[[ :$PATH: == *:/usr/local/go/bin:* ]] || PATH=$PATH:/usr/local/go/bin

wanted_stamp="builder $builder_version manifest $(sha256sum <"$manifest" | cut -d' ' -f1)"

if [[ -x $target && -f $stamp && $(<"$stamp") == "$wanted_stamp" ]] && "$target" --version >/dev/null 2>&1; then
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  say "go not found; install Go >= 1.25 (https://go.dev/dl/) and run this again"
  exit 1
fi

# The builder prints `ocb version vX.Y.Z` on stderr.
builder_ok() { [[ $("$builder_dir/builder" version 2>&1) == *"version $builder_version" ]]; }

if [[ ! -x $builder_dir/builder ]] || ! builder_ok; then
  say "installing the Collector Builder $builder_module@$builder_version"
  mkdir -p "$builder_dir"
  if ! GOBIN=$builder_dir go install "$builder_module@$builder_version" || ! builder_ok; then
    say "could not install $builder_module@$builder_version into $builder_dir"
    exit 1
  fi
fi

# Build next to the target and rename, so a concurrent reader never sees half a file.
partial=$target.partial.$$
trap 'rm -f "$partial"' EXIT

say "building $target from ${manifest#"$root"/} (first build downloads dependencies and takes a few minutes)"
# A fresh output directory: nothing left over from another manifest reaches the build.
rm -rf "$build_dir"
mkdir -p "$(dirname "$target")"
# dist.output_path in the manifest is relative to the repository root.
if ! (cd "$root" && "$builder_dir/builder" --config="$manifest"); then
  say "the Collector Builder failed on ${manifest#"$root"/}; see its messages above"
  exit 1
fi
if [[ ! -x $build_dir/otelcol-orderflow ]]; then
  say "the Collector Builder did not produce $build_dir/otelcol-orderflow; is dist.output_path .tools/otelcol-build?"
  exit 1
fi

cp "$build_dir/otelcol-orderflow" "$partial"
mv -f "$partial" "$target"
if ! version=$("$target" --version 2>&1); then
  say "built $target but it does not run: $version"
  exit 1
fi
echo "$wanted_stamp" >"$stamp"
say "installed $target ($version)"
