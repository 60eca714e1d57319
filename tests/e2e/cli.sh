#!/usr/bin/env bash
# The command line of `driftgate serve`: help, the defaults the docs give, flag errors,
# unusable files.
source "$(dirname "$0")/lib.sh"
help=$("$DRIFTGATE" serve --help)
for flag in --policies --tls-cert --tls-key --listen --client-ca --threads --reload-interval --audit-log \
  --max-body-bytes --max-json-depth --max-header-bytes --header-timeout --body-timeout --idle-timeout \
  --max-connections --shutdown-grace --scale-guard --kubeconfig --context --lookup-failure --lookup-timeout; do
  [[ $help == *"$flag"* ]] || fail "--help lists $flag"
done
pass "--help lists every flag"

# The defaults README.md's limits table and docs/server.md's flag table give are
# the ones --help gives (the README once said 90 s for --idle-timeout's 120s).
help_default() {  # help_default FLAG: the "(default X)" of FLAG's entry, which may wrap
  awk -v flag="$1" '$1 == flag { on = 1; text = $0; next } on && /^  +--/ { on = 0 } on { text = text " " $0 }
    END { print text }' <<<"$help" | sed -nE 's/.*\(default ([^);,]*).*/\1/p'
}
SOURCE_DIR=$(dirname "$0")/../..
checked=0
while IFS='|' read -r _ _ default flag _; do
  [[ $flag =~ \`serve\ (--[a-z-]+) ]] || continue
  name=${BASH_REMATCH[1]}
  [[ $default =~ ^\ *([0-9,]+)\ ?(s|MiB|KiB)? ]] || fail "README limits: no default for $name in '$default'"
  readme=${BASH_REMATCH[1]//,/}
  case ${BASH_REMATCH[2]} in MiB) readme+=Mi ;; KiB) readme+=Ki ;; s) readme+=s ;; esac
  assert_eq "README limits table: $name default" "$(help_default "$name")" "$readme"
  checked=$((checked + 1))
done <"$SOURCE_DIR/README.md"
((checked == 8)) || fail "README limits table: expected 8 rows with a serve flag, found $checked"
checked=0
while IFS= read -r row; do
  [[ $row =~ ^\|\ \`(--[a-z-]+)[^\`]*\`\ \|\ \`([^\`]*)\` ]] || continue
  assert_eq "docs/server.md flags table: ${BASH_REMATCH[1]} default" "$(help_default "${BASH_REMATCH[1]}")" "${BASH_REMATCH[2]}"
  checked=$((checked + 1))
done <"$SOURCE_DIR/docs/server.md"
((checked >= 12)) || fail "docs/server.md flags table: expected at least 12 flags with a default, found $checked"

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
expect_exit "bad --lookup-failure" 2 '--lookup-failure: expected deny or allow, got "maybe"' --policies "$P" --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" --lookup-failure maybe
expect_exit "bad --scale-guard" 2 '--scale-guard: expected auto, on or off, got "yes"' --policies "$P" --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" --scale-guard yes
expect_exit "--scale-guard=off with a kubeconfig" 2 "--scale-guard=off reads no cluster" --policies "$P" --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" --scale-guard off --kubeconfig "$E2E_WORK/none"
expect_exit "a kubeconfig that does not exist" 2 "--scale-guard: no cluster access: " --policies "$P" --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" --audit-log "$E2E_WORK/a.log" --kubeconfig "$E2E_WORK/none"
start_server
# No cluster (no --kubeconfig, not in a Pod): the /scale guard is off, loudly, and
# everything else is served (the README's quick start, the image test).
assert_contains "the guard-off warning event" "$(cat "$AUDIT_LOG")" '"event":"scale_guard_off"'
assert_contains "/readyz?verbose says the guard is off and why" "$(dg_curl "$URL/readyz?verbose")" '"scaleGuard":{"state":"off","reason":"no cluster access'
expect_exit "port in use" 2 "bind" --policies "$P" --tls-cert "$C/tls.crt" --tls-key "$C/tls.key" --audit-log "$E2E_WORK/a.log" \
  --listen "127.0.0.1:$PORT"
stop_server
