#!/usr/bin/env bash
# Editing a policy takes effect without a restart; a broken edit keeps the last
# good set serving and is loud: an error line on every attempt, the reload-error
# metric, and /readyz?verbose; fixing it recovers.
source "$(dirname "$0")/lib.sh"
F=$E2E_FIXTURES
POLICIES=$E2E_WORK/policies
cp -r "$F/policies" "$POLICIES"
start_server --reload-interval 300ms

out=$(post_json /validate "$F/configmap-kubectl-edit.json")
assert_contains "Enforce mode denies" "$(body_of "$out")" '"allowed":false'

# Edit: Enforce -> Warn. The same request is now allowed with a warning.
sed -i 's/mode: Enforce/mode: Warn/' "$POLICIES/gitops-guard.yaml"
wait_until 10 "generation 2" grep -q '"event":"policies_loaded".*"generation":2' "$AUDIT_LOG"
out=$(post_json /validate "$F/configmap-kubectl-edit.json")
assert_contains "edited policy serves without a restart: allowed" "$(body_of "$out")" '"allowed":true'
assert_contains "edited policy serves without a restart: warning" "$(body_of "$out")" '"warnings":['
assert_eq "generation metric" 2 "$(metric driftgate_policy_generation)"

# Break it: an unknown field. The Warn set keeps serving.
sed -i 's/mode: Warn/mode: Warn\n  nonsense: true/' "$POLICIES/gitops-guard.yaml"
wait_until 10 "two failed attempts logged" bash -c "[[ \$(grep -c '\"event\":\"policy_reload_failed\"' '$AUDIT_LOG') -ge 2 ]]"
pass "an error line on every failed attempt"
assert_contains "the error line is error level" "$(grep -m 1 policy_reload_failed "$AUDIT_LOG")" '"level":"error"'
assert_contains "the error line names file and line" "$(grep -m 1 policy_reload_failed "$AUDIT_LOG")" 'gitops-guard.yaml:'
out=$(post_json /validate "$F/configmap-kubectl-edit.json")
assert_contains "last good set keeps serving" "$(body_of "$out")" '"allowed":true'
verbose=$(dg_curl "$URL/readyz?verbose")
assert_eq "still ready while the last good set serves" 200 "$(status_of "$verbose")"
assert_contains "/readyz?verbose names the serving generation" "$verbose" '"generation":2'
assert_contains "/readyz?verbose shows the reload error" "$verbose" 'nonsense'
errors=$(metric driftgate_policy_reload_errors_total)
[[ $errors -ge 2 ]] || fail "reload errors metric should count each attempt, got '$errors'"
pass "reload errors metric ($errors)"
assert_eq "generation unchanged by a broken reload" 2 "$(metric driftgate_policy_generation)"

# Fix it: back to Enforce, a new generation, the error clears.
sed -i '/nonsense: true/d; s/mode: Warn/mode: Enforce/' "$POLICIES/gitops-guard.yaml"
wait_until 10 "generation 3" grep -q '"event":"policies_loaded".*"generation":3' "$AUDIT_LOG"
out=$(post_json /validate "$F/configmap-kubectl-edit.json")
assert_contains "fixed policy denies again" "$(body_of "$out")" '"allowed":false'
assert_contains "/readyz?verbose error cleared" "$(dg_curl "$URL/readyz?verbose")" '"lastError":null'

# Two broken files: two errors, each its own element without a trailing newline,
# in /readyz?verbose (lastErrors; lastError is the first) and in the log line (errors).
cp "$POLICIES/gitops-guard.yaml" "$E2E_WORK/gitops-guard.yaml.good"
cp "$POLICIES/stamp.yaml" "$E2E_WORK/stamp.yaml.good"
sed -i 's/mode: Enforce/mode: Enforce\n  nonsense: true/' "$POLICIES/gitops-guard.yaml"
sed -i 's/^spec:$/spec:\n  mode: Enforse/' "$POLICIES/stamp.yaml"
wait_until 10 "a failed attempt naming both files" grep -q '"event":"policy_reload_failed".*stamp.yaml' "$AUDIT_LOG"
s='"([^"\\]|\\.)*"'  # one JSON string
line=$(grep '"event":"policy_reload_failed".*stamp.yaml' "$AUDIT_LOG" | tail -n 1)
[[ $line =~ \"errors\":\[($s),($s)\] ]] || fail "the log line has an errors array of two strings: $line"
pass "the log line's errors: an array of two"
[[ ${BASH_REMATCH[1]} == *gitops-guard.yaml:*nonsense* && ${BASH_REMATCH[3]} == *stamp.yaml:*Enforse* ]] ||
  fail "one error per file, in file order: $line"
pass "one element per error, file:line:column first"
assert_not_contains "no trailing newline in the log line's strings" "$line" '\n'
[[ $line =~ \"message\":($s) ]] || fail "the log line has a message: $line"
[[ ${BASH_REMATCH[1]} == *gitops-guard.yaml:*'(and 1 more error)"' ]] ||
  fail "the message names the first error and how many more: ${BASH_REMATCH[1]}"
pass "the message names the first error and how many more"
verbose=$(body_of "$(dg_curl "$URL/readyz?verbose")")
[[ $verbose =~ \"policies\":\{[^{}]*\"lastError\":($s),\"lastErrors\":\[($s),($s)\] ]] ||
  fail "/readyz?verbose policies: lastError and a lastErrors array of two strings: $verbose"
pass "/readyz?verbose lastErrors: an array of two"
assert_eq "/readyz?verbose lastError is the first of lastErrors" "${BASH_REMATCH[3]}" "${BASH_REMATCH[1]}"
[[ ${BASH_REMATCH[3]} == *gitops-guard.yaml:* && ${BASH_REMATCH[5]} == *stamp.yaml:* ]] ||
  fail "/readyz?verbose: one error per file, in file order: $verbose"
pass "/readyz?verbose: one element per error"
assert_not_contains "no trailing newline in /readyz?verbose's strings" "$verbose" '\n'
assert_contains "/readyz?verbose: the certificate has no errors" "$verbose" '"lastError":null,"lastErrors":[]'
cp "$E2E_WORK/gitops-guard.yaml.good" "$POLICIES/gitops-guard.yaml"
cp "$E2E_WORK/stamp.yaml.good" "$POLICIES/stamp.yaml"
wait_until 10 "recovered after the revert" grep -q '"event":"policy_reload_recovered"' "$AUDIT_LOG"
assert_contains "/readyz?verbose errors cleared" "$(dg_curl "$URL/readyz?verbose")" '"lastError":null,"lastErrors":[]'
stop_server

# A server started on a broken set is alive but not ready, and becomes ready
# when the set is fixed.
echo 'kind: Policy
apiVersion: driftgate.dev/v1alpha1
metadata: {name: [broken' >"$POLICIES/broken.yaml"
start_server --reload-interval 300ms
assert_eq "healthz answers while unready" 200 "$(status_of "$(dg_curl "$URL/healthz")")"
assert_eq "readyz is 503 before a valid set is loaded" 503 "$(status_of "$(dg_curl "$URL/readyz")")"
out=$(post_json /validate "$F/configmap-kubectl-edit.json")
assert_eq "reviews are refused with 503 until a set is loaded" 503 "$(status_of "$out")"
rm "$POLICIES/broken.yaml"
wait_until 10 "ready after the fix" bash -c "curl -sf --max-time 2 --cacert '$E2E_CERTS/ca.crt' '$URL/readyz'"
pass "ready once a valid set is loaded"
stop_server
