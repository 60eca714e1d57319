#!/usr/bin/env bash
# The test suite under sanitizers (gcc):
#   build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer: every ctest test
#                (unit, CLI, policy tests, end-to-end over TLS, manifests).
#   build-tsan/  ThreadSanitizer: the tests where threads meet (a policy reload and
#                a certificate rotation while serving, shutdown with requests in
#                flight, concurrent decisions), against a TSan-built `driftgate serve`,
#                and the audit sink's concurrent writers (server_unit_tests).
# Any report fails the run. Usage: scripts/sanitize.sh [address|thread]... (default both).
# Ends with a line "sanitize: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${BUILD_JOBS:-$(nproc)}
kinds=("$@")
((${#kinds[@]})) || kinds=(address thread)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
# -O1 and line tables only: about half the build time of -O2 -g, still exact stack traces.
flags=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1"
       -DDRIFTGATE_BUILD_BENCH=OFF -DDRIFTGATE_BUILD_TESTS=ON -DDRIFTGATE_WERROR=ON)
# The concurrency-relevant tests (see `ctest --test-dir build-tsan -N`); e2e.certs makes their certificates.
tsan_tests=${TSAN_TESTS:-'^(e2e\.(certs|policy_reload|cert_rotation|cert_expiry|shutdown|decisions)|AuditSink\..*)$'}

passed=0 failed=0
count() {  # ctest's "N% tests passed, F tests failed out of T" -> totals
  local line; line=$(grep -E 'tests passed, [0-9]+ tests? failed out of' "$1" | tail -n 1 || true)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  local f t; f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  t=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + t - f)) failed=$((failed + f))
}

for kind in "${kinds[@]}"; do
  case "$kind" in
    address) dir=build-asan targets=(all) filter=() ;;
    thread) dir=build-tsan targets=(driftgate server_unit_tests) filter=(-R "$tsan_tests") ;;
    *) echo "sanitize: unknown sanitizer '$kind' (address or thread)" >&2; exit 2 ;;
  esac
  start=$(date +%s)
  cmake -S . -B "$dir" "${flags[@]}" -DDRIFTGATE_SANITIZE="$kind" >/dev/null
  cmake --build "$dir" --target "${targets[@]}" -j"$jobs"
  built=$(date +%s)
  log="$dir/sanitize-ctest.log"
  ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600 "${filter[@]}" 2>&1 | tee "$log" || true
  count "$log"
  echo "sanitize: $kind: build $((built - start))s, tests $(( $(date +%s) - built ))s"
done
echo "sanitize: $passed passed, $failed failed"
((failed == 0))
