#!/usr/bin/env bash
# Hostile and broken input: every refusal has its status and a JSON error that
# names the problem or the limit, nothing crashes, and other clients are served.
source "$(dirname "$0")/lib.sh"
F=$E2E_FIXTURES
start_server --max-body-bytes 64Ki --max-json-depth 32 --max-header-bytes 4Ki \
  --header-timeout 1s --body-timeout 1s --idle-timeout 1500ms --max-connections 20

out=$(dg_curl -i "$URL/validate")
assert_contains "GET /validate is 405" "$out" "HTTP/1.1 405"
assert_contains "405 says what is allowed" "$out" "Allow: POST"
assert_contains "405 body names the method" "$out" '"error":"method GET not allowed'
out=$(dg_curl -X POST -H 'Content-Type: application/json' --data '{}' "$URL/healthz")
assert_eq "POST /healthz is 405" 405 "$(status_of "$out")"

out=$(post_json /admit "$F/configmap-kubectl-edit.json")
assert_eq "unknown path is 404" 404 "$(status_of "$out")"
assert_contains "404 body names the path" "$(body_of "$out")" '"error":"no such endpoint: /admit'
out=$(post_json /validate/a/b "$F/configmap-kubectl-edit.json")
assert_eq "nested path under /validate is 404" 404 "$(status_of "$out")"

out=$(dg_curl -H 'Content-Type: text/plain' --data-binary "@$F/configmap-kubectl-edit.json" "$URL/validate")
assert_eq "text/plain is 415" 415 "$(status_of "$out")"
assert_contains "415 body names the media type" "$(body_of "$out")" 'Content-Type must be application/json'
out=$(dg_curl -H 'Content-Type: application/json; charset=utf-8' --data-binary "@$F/configmap-kubectl-edit.json" "$URL/validate")
assert_eq "application/json with charset is accepted" 200 "$(status_of "$out")"

# A client waiting for `100 Continue` gets a refusal at once instead (curl
# would otherwise wait a second, then send the body anyway).
out=$(curl -sS --max-time 10 --cacert "$E2E_CERTS/ca.crt" -H 'Content-Type: application/json' -H 'Expect: 100-continue' \
  --data-binary "@$F/configmap-kubectl-edit.json" -o /dev/null -w '%{http_code} %{time_total}' "$URL/admit")
assert_eq "refusal to a client expecting 100-continue" 404 "${out% *}"
awk -v t="${out#* }" 'BEGIN { exit !(t < 0.8) }' || fail "the refusal should not wait for the body (took ${out#* } s)"
pass "the refusal did not wait for the body (${out#* } s)"
out=$(post_json /validate "$F/configmap-kubectl-edit.json" -H 'Expect: 100-continue')
assert_contains "an accepted body with Expect: 100-continue is decided" "$(body_of "$out")" '"allowed":false'

head -c 100000 /dev/zero | tr '\0' ' ' >"$E2E_WORK/big.json"
out=$(post_json /validate "$E2E_WORK/big.json")
assert_eq "body over --max-body-bytes is 413" 413 "$(status_of "$out")"
assert_contains "413 names the limit" "$(body_of "$out")" '65536 bytes (--max-body-bytes)'
out=$(post_json /validate "$E2E_WORK/big.json" -H 'Transfer-Encoding: chunked')
assert_eq "chunked body over the limit is 413" 413 "$(status_of "$out")"
out=$(post_json /validate "$E2E_WORK/big.json" -H 'Expect:')
assert_eq "413 without Expect: 100-continue still reaches the client" 413 "$(status_of "$out")"

out=$(dg_curl -H 'Content-Type: application/json' --data '{"apiVersion": "admission.k8s.io/v1", "kind": ' "$URL/validate")
assert_eq "truncated JSON is 400" 400 "$(status_of "$out")"
assert_contains "400 has a JSON error" "$(body_of "$out")" '{"error":'
out=$(dg_curl -H 'Content-Type: application/json' --data '{"hello": "world"}' "$URL/validate")
assert_eq "JSON that is not an AdmissionReview is 400" 400 "$(status_of "$out")"
assert_contains "400 for a non-review has a JSON error" "$(body_of "$out")" '{"error":'
printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":%s%s}' \
  "$(printf '[%.0s' {1..40})" "$(printf ']%.0s' {1..40})" >"$E2E_WORK/deep.json"
out=$(post_json /validate "$E2E_WORK/deep.json")
assert_eq "nesting deeper than --max-json-depth is 400" 400 "$(status_of "$out")"
assert_contains "400 names the depth limit" "$(body_of "$out")" '32'

long_header=$(head -c 6000 /dev/zero | tr '\0' 'a')
out=$(dg_curl -H "X-Padding: $long_header" "$URL/healthz")
assert_eq "request head over --max-header-bytes is 431" 431 "$(status_of "$out")"
assert_contains "431 names the limit" "$(body_of "$out")" '(--max-header-bytes)'

# A refusal decided from the head alone keeps the connection usable.
reuse=$(curl -sS --max-time 10 --cacert "$E2E_CERTS/ca.crt" -o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\n' \
  "$URL/nope" "$URL/healthz")
assert_eq "keep-alive survives a 404" $'404 1\n200 0' "$reuse"

# TLS garbage and plain HTTP on the TLS port: dropped, nothing else disturbed.
(
  trap '' PIPE  # the server hangs up on us; that is the point
  exec {garbage}<>/dev/tcp/127.0.0.1/"$PORT"
  printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&$garbage
  head -c 65536 /dev/urandom >&$garbage
  sleep 0.2
) 2>/dev/null || true
out=$(dg_curl "$URL/healthz")
assert_eq "still serving after TLS garbage" 200 "$(status_of "$out")"

# A slow client that never finishes its request head is cut off (--header-timeout 1s).
open_tls_connection slow
send slow 'POST /validate HTTP/1.1\r\nHost: localhost\r\n'
sleep 2.5
connection_alive slow && fail "a client stuck in the request head should be disconnected"
pass "slow request head cut off by --header-timeout"

# A body that trickles in slower than --body-timeout (1 s) is cut off.
open_tls_connection slowbody
send slowbody 'POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":'
sleep 2.5
connection_alive slowbody && fail "a client stuck in the request body should be disconnected"
pass "slow request body cut off by --body-timeout"
[[ $(metric 'driftgate_connection_timeouts_total{phase="body"}') -ge 1 ]] || fail "body timeout counted"
pass "body timeout counted in metrics"

# An idle keep-alive connection is closed after --idle-timeout (1.5 s).
open_tls_connection idle
send idle 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'
wait_until 5 "the first response on the idle connection" grep -q '^ok' "$E2E_WORK/idle.out"
sleep 0.5
connection_alive idle || fail "closed before the idle timeout"
sleep 2.5
connection_alive idle && fail "an idle keep-alive connection should be closed by --idle-timeout"
pass "idle keep-alive connection closed by --idle-timeout"
[[ $(metric 'driftgate_connection_timeouts_total{phase="idle"}') -ge 1 ]] || fail "idle timeout counted"
pass "idle timeout counted in metrics"

# More than --max-connections: the extra ones are closed at once, the server lives.
holders=()
for i in $(seq 1 25); do
  exec {fd}<>/dev/tcp/127.0.0.1/"$PORT"
  holders+=("$fd")
done
sleep 0.3  # the listener accepts them all; the ones over the cap are closed at once
for fd in "${holders[@]}"; do exec {fd}>&-; done
wait_until 5 "connections released" bash -c "curl -sf --max-time 2 --cacert '$E2E_CERTS/ca.crt' '$URL/healthz'"
rejected=$(metric driftgate_connections_rejected_total)
[[ $rejected -ge 1 ]] || fail "connections over --max-connections should be rejected, got '$rejected'"
pass "connections over --max-connections rejected ($rejected)"

out=$(post_json /validate "$F/configmap-kubectl-edit.json")
assert_contains "after all of it, decisions still work" "$(body_of "$out")" '"allowed":false'
stop_server
