#!/usr/bin/env bash
# A serving certificate near or past its notAfter is loud, never silent: a
# warning or an error event in the log, the expiry in /readyz?verbose, and an
# expired replacement refused while a valid certificate serves. A server started
# with an expired certificate keeps running and recovers when new files arrive.
source "$(dirname "$0")/lib.sh"
W=$E2E_WORK/expiry
mkdir -p "$W/db"
: >"$W/db/index"
echo 1000 >"$W/db/serial"
# `openssl ca`, not `openssl x509`: only it sets both dates, so a certificate
# can be made already expired.
cat >"$W/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
database = $W/db/index
new_certs_dir = $W/db
serial = $W/db/serial
default_md = sha256
policy = anything
unique_subject = no
x509_extensions = serving
[anything]
commonName = supplied
[serving]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
EOF
# sign NAME NOT_BEFORE NOT_AFTER (YYYYMMDDHHMMSSZ): DIR/NAME/tls.{crt,key}, signed by the test CA.
sign() {
  mkdir -p "$W/$1"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/$1/tls.key" 2>/dev/null
  openssl req -new -key "$W/$1/tls.key" -subj "/CN=localhost" -out "$W/$1/tls.csr" 2>/dev/null
  openssl ca -batch -config "$W/ca.cnf" -cert "$E2E_CERTS/ca.crt" -keyfile "$E2E_CERTS/ca.key" \
    -in "$W/$1/tls.csr" -startdate "$2" -enddate "$3" -notext -out "$W/$1/tls.crt" 2>/dev/null ||
    fail "openssl ca could not sign the $1 certificate"
}
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
sign expiring "$(stamp '-1 hour')" "$(stamp '+1 day')"
sign expired 20200101000000Z 20200102000000Z
sign forever "$(stamp '-1 hour')" 99991231235959Z  # RFC 5280's "no well-defined expiration"
mkdir -p "$W/good"
cp "$E2E_CERTS/tls.crt" "$E2E_CERTS/tls.key" "$W/good/"

# The served files: a symlink swapped in one rename, as the kubelet does.
serve_dir() { ln -sfn "$W/$1" "$W/live.tmp" && mv -T "$W/live.tmp" "$W/live"; }
event_count() { grep -c "\"event\":\"$1\"" "$AUDIT_LOG" || true; }
wait_for_event() { wait_until 5 "the $1 event" grep -q "\"event\":\"$1\"" "$AUDIT_LOG"; }
first_event() { grep -m 1 "\"event\":\"$1\"" "$AUDIT_LOG"; }
start_on_live() { TLS_CERT=$W/live/tls.crt TLS_KEY=$W/live/tls.key start_server --reload-interval 300ms; }

# 1. A certificate with a day left: a warning at start, and the state in /readyz?verbose.
serve_dir expiring
start_on_live
wait_for_event certificate_expiring
line=$(first_event certificate_expiring)
assert_contains "the expiring certificate is a warning" "$line" '"level":"warn"'
assert_contains "the warning names notAfter" "$line" '"notAfter":"20'
assert_contains "the warning says what happens next" "$line" 'refuses every call to this webhook'
verbose=$(dg_curl "$URL/readyz?verbose")
assert_eq "ready while the certificate is valid" 200 "$(status_of "$verbose")"
assert_contains "/readyz?verbose shows the certificate as expiring" "$verbose" '"expiry":"expiring"'
sleep 1  # a few reload ticks: the warning is not repeated every tick
assert_eq "one warning, not one per reload tick" 1 "$(event_count certificate_expiring)"

# 2. An expired replacement is refused: the valid certificate keeps serving, loudly.
serve_dir expired
# The certificate and key are read one after the other: a swap between the two
# reads is first refused as a mismatched key. The expiry refusal follows.
wait_until 10 "the refusal of the expired certificate" \
  grep -q '"event":"certificate_reload_failed".*the new certificate expired at 2020-01-02T00:00:00Z' "$AUDIT_LOG"
pass "the refusal says the new certificate expired"
out=$(dg_curl "$URL/healthz")
assert_eq "the previous certificate keeps serving" 200 "$(status_of "$out")"
assert_contains "/readyz?verbose shows the refused change" "$(dg_curl "$URL/readyz?verbose")" '"lastError":"--tls-cert'
assert_eq "the refused certificate was not installed" 0 "$(event_count certificate_reloaded)"
stop_server

# 3. Started with an expired certificate: it serves, says so as an error, and
#    recovers when valid files arrive, without a restart.
start_on_live
wait_for_event certificate_expired
line=$(first_event certificate_expired)
assert_contains "the expired certificate is an error" "$line" '"level":"error"'
assert_contains "the error names notAfter" "$line" '"notAfter":"2020-01-02T00:00:00Z"'
assert_contains "the error says what it breaks" "$line" 'every admission call fails'
rc=0
curl -sS --max-time 10 --cacert "$E2E_CERTS/ca.crt" "$URL/healthz" >"$W/curl.out" 2>&1 || rc=$?
assert_eq "a client that checks dates refuses the expired certificate (curl exit 60)" 60 "$rc"
verbose=$(curl -sS --max-time 10 -k -w '\nHTTP %{http_code}' "$URL/readyz?verbose")
assert_contains "/readyz?verbose shows the certificate as expired" "$verbose" '"expiry":"expired"'
serve_dir good
wait_until 10 "the certificate_reloaded event" grep -q '"event":"certificate_reloaded"' "$AUDIT_LOG"
out=$(dg_curl "$URL/healthz")
assert_eq "served again once valid files arrive" 200 "$(status_of "$out")"
assert_contains "/readyz?verbose shows the certificate as valid" "$(dg_curl "$URL/readyz?verbose")" '"expiry":"valid"'

# 4. A notAfter in the year 9999 is far away, not a nanosecond counter overflowed into the past.
serve_dir forever
reloaded_twice() { (($(event_count certificate_reloaded) >= 2)); }
wait_until 10 "the second certificate_reloaded event" reloaded_twice
verbose=$(dg_curl "$URL/readyz?verbose")
assert_contains "/readyz?verbose: the 9999 certificate is valid" "$verbose" '"expiry":"valid"'
assert_eq "no expiry event for the 9999 certificate" 1 "$(event_count certificate_expired)"
stop_server
