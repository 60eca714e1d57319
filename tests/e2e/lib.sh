# Shared helpers for the end-to-end tests: start the real `driftgate serve` on a
# free loopback port with test certificates, talk to it with curl and openssl,
# and fail loudly. Sourced by each test script; CTest passes the environment:
#   DRIFTGATE      the driftgate binary
#   E2E_CERTS      directory made by certs/dev-certs.sh (ca.crt, tls.*, client.*)
#   E2E_FIXTURES   tests/e2e/fixtures
#   E2E_WORK       a scratch directory for this test (recreated)
set -euo pipefail

: "${DRIFTGATE:?}" "${E2E_CERTS:?}" "${E2E_FIXTURES:?}" "${E2E_WORK:?}"
rm -rf "$E2E_WORK"
mkdir -p "$E2E_WORK"
TEST_NAME=$(basename "$0" .sh)
SERVER_PID=""
PORT=""
URL=""
AUDIT_LOG="$E2E_WORK/audit.log"
CURL_TIMEOUT=10
BACKGROUND_PIDS=()

cleanup() {
  local rc=$?
  for pid in "${BACKGROUND_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  if ((rc != 0)) && [[ -f $AUDIT_LOG ]]; then
    echo "---- last server log lines ($AUDIT_LOG) ----" >&2
    tail -n 20 "$AUDIT_LOG" >&2 || true
    [[ -s $E2E_WORK/server.stderr ]] && { echo "---- server stderr ----" >&2; tail -n 20 "$E2E_WORK/server.stderr" >&2; }
  fi
  exit $rc
}
trap cleanup EXIT

fail() {
  echo "FAIL [$TEST_NAME]: $*" >&2
  exit 1
}
pass() { echo "ok   [$TEST_NAME] $*"; }

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() { [[ "$2" == "$3" ]] || fail "$1: expected '$2', got '$3'"; pass "$1"; }
# assert_contains WHAT HAYSTACK NEEDLE
assert_contains() { [[ "$2" == *"$3"* ]] || fail "$1: expected to contain '$3', got: ${2:0:600}"; pass "$1"; }
assert_not_contains() { [[ "$2" != *"$3"* ]] || fail "$1: expected not to contain '$3', got: ${2:0:600}"; pass "$1"; }

# wait_until SECONDS DESCRIPTION COMMAND...: polls every 0.1 s.
wait_until() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "timed out after ${seconds}s waiting for: $what"
    sleep 0.1
  done
}

# start_server [extra serve flags...]: --policies defaults to $POLICIES.
start_server() {
  : >"$AUDIT_LOG"
  "$DRIFTGATE" serve --policies "${POLICIES:-$E2E_FIXTURES/policies}" \
    --tls-cert "${TLS_CERT:-$E2E_CERTS/tls.crt}" --tls-key "${TLS_KEY:-$E2E_CERTS/tls.key}" \
    --listen 127.0.0.1:0 --threads 2 --audit-log "$AUDIT_LOG" "$@" \
    >"$E2E_WORK/server.stdout" 2>"$E2E_WORK/server.stderr" &
  SERVER_PID=$!
  wait_until 10 "the server's listening line" grep -q '"event":"listening"' "$AUDIT_LOG"
  PORT=$(grep '"event":"listening"' "$AUDIT_LOG" | sed -E 's/.*"address":"127\.0\.0\.1:([0-9]+)".*/\1/' | tail -n 1)
  [[ $PORT =~ ^[0-9]+$ ]] || fail "could not read the port from the listening line"
  URL="https://127.0.0.1:$PORT"
}

# stop_server: SIGTERM, then expect exit code 0 within 15 s.
stop_server() {
  kill -TERM "$SERVER_PID"
  local deadline=$((SECONDS + 15))
  while kill -0 "$SERVER_PID" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "server did not exit within 15 s of SIGTERM"
    sleep 0.1
  done
  local rc=0
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=""
  assert_eq "server exits 0 on SIGTERM" 0 "$rc"
}

# dg_curl ARGS...: curl against the server, trusting the test CA; prints the
# body, then a last line "HTTP <code>".
dg_curl() {
  curl -sS --max-time "$CURL_TIMEOUT" --cacert "$E2E_CERTS/ca.crt" -w '\nHTTP %{http_code}' "$@"
}
# post_json PATH FILE [curl args...]
post_json() {
  local path=$1 file=$2
  shift 2
  dg_curl -H 'Content-Type: application/json' --data-binary "@$file" "$@" "$URL$path"
}
status_of() { tail -n 1 <<<"$1" | sed 's/^HTTP //'; }
body_of() { sed '$d' <<<"$1"; }

metric() {  # metric NAME_WITH_LABELS: its value, or "" when absent
  # awk reads to the end: exiting early would fail curl's write under pipefail.
  dg_curl "$URL/metrics" | awk -v name="$1" 'index($0, name " ") == 1 && !found { print $NF; found = 1 }'
}

# A raw TLS connection driven by hand, for keep-alive and in-flight tests:
# open_tls_connection NAME [s_client args...]; write with `send NAME TEXT`,
# the decrypted responses accumulate in $E2E_WORK/NAME.out.
open_tls_connection() {
  local name=$1
  shift
  mkfifo "$E2E_WORK/$name.in"
  # Keep the fifo open for writing in this shell, so s_client never sees EOF early.
  eval "exec {${name}_fd}<>\"\$E2E_WORK/\$name.in\""
  timeout 60 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$E2E_CERTS/ca.crt" \
    -verify_return_error -quiet "$@" <"$E2E_WORK/$name.in" >"$E2E_WORK/$name.out" 2>"$E2E_WORK/$name.err" &
  eval "${name}_pid=\$!"
  BACKGROUND_PIDS+=("$!")
}
send() {
  local fd_var="${1}_fd"
  printf '%b' "$2" >&"${!fd_var}"
}
connection_alive() { local pid_var="${1}_pid"; kill -0 "${!pid_var}" 2>/dev/null; }
responses_in() { grep -c '^HTTP/1.1 ' "$E2E_WORK/$1.out" 2>/dev/null || true; }

# An HTTP/1.1 POST of FILE's bytes, as text for `send`.
http_post() {
  local path=$1 file=$2
  printf 'POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' \
    "$path" "$(stat -c %s "$file")"
  cat "$file"
}
