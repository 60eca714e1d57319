#!/usr/bin/env bash
# Prints the rule groups of a PrometheusRule manifest (its `spec`; by default the
# shipped deploy/components/monitoring/prometheusrule.yaml) as a Prometheus rules file.
# The rules have one copy in the repository, that manifest; every test of them starts
# here, so what promtool and the end-to-end Prometheus load is what ships.
#
# How: kubectl applies an empty patch to the file locally (`--local`: no cluster, no
# kubeconfig) and prints `.spec` as JSON. That is the YAML-to-JSON conversion the API
# server makes before the Prometheus Operator reads the object, and JSON is YAML, so
# promtool and prometheus read the output as a rules file. No python, no yq, no awk
# re-indenting YAML.
#
# Usage: extract_rules.sh [--for DURATION] [FILE]
#   --for DURATION  replaces the `for:` of every rule with DURATION (the end-to-end
#                   test's short waits); expressions, labels and annotations are kept.
set -euo pipefail
for_override=""
if [[ ${1:-} == --for ]]; then
  for_override=${2:?--for needs a duration}
  shift 2
  [[ $for_override =~ ^[0-9]+(ms|s|m|h)$ ]] || { echo "extract_rules: --for $for_override: not a duration like 2s" >&2; exit 2; }
fi
file=${1:-"$(cd "$(dirname "$0")/../.." && pwd)/deploy/components/monitoring/prometheusrule.yaml"}
command -v kubectl >/dev/null || { echo "extract_rules: kubectl not found: install it (scripts/install-deps.sh)" >&2; exit 1; }

kind=$(kubectl patch --local -f "$file" --type=merge -p '{}' -o jsonpath='{.apiVersion} {.kind}')
[[ $kind == "monitoring.coreos.com/v1 PrometheusRule" ]] ||
  { echo "extract_rules: $file: expected one monitoring.coreos.com/v1 PrometheusRule, found '$kind'" >&2; exit 1; }
json=$(kubectl patch --local -f "$file" --type=merge -p '{}' -o jsonpath='{.spec}')
[[ $json == '{"groups":['* ]] ||
  { echo "extract_rules: $file: expected a spec of rule groups, kubectl printed: ${json:0:200}" >&2; exit 1; }
if [[ -n $for_override ]]; then
  # kubectl prints compact JSON with quoted keys, so a rule's `for` is exactly `"for":"…"`;
  # a quote inside a string is escaped (\"), so no annotation text can match.
  json=$(sed -E "s/\"for\":\"[^\"]*\"/\"for\":\"$for_override\"/g" <<<"$json")
fi
printf '%s\n' "$json"
