#!/usr/bin/env bash
# Decisions over HTTPS: a denied and an allowed review, v1 and v1beta1 answered
# in their own apiVersion, the API server's ?timeout= suffix, webhook-group
# paths, the audit line of each decision, and the decision metrics.
source "$(dirname "$0")/lib.sh"
F=$E2E_FIXTURES
start_server

out=$(post_json "/validate?timeout=10s" "$F/configmap-kubectl-edit.json")
assert_eq "denied review answers HTTP 200" 200 "$(status_of "$out")"
body=$(body_of "$out")
assert_contains "denied review: allowed false" "$body" '"allowed":false'
assert_contains "denied review: uid echoed" "$body" '"uid":"e2e-0001-kubectl-edit"'
assert_contains "denied review: v1 response" "$body" '"apiVersion":"admission.k8s.io/v1"'
assert_contains "denied review: 403 Forbidden" "$body" '"code":403,"reason":"Forbidden"'
assert_contains "denial explains itself" "$body" 'managed by Flux Kustomization flux-system/apps; change data.LOG_LEVEL in Git'
assert_not_contains "/validate never returns a patch" "$body" '"patch"'

out=$(post_json /validate "$F/configmap-flux-apply.json")
assert_eq "allowed review answers HTTP 200" 200 "$(status_of "$out")"
assert_contains "Flux's own apply is allowed" "$(body_of "$out")" '"uid":"e2e-0002-flux-apply","allowed":true'

out=$(post_json /validate "$F/configmap-kubectl-edit-v1beta1.json")
assert_contains "v1beta1 in, v1beta1 out" "$(body_of "$out")" '"apiVersion":"admission.k8s.io/v1beta1"'
assert_contains "v1beta1 review denied too" "$(body_of "$out")" '"allowed":false'

# A registration made by `driftgate webhook-config` calls /validate/<group>;
# an unknown group evaluates every policy, so the guard still holds.
out=$(post_json "/validate/no-such-group?timeout=5s" "$F/configmap-kubectl-edit.json")
assert_eq "group path answers 200" 200 "$(status_of "$out")"
assert_contains "group path still denies" "$(body_of "$out")" '"allowed":false'

# Every decision wrote one audit line; server events are told apart by "type".
wait_until 5 "audit line of the denial" grep -q '"type":"decision".*"uid":"e2e-0001-kubectl-edit"' "$AUDIT_LOG"
decisions=$(grep -c '"type":"decision"' "$AUDIT_LOG")
[[ $decisions -eq 4 ]] || fail "expected 4 decision lines, got $decisions"
pass "one audit line per decision ($decisions)"
assert_not_contains "audit lines never carry object contents" "$(cat "$AUDIT_LOG")" '"LOG_LEVEL":"debug"'

assert_contains "denials are counted" "$(dg_curl "$URL/metrics")" 'driftgate_admission_reviews_total{handler="validate",outcome="denied"}'
denied=$(metric 'driftgate_admission_reviews_total{handler="validate",outcome="denied"}')
[[ $denied -ge 3 ]] || fail "expected >= 3 denials in metrics, got '$denied'"
pass "denial counter = $denied"
[[ -n $(metric 'driftgate_admission_duration_seconds_bucket{handler="validate",le="5e-05"}') ]] ||
  fail "latency histogram starts at 50 µs"
pass "latency histogram has the 50 µs bucket"
[[ -n $(metric 'driftgate_admission_duration_seconds_bucket{handler="validate",le="10"}') ]] ||
  fail "latency histogram reaches 10 s"
pass "latency histogram has the 10 s bucket"
expiry=$(metric driftgate_tls_certificate_expiry_timestamp_seconds)
[[ $expiry -gt $(date +%s) ]] || fail "certificate expiry metric should be in the future, got '$expiry'"
pass "certificate expiry metric"
# The README's example: the repository's sample review against the shipped policies.
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -f $repo_root/tests/fixtures/configmap-kubectl-edit.json && -d $repo_root/policies ]] &&
  "$DRIFTGATE" check "$repo_root/policies" >/dev/null 2>&1; then
  stop_server
  POLICIES=$repo_root/policies start_server
  out=$(post_json /validate "$repo_root/tests/fixtures/configmap-kubectl-edit.json")
  assert_eq "README sample review: HTTP 200" 200 "$(status_of "$out")"
  assert_contains "README sample review is denied by the default policies" "$(body_of "$out")" '"allowed":false'
fi

stop_server
