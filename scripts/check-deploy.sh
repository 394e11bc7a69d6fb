#!/usr/bin/env bash
# Checks every deploy artifact offline: the Helm chart (helm lint --strict and helm
# template for each helm/orderflow/ci/*-values.yaml, values against values.schema.json),
# each kustomize overlay of k8s/ (kubectl kustomize), every object either renders
# validated against the Kubernetes schemas (scripts/validate-k8s.ts), docker-compose.yml
# (docker-compose config -q), and yamllint over the repository. Installs docker-compose
# and yamllint with apt-get and builds the pinned Helm when missing. Exits non-zero on the
# first failing check, after naming it; the tests in test/deploy/ check the content.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { echo "check-deploy: $*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v yamllint >/dev/null 2>&1 || missing+=(yamllint)
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    fail "${missing[*]} needed: install them (Debian: apt-get install ${missing[*]}) and run this again"
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v kubectl >/dev/null 2>&1 || fail "kubectl is needed to render k8s/ (kubectl kustomize); install it and run this again"
bash scripts/install-helm.sh || fail "could not build Helm (scripts/install-helm.sh)"
helm=.tools/bin/helm

work=$(mktemp -d "${TMPDIR:-/tmp}/orderflow-check-deploy-XXXXXX")
trap 'rm -rf "$work"' EXIT

validate() {
  npx --no-install node --conditions=orderflow-source --import tsx scripts/validate-k8s.ts \
    --allow-kind ScaledObject,ServiceMonitor "$1"
}

yamllint -c .yamllint.yml . || fail "yamllint"

for values in helm/orderflow/ci/*-values.yaml; do
  "$helm" lint --strict helm/orderflow -f "$values" >"$work/lint.txt" 2>&1 || {
    cat "$work/lint.txt" >&2
    fail "helm lint with $values"
  }
  "$helm" template orderflow helm/orderflow -n orderflow -f "$values" >"$work/chart.yaml" ||
    fail "helm template with $values"
  validate "$work/chart.yaml" || fail "the objects helm/orderflow renders with $values"
  say "helm/orderflow with $values: lint, template and schemas pass"
done

for overlay in k8s/overlays/*/; do
  kubectl kustomize "$overlay" >"$work/overlay.yaml" || fail "kubectl kustomize $overlay"
  validate "$work/overlay.yaml" || fail "the objects of $overlay"
  say "$overlay: renders and passes the schemas"
done

# The compose file requires its secrets; placeholders stand in for them here.
PAYMENT_WEBHOOK_SECRET=check-deploy GRAFANA_ADMIN_PASSWORD=check-deploy \
  docker-compose -f docker-compose.yml config -q || fail "docker-compose config -q (docker-compose.yml)"
say "docker-compose.yml: valid"

say "all checks passed"
