#!/usr/bin/env bash
# The shipped alert rules under promtool (ctest alerts.promtool_check / alerts.promtool_test):
#   promtool.sh check   `promtool check rules` on the rules extracted from the PrometheusRule
#   promtool.sh test    `promtool test rules tests/alerts/alerts_test.yaml` against them, after
#                       checking that the tests name every shipped alert in a case where it
#                       fires and in one where it does not
# ALERTS_WORK is a scratch directory (recreated). promtool comes from PATH: Debian's
# `prometheus` package, which scripts/install-deps.sh installs.
set -euo pipefail
mode=${1:?usage: promtool.sh check|test}
here=$(cd "$(dirname "$0")" && pwd)
work=${ALERTS_WORK:?}
fail() { echo "FAIL [alerts.promtool_$mode]: $*" >&2; exit 1; }
command -v promtool >/dev/null || fail "promtool not found: install prometheus (scripts/install-deps.sh)"
command -v kubectl >/dev/null || fail "kubectl not found: install kubectl (scripts/install-deps.sh)"

rm -rf "$work"
mkdir -p "$work"
"$here/extract_rules.sh" >"$work/driftgate.rules.json" || fail "could not extract the rules"

case $mode in
  check)
    promtool check rules "$work/driftgate.rules.json"
    ;;
  test)
    # Every alert has a case that fires (exp_alerts with items) and one that does not
    # (exp_alerts: []), so a new alert without tests fails here.
    alerts=$(grep -oE '"alert":"[A-Za-z0-9_]+"' "$work/driftgate.rules.json" | cut -d'"' -f4 | sort -u)
    [[ -n $alerts ]] || fail "no alert found in the extracted rules"
    coverage=$(awk '
      /^[[:space:]]*alertname:/ { current = $2 }
      /^[[:space:]]*exp_alerts:/ { if ($0 ~ /\[\]/) quiet[current]++; else fires[current]++ }
      END { for (a in fires) print a, "fires"; for (a in quiet) print a, "quiet" }' "$here/alerts_test.yaml")
    for a in $alerts; do
      grep -qx "$a fires" <<<"$coverage" || fail "tests/alerts/alerts_test.yaml has no case where $a fires"
      grep -qx "$a quiet" <<<"$coverage" || fail "tests/alerts/alerts_test.yaml has no case where $a stays quiet"
    done
    echo "every alert is tested firing and quiet: $(tr '\n' ' ' <<<"$alerts")"
    cp "$here/alerts_test.yaml" "$work/alerts_test.yaml"
    promtool test rules "$work/alerts_test.yaml"
    ;;
  *) fail "unknown mode '$mode' (check or test)" ;;
esac
