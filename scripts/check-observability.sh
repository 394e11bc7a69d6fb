#!/usr/bin/env bash
# Checks everything under observability/: the Prometheus configs, alert rules and their
# unit tests (promtool), the YAML (yamllint), every JSON file and NDJSON line, the
# PromQL of the dashboards, and the Collector config (`otelcol-orderflow validate`).
# Installs promtool and yamllint with apt-get when missing, and builds the Collector
# with scripts/install-otelcol.sh. Exits non-zero on the first failing check, after
# naming it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
prometheus=observability/prometheus

say() { echo "check-observability: $*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}

if ! command -v promtool >/dev/null 2>&1 || ! command -v yamllint >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    say "promtool and yamllint are needed: install them (Debian: apt-get install prometheus yamllint) and run this again"
    exit 1
  fi
  say "installing promtool (package prometheus) and yamllint"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus yamllint >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/orderflow-check-observability-XXXXXX")
trap 'rm -rf "$work"' EXIT

promtool check config "$prometheus/prometheus.yml" || fail "$prometheus/prometheus.yml"

# Debian builds promtool without Kubernetes discovery. Where it rejects the file for that
# alone, check a copy with kubernetes_sd_configs read as static_configs: the relabelling
# and the rule files are still checked as written.
kubernetes=$prometheus/prometheus-kubernetes.yml
if ! output=$(promtool check config "$kubernetes" 2>&1); then
  if [[ $output != *"field kubernetes_sd_configs not found"* ]]; then
    echo "$output" >&2
    fail "$kubernetes"
  fi
  say "this promtool has no Kubernetes discovery; checking $kubernetes with static_configs in its place"
  cp "$prometheus"/*.yml "$work/"
  sed -E -e 's/^([[:space:]]*)kubernetes_sd_configs:/\1static_configs:/' \
    -e 's/^([[:space:]]*)- role: [a-z]+$/\1- targets: []/' "$kubernetes" >"$work/prometheus-kubernetes.yml"
  promtool check config "$work/prometheus-kubernetes.yml" || fail "$kubernetes"
else
  echo "$output"
fi

promtool check rules --lint-fatal "$prometheus/alerts.yml" || fail "$prometheus/alerts.yml"
promtool test rules "$prometheus"/tests/*.yml || fail "$prometheus/tests (promtool test rules)"

yamllint -c observability/.yamllint.yml observability/ || fail "yamllint over observability/"

[[ -d node_modules ]] || fail "node_modules is missing: run npm ci first (the JSON check runs on the repository's Node)"
npx --no-install node --conditions=orderflow-source --import tsx scripts/check-observability-files.ts \
  "$work/dashboards.rules.yml" || fail "the JSON under observability/"
promtool check rules --lint-fatal "$work/dashboards.rules.yml" || fail "the PromQL of observability/grafana/dashboards/*.json"

# A Collector with exactly the components config.yml uses, from the modules the contrib
# image is built from: validate decodes every component's settings and checks the pipelines.
collector=observability/otel-collector
bash scripts/install-otelcol.sh ||
  fail "could not build .tools/bin/otelcol-orderflow from $collector/builder-config.yaml (scripts/install-otelcol.sh)"
.tools/bin/otelcol-orderflow validate --config="$collector/config.yml" ||
  fail "$collector/config.yml (otelcol-orderflow validate)"

say "all checks passed"
