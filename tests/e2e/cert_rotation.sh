#!/usr/bin/env bash
# Certificate rotation the way cert-manager does it on a mounted Secret (a
# symlink swap): new connections get the new certificate, a keep-alive
# connection opened before keeps working, and a broken certificate change keeps
# the old one serving, loudly.
source "$(dirname "$0")/lib.sh"
F=$E2E_FIXTURES
certs_a=$E2E_CERTS
certs_b=$E2E_WORK/rotated
"$(dirname "$0")/../../certs/dev-certs.sh" "$certs_b" 2>/dev/null

# The kubelet's layout: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/
mount=$E2E_WORK/secret
mkdir -p "$mount/..v1"
cp "$certs_a/tls.crt" "$certs_a/tls.key" "$mount/..v1/"
ln -s ..v1 "$mount/..data"
ln -s ..data/tls.crt "$mount/tls.crt"
ln -s ..data/tls.key "$mount/tls.key"
TLS_CERT=$mount/tls.crt TLS_KEY=$mount/tls.key start_server --reload-interval 300ms

# A keep-alive connection made with the first certificate.
open_tls_connection kept
send kept 'GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'
wait_until 5 "first response on the kept connection" grep -q '^ok' "$E2E_WORK/kept.out"

# Rotate: a new timestamped directory, then one atomic rename of ..data.
mkdir -p "$mount/..v2"
cp "$certs_b/tls.crt" "$certs_b/tls.key" "$mount/..v2/"
ln -s ..v2 "$mount/..data_tmp"
mv -T "$mount/..data_tmp" "$mount/..data"
wait_until 10 "the certificate_reloaded event" grep -q '"event":"certificate_reloaded"' "$AUDIT_LOG"
pass "rotation noticed through the symlink swap"

out=$(curl -sS --max-time 10 --cacert "$certs_b/ca.crt" -w '\nHTTP %{http_code}' "$URL/healthz")
assert_eq "a new connection gets the new certificate" 200 "$(status_of "$out")"
rc=0
curl -sS --max-time 10 --cacert "$certs_a/ca.crt" "$URL/healthz" >/dev/null 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "a new connection should no longer be served the old certificate"
pass "the old certificate is no longer offered to new connections"

http_post /validate "$F/configmap-kubectl-edit.json" >&"$kept_fd"
wait_until 5 "the decision on the kept connection" grep -q '"allowed":false' "$E2E_WORK/kept.out"
assert_eq "the keep-alive connection from before the rotation still answers" 2 "$(responses_in kept)"

# A broken change (a key that does not match) keeps the working certificate.
mkdir -p "$mount/..v3"
cp "$certs_a/tls.crt" "$mount/..v3/tls.crt"
cp "$certs_b/tls.key" "$mount/..v3/tls.key"
ln -s ..v3 "$mount/..data_tmp"
mv -T "$mount/..data_tmp" "$mount/..data"
wait_until 10 "the certificate_reload_failed event" grep -q '"event":"certificate_reload_failed"' "$AUDIT_LOG"
out=$(curl -sS --max-time 10 --cacert "$certs_b/ca.crt" -w '\nHTTP %{http_code}' "$URL/healthz")
assert_eq "a broken certificate change keeps the previous certificate serving" 200 "$(status_of "$out")"
verbose=$(curl -sS --max-time 10 --cacert "$certs_b/ca.crt" "$URL/readyz?verbose")
assert_contains "/readyz?verbose shows the certificate error" "$verbose" '"lastError":"--tls-key'
failures=$(curl -sS --max-time 10 --cacert "$certs_b/ca.crt" "$URL/metrics" |
  awk '/^driftgate_tls_certificate_reloads_total\{result="failure"\} /{print $2}')
[[ $failures -ge 1 ]] || fail "failed certificate reloads are counted, got '$failures'"
pass "failed certificate reloads counted ($failures)"
stop_server
