#!/usr/bin/env bash
# SIGTERM with requests in flight: the server stops accepting, finishes the
# request it is reading, closes idle keep-alive connections, and exits 0.
source "$(dirname "$0")/lib.sh"
F=$E2E_FIXTURES
start_server --shutdown-grace 10s

# An idle keep-alive connection must not hold the shutdown up.
open_tls_connection idle
send idle 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'
wait_until 5 "idle connection's first answer" grep -q '^ok' "$E2E_WORK/idle.out"

# A request in flight: its head is sent, its body is not yet.
open_tls_connection inflight
body_file=$F/configmap-kubectl-edit.json
printf 'POST /validate?timeout=10s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' \
  "$(stat -c %s "$body_file")" >&"$inflight_fd"
head -c 100 "$body_file" >&"$inflight_fd"
wait_until 5 "two open connections" bash -c "[[ \$(curl -s --max-time 2 --cacert '$E2E_CERTS/ca.crt' '$URL/metrics' | \
  awk '/^driftgate_open_connections /{print \$2}') -ge 3 ]]"

kill -TERM "$SERVER_PID"
wait_until 5 "the shutdown_started event" grep -q '"event":"shutdown_started"' "$AUDIT_LOG"
wait_until 5 "the idle connection closed" bash -c "! kill -0 $idle_pid"
pass "idle keep-alive connection closed at shutdown"
kill -0 "$SERVER_PID" 2>/dev/null || fail "the server must wait for the request in flight"
pass "server still running while a request is in flight"
rc=0
curl -sS --max-time 3 --cacert "$E2E_CERTS/ca.crt" "$URL/healthz" >/dev/null 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "no new connections are accepted after SIGTERM"
pass "new connections refused after SIGTERM"

tail -c +101 "$body_file" >&"$inflight_fd"
wait_until 5 "the in-flight decision" grep -q '"allowed":false' "$E2E_WORK/inflight.out"
pass "the in-flight request got its decision"
assert_contains "and was told the connection closes" "$(cat "$E2E_WORK/inflight.out")" "Connection: close"

deadline=$((SECONDS + 10))
while kill -0 "$SERVER_PID" 2>/dev/null; do
  ((SECONDS < deadline)) || fail "server did not exit after its last request"
  sleep 0.1
done
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=""
assert_eq "exit code after SIGTERM with requests in flight" 0 "$rc"
assert_contains "stopped event logged" "$(tail -n 1 "$AUDIT_LOG")" '"event":"stopped"'
assert_eq "the decision was audited" 1 "$(grep -c '"type":"decision"' "$AUDIT_LOG")"

# Under load: SIGTERM while many requests run; every started curl completes or
# is refused cleanly, and the exit code is 0.
start_server --shutdown-grace 10s
for i in $(seq 1 8); do
  (for j in $(seq 1 200); do
    curl -s --max-time 5 --cacert "$E2E_CERTS/ca.crt" -H 'Content-Type: application/json' \
      --data-binary "@$body_file" "$URL/validate" -o /dev/null || true
  done) &
  BACKGROUND_PIDS+=("$!")
done
sleep 1
stop_server
