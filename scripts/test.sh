#!/usr/bin/env bash
# Everything on a fresh Debian bookworm machine: install packages, build, run every
# test (unit, policy tests, end-to-end over TLS, manifests), and the hardening runs:
# the suite under ASan+UBSan and TSan (scripts/sanitize.sh) and each libFuzzer
# target for 20 s (tests/fuzz/run.sh). Ends with ctest's summary and then one line
# "N passed, N failed" over all of it (ctest tests + sanitizer tests + fuzz targets).
# DRIFTGATE_HARDENING=0 skips the sanitizer and fuzz runs (a quick local check).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build_dir=${BUILD_DIR:-build}
passed=0 failed=0
tally() {  # adds the counts of a "...: P passed, F failed" line from a log
  local line; line=$(grep -E '[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1 || true)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  passed=$((passed + $(sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed$/\1/' <<<"$line")))
  failed=$((failed + $(sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed$/\2/' <<<"$line")))
}

if [ "${DRIFTGATE_HARDENING:-1}" != 0 ]; then
  mkdir -p "$build_dir"
  scripts/sanitize.sh 2>&1 | tee "$build_dir/sanitize.log" || true
  tally "$build_dir/sanitize.log"
  tests/fuzz/run.sh "${FUZZ_SECONDS:-20}" 2>&1 | tee "$build_dir/fuzz.log" || true
  tally "$build_dir/fuzz.log"
fi

# Explicitly on: a build directory configured otherwise before (a server-only
# build of bench/load/run.sh, say) keeps its cached options.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDRIFTGATE_BUILD_TESTS=ON -DDRIFTGATE_BUILD_BENCH=ON -DDRIFTGATE_BUILD_SERVER=ON >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" --timeout 300 2>&1 | tee "$build_dir/ctest.log" || true
summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$build_dir/ctest.log" | tail -n 1 || true)
if [ -n "$summary" ]; then
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
  bad=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$summary")
  passed=$((passed + total - bad)) failed=$((failed + bad))
else
  failed=$((failed + 1))  # ctest did not run to its summary
fi
echo "$passed passed, $failed failed"
((failed == 0))
