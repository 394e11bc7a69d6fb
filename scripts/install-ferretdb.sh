#!/usr/bin/env bash
# Builds FerretDB into <repo>/.tools/bin/ferretdb, the MongoDB-compatible server that
# @orderflow/testkit starts for tests and for the local run. Safe to run repeatedly:
# it does nothing (and prints nothing) when the right version is already there.
#
# The module is built from a copy of its source because the published module zip
# lacks build/version/version.txt, without which the binary panics at start, and
# `go install ...@version` needs a proxy lookup that is not always allowed.
set -euo pipefail

version=v1.24.2
module=github.com/FerretDB/FerretDB
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=$root/.tools/bin/ferretdb

say() { echo "install-ferretdb: $*" >&2; }

# Reads the whole output first: `grep -q` in a pipe would close it early, and with
# pipefail the writer's SIGPIPE would read as a wrong version.
reports_version() { [[ $("$target" --version 2>/dev/null) == *"version: $version"* ]]; }

if [[ -x $target ]] && reports_version; then
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  say "go not found; install Go >= 1.24 (https://go.dev/dl/) and run this again"
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/orderflow-ferretdb-build-XXXXXX")
# Build next to the target and rename, so a concurrent reader never sees half a file.
partial=$target.partial.$$
# The copy inherits the module cache's read-only modes, which would make rm fail.
trap 'chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work" "$partial"' EXIT

say "downloading $module@$version"
src=$(go mod download -json "$module@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
if [[ -z $src || ! -d $src ]]; then
  say "go mod download did not report a source directory for $module@$version"
  exit 1
fi

cp -R "$src" "$work/src"
chmod -R u+w "$work/src"
echo "$version" >"$work/src/build/version/version.txt"

say "building $target (first build downloads dependencies and takes a minute or two)"
mkdir -p "$(dirname "$target")"
(cd "$work/src" && go build -o "$partial" ./cmd/ferretdb)
mv -f "$partial" "$target"

if ! reports_version; then
  say "built $target but it does not report $version"
  exit 1
fi
say "installed $target ($version)"
