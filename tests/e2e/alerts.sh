#!/usr/bin/env bash
# The shipped alerts against a real Prometheus (from PATH; Debian's `prometheus`
# package) scraping the real `driftgate serve` over TLS, all on loopback:
# - the scrape verifies the server with the test CA and the Service's name, like the
#   ServiceMonitor (deploy/components/monitoring): up == 1;
# - every shipped rule loads and evaluates without error, and in the healthy state no
#   alert is pending or firing but DriftgateScaleGuardOff: this server runs with
#   --scale-guard off while the fixture's gitops-guard judges scales, which is exactly
#   what that alert is for (real gauges, real rule);
# - a broken policy file makes DriftgatePolicyReloadFailing fire (and nothing else: the
#   last good set keeps serving); fixing the file resolves it by itself.
# The rules are extracted from deploy/components/monitoring/prometheusrule.yaml by
# tests/alerts/extract_rules.sh, expressions, labels and annotations unchanged. Only
# the `for:` durations are shortened to 2s (the shipped ones are minutes), and the
# scrape and evaluation intervals are 1s. Every wait is bounded; Prometheus is stopped
# at the end and killed by lib.sh's exit trap on a failure.
source "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null || fail "prometheus not found: install prometheus (scripts/install-deps.sh)"
command -v kubectl >/dev/null || fail "kubectl not found: install kubectl (scripts/install-deps.sh)"
F=$E2E_FIXTURES
POLICIES=$E2E_WORK/policies
PROM_URL=""
PROM_PID=""
started=$SECONDS

# stop_prometheus: SIGTERM, then SIGKILL after 15 s; true when it stopped on SIGTERM.
stop_prometheus() {
  [[ -n $PROM_PID ]] || return 0
  kill -TERM "$PROM_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 15)) rc=0
  while kill -0 "$PROM_PID" 2>/dev/null; do
    if ((SECONDS >= deadline)); then kill -KILL "$PROM_PID" 2>/dev/null || true; rc=1; break; fi
    sleep 0.1
  done
  wait "$PROM_PID" 2>/dev/null || true
  PROM_PID=""
  return $rc
}

# On a failure, also show what Prometheus saw, and stop it before exiting. (lib.sh's
# wait_until calls this one: bash looks a function up when it is called.)
fail() {
  echo "FAIL [$TEST_NAME]: $*" >&2
  if [[ -n $PROM_URL ]]; then
    echo "---- /api/v1/alerts ----" >&2
    curl -sS --max-time 2 "$PROM_URL/api/v1/alerts" >&2 || true
    echo >&2
    echo "---- /api/v1/targets (health, lastError) ----" >&2
    curl -sS --max-time 2 "$PROM_URL/api/v1/targets" | grep -oE '"(health|lastError)":"[^"]*"' >&2 || true
  fi
  if [[ -f $E2E_WORK/prometheus.log ]]; then
    echo "---- last prometheus log lines ----" >&2
    tail -n 20 "$E2E_WORK/prometheus.log" >&2
  fi
  PROM_URL=""
  stop_prometheus || true
  exit 1
}

prom() { curl -sS --max-time 5 "$PROM_URL$1"; }
# query PROMQL: the /api/v1/query answer.
query() { curl -sS --max-time 5 -G --data-urlencode "query=$1" "$PROM_URL/api/v1/query"; }
# One line "alertname state" per alert in /api/v1/alerts (pending or firing; resolved
# alerts are not listed). Each alert is {"labels":{"alertname":…},"annotations":{…},
# "state":…} in that order; a quote inside an annotation is escaped, so these two
# patterns only match keys.
active_alerts() {
  prom /api/v1/alerts | grep -oE '"alertname":"[A-Za-z0-9_]+"|"state":"[a-z]+"' |
    awk -F'"' '/"alertname"/ { name = $4; next } { print name, $4 }'
}
up_is_1() { query 'up{job="driftgate"}' | grep -qE '"value":\[[0-9.]+,"1"\]'; }
alert_state_is() { active_alerts | grep -qx "$1 $2"; }
alert_absent() { ! active_alerts | grep -q "^$1 "; }
# The active alerts besides DriftgateScaleGuardOff (firing throughout, see above), sorted.
other_alerts() { active_alerts | grep -vx "DriftgateScaleGuardOff firing" | sort || true; }
rules_healthy() { [[ $(prom /api/v1/rules | grep -o '"health":"ok"' | wc -l) -eq $rules ]]; }

# ---------------------------------------------------------------- driftgate
cp -r "$F/policies" "$POLICIES"
start_server --reload-interval 300ms --scale-guard off

# ---------------------------------------------------------------- Prometheus
"$(dirname "$0")/../alerts/extract_rules.sh" --for 2s >"$E2E_WORK/driftgate.rules.json" ||
  fail "could not extract the rules from the PrometheusRule"
rules=$(grep -o '"alert":"' "$E2E_WORK/driftgate.rules.json" | wc -l)
((rules >= 10)) || fail "expected at least 10 alerts in the shipped rules, found $rules"

cat >"$E2E_WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $E2E_WORK/driftgate.rules.json
scrape_configs:
  # The job the ServiceMonitor produces (the Service's name), which every rule selects.
  - job_name: driftgate
    scheme: https
    metrics_path: /metrics
    tls_config:
      ca_file: $E2E_CERTS/ca.crt
      server_name: driftgate.driftgate-system.svc
    static_configs:
      - targets: ["127.0.0.1:$PORT"]
        # The target labels the Prometheus Operator adds for a ServiceMonitor. Its
        # "endpoint" (the Service port's name) once hid a metric label of that name
        # (renamed exported_endpoint), and the admission-errors rule matched nothing.
        labels: {endpoint: https, namespace: driftgate-system, service: driftgate}
EOF
prometheus --config.file="$E2E_WORK/prometheus.yml" --storage.tsdb.path="$E2E_WORK/prometheus-data" \
  --web.listen-address=127.0.0.1:0 >"$E2E_WORK/prometheus.log" 2>&1 &
PROM_PID=$!
BACKGROUND_PIDS+=("$PROM_PID")
wait_until 20 "Prometheus's listening line" grep -q 'msg="Listening on"' "$E2E_WORK/prometheus.log"
prom_port=$(grep -m 1 'msg="Listening on"' "$E2E_WORK/prometheus.log" | sed -E 's/.*address=127\.0\.0\.1:([0-9]+).*/\1/')
[[ $prom_port =~ ^[0-9]+$ ]] || fail "could not read Prometheus's port from its log"
PROM_URL="http://127.0.0.1:$prom_port"
wait_until 20 "Prometheus ready" curl -sf --max-time 2 "$PROM_URL/-/ready"
pass "Prometheus runs on $PROM_URL"

# ---------------------------------------------------------------- healthy
wait_until 20 'up{job="driftgate"} == 1' up_is_1
pass "the TLS scrape works (CA and server name verified): up == 1"
out=$(query 'driftgate_policy_reload_consecutive_failures{job="driftgate"}')
assert_contains "the reload-failure gauge is scraped, at 0" "$out" '"0"]'
# What DriftgateAdmissionErrors divides: present from the start (at 0), and its
# handler label survives the Operator's endpoint target label.
out=$(query 'driftgate_http_responses_total{job="driftgate", handler="validate", code="500", endpoint="https"}')
assert_contains "the admission 5xx series is there at 0, with the Operator's target labels" "$out" '"0"]'
wait_until 20 "all $rules rules evaluated with health ok" rules_healthy
pass "all $rules shipped rules load and evaluate without error"
assert_eq "the /scale guard is off" 0 "$(metric driftgate_scale_guard_enabled)"
assert_eq "gitops-guard judges scales" 1 "$(metric driftgate_scale_guard_policies)"
wait_until 20 "DriftgateScaleGuardOff firing" alert_state_is DriftgateScaleGuardOff firing
pass "DriftgateScaleGuardOff fires: the guard is off while a policy judges scales"
sleep 3  # three more evaluations: with for 2s, anything active would be firing by now
assert_eq "no other alert pending or firing while healthy" "" "$(other_alerts)"

# ---------------------------------------------------------------- a broken policy file
sed -i 's/mode: Enforce/mode: Enforce\n  nonsense: true/' "$POLICIES/gitops-guard.yaml"
broken_at=$SECONDS
wait_until 30 "DriftgatePolicyReloadFailing firing" alert_state_is DriftgatePolicyReloadFailing firing
pass "DriftgatePolicyReloadFailing fires $((SECONDS - broken_at))s after the policy file broke"
assert_eq "nothing else is active while the last good set serves" "DriftgatePolicyReloadFailing firing" \
  "$(other_alerts)"
assert_contains "/readyz?verbose counts the same failures" "$(dg_curl "$URL/readyz?verbose")" '"failedAttempts":'
gauge=$(metric driftgate_policy_reload_consecutive_failures)
[[ $gauge =~ ^[0-9]+$ ]] && ((gauge >= 2)) || fail "the gauge should count each failed attempt, got '$gauge'"
pass "driftgate_policy_reload_consecutive_failures counts the attempts ($gauge)"

# ---------------------------------------------------------------- fixed
# A fix, not a revert: a new generation loads (Warn instead of Enforce, no unknown field).
sed -i '/nonsense: true/d; s/mode: Enforce/mode: Warn/' "$POLICIES/gitops-guard.yaml"
fixed_at=$SECONDS
wait_until 10 "generation 2" grep -q '"event":"policies_loaded".*"generation":2' "$AUDIT_LOG"
wait_until 30 "DriftgatePolicyReloadFailing resolved" alert_absent DriftgatePolicyReloadFailing
pass "DriftgatePolicyReloadFailing resolves by itself $((SECONDS - fixed_at))s after the fix"
assert_eq "metric back to 0" 0 "$(metric driftgate_policy_reload_consecutive_failures)"
assert_eq "no other alert active after the fix" "" "$(other_alerts)"
up_is_1 || fail "the scrape should still be up"

# ---------------------------------------------------------------- stop
PROM_URL=""
stop_prometheus || fail "Prometheus did not stop within 15 s of SIGTERM"
stop_server
pass "done in $((SECONDS - started))s"
