#!/usr/bin/env bash
# With --client-ca, a client without a certificate signed by that CA is refused
# at the TLS handshake; one with such a certificate is served.
source "$(dirname "$0")/lib.sh"
F=$E2E_FIXTURES
# A second, unrelated CA and client certificate: signed, but not by the trusted CA.
"$(dirname "$0")/../../certs/dev-certs.sh" "$E2E_WORK/other-ca" 2>/dev/null
start_server --client-ca "$E2E_CERTS/ca.crt"
assert_contains "startup says client certificates are required" "$(cat "$AUDIT_LOG")" '"clientCertificates":"required"'

rc=0
curl -sS --max-time 10 --cacert "$E2E_CERTS/ca.crt" "$URL/healthz" >/dev/null 2>"$E2E_WORK/nocert.err" || rc=$?
[[ $rc -ne 0 ]] || fail "a client without a certificate must be refused"
pass "no client certificate: refused at the handshake (curl exit $rc)"

rc=0
curl -sS --max-time 10 --cacert "$E2E_CERTS/ca.crt" --cert "$E2E_WORK/other-ca/client.crt" \
  --key "$E2E_WORK/other-ca/client.key" "$URL/healthz" >/dev/null 2>"$E2E_WORK/othercert.err" || rc=$?
[[ $rc -ne 0 ]] || fail "a client certificate from another CA must be refused"
pass "client certificate from another CA: refused (curl exit $rc)"

s_client_out=$(timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
  -CAfile "$E2E_CERTS/ca.crt" </dev/null 2>&1 || true)
assert_contains "the server asks for certificates from the trusted CA" "$s_client_out" "CN = driftgate dev CA"

out=$(post_json /validate "$F/configmap-kubectl-edit.json" --cert "$E2E_CERTS/client.crt" --key "$E2E_CERTS/client.key")
assert_eq "client with a certificate from the CA is served" 200 "$(status_of "$out")"
assert_contains "and gets its decision" "$(body_of "$out")" '"allowed":false'

failures=$(curl -sS --max-time 10 --cacert "$E2E_CERTS/ca.crt" --cert "$E2E_CERTS/client.crt" --key "$E2E_CERTS/client.key" \
  "$URL/metrics" | awk '/^driftgate_tls_handshake_failures_total /{print $2}')
[[ $failures -ge 2 ]] || fail "refused handshakes are counted, got '$failures'"
pass "refused handshakes counted ($failures)"

# TLS 1.2 and 1.3 only; ALPN picks http/1.1.
old_tls=$(timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' </dev/null 2>&1 || true)
assert_contains "TLS 1.1 is refused" "$old_tls" "Cipher is (NONE)"
alpn=$(timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$E2E_CERTS/ca.crt" \
  -cert "$E2E_CERTS/client.crt" -key "$E2E_CERTS/client.key" -alpn h2,http/1.1 </dev/null 2>&1 || true)
assert_contains "ALPN selects http/1.1" "$alpn" "ALPN protocol: http/1.1"
stop_server
