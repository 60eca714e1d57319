#!/usr/bin/env bash
# The command line of `driftgate serve`: help, flag errors, unusable files.
source "$(dirname "$0")/lib.sh"
help=$("$DRIFTGATE" serve --help)
for flag in --policies --tls-cert --tls-key --listen --client-ca --threads --reload-interval --audit-log \
  --max-body-bytes --max-json-depth --max-header-bytes --header-timeout --body-timeout --idle-timeout \
  --max-connections --shutdown-grace; do
  [[ $help == *"$flag"* ]] || fail "--help lists $flag"
done
pass "--help lists every flag"

expect_exit() {  # expect_exit WHAT CODE MESSAGE ARGS...
  local what=$1 code=$2 message=$3
  shift 3
  local rc=0 err
  err=$(timeout 10 "$DRIFTGATE" serve "$@" 2>&1 >/dev/null) || rc=$?
  assert_eq "$what: exit code" "$code" "$rc"
  assert_contains "$what: message" "$err" "$message"
}
C=$E2E_CERTS
P=$E2E_FIXTURES/policies
expect_exit "missing --policies" 2 "--policies DIR is required" --tls-cert "$C/tls.crt" --tls-key "$C/tls.key"
expect_exit "unknown flag" 2 'unknown flag "--bogus"' --bogus 1
expect_exit "bad duration" 2 "--idle-timeout: expected a positive duration" --policies "$P" --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" --idle-timeout soon
expect_exit "bad size" 2 "--max-body-bytes" --policies "$P" --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" --max-body-bytes 8MB
expect_exit "missing certificate file" 2 "--tls-cert $E2E_WORK/none.crt" --policies "$P" --tls-cert "$E2E_WORK/none.crt" --tls-key "$C/tls.key" --audit-log "$E2E_WORK/a.log"
expect_exit "key of another certificate" 2 "--tls-key" --policies "$P" --tls-cert "$C/tls.crt" --tls-key "$C/client.key" --audit-log "$E2E_WORK/a.log"
start_server
expect_exit "port in use" 2 "bind" --policies "$P" --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" --audit-log "$E2E_WORK/a.log" \
  --listen "127.0.0.1:$PORT"
stop_server
