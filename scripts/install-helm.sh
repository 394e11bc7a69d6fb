#!/usr/bin/env bash
# Builds Helm into <repo>/.tools/bin/helm, which CI uses to lint and render the chart in
# helm/orderflow (test/deploy/helm.test.ts). Safe to run repeatedly: it does nothing (and
# prints nothing) when the binary there already reports the pinned version.
#
# `go install` alone leaves two values to the release Makefile's -ldflags, so they are set
# here the same way: the version (otherwise `helm version` says only "v3.22") and the
# Kubernetes version that `helm template` and `helm lint` assume without a cluster
# (otherwise v1.20, which fails the chart's `kubeVersion: >=1.27.0-0`). The Makefile takes
# the latter from the k8s.io/client-go version in Helm's go.mod: v0.X.Y means Kubernetes 1.X.
set -euo pipefail

version=v3.22.0
module=helm.sh/helm/v3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bindir=$root/.tools/bin
target=$bindir/helm

say() { echo "install-helm: $*" >&2; }

# The Go tarball installs to /usr/local/go/bin, which is not always on PATH.
[[ :$PATH: == *:/usr/local/go/bin:* ]] || PATH=$PATH:/usr/local/go/bin

# Reads the whole output first: `grep -q` in a pipe would close it early, and with
# pipefail the writer's SIGPIPE would read as a wrong version.
reports_version() { [[ $("$target" version --template '{{.Version}}' 2>/dev/null) == "$version" ]]; }

if [[ -x $target ]] && reports_version; then
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  say "go not found; install Go >= 1.26 (https://go.dev/dl/) and run this again"
  exit 1
fi

say "downloading $module@$version"
if ! gomod=$(go mod download -json "$module@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p') || [[ ! -f $gomod ]]; then
  say "go mod download did not fetch $module@$version; is the Go module proxy reachable (go env GOPROXY)?"
  exit 1
fi
client_go=$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$gomod" | head -n 1)
if [[ -z $client_go ]]; then
  say "could not find the k8s.io/client-go version in $gomod"
  exit 1
fi
kube_minor=$client_go

ldflags="-s -w -X $module/internal/version.version=$version"
for pkg in pkg/chartutil pkg/lint/rules; do
  ldflags+=" -X $module/$pkg.k8sVersionMajor=1 -X $module/$pkg.k8sVersionMinor=$kube_minor"
done

say "building $target (Kubernetes 1.$kube_minor assumed offline; the first build downloads dependencies and takes several minutes)"
mkdir -p "$bindir"
if ! CGO_ENABLED=0 GOBIN=$bindir go install -trimpath -ldflags="$ldflags" "$module/cmd/helm@$version"; then
  say "go install $module/cmd/helm@$version failed; see the messages above"
  exit 1
fi

if ! reports_version; then
  say "built $target but it reports '$("$target" version --template '{{.Version}}' 2>&1 || true)', not $version"
  exit 1
fi
say "installed $target ($version)"
