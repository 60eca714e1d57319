#!/usr/bin/env bash
# Everything on a fresh Debian bookworm machine: install packages, build, run every
# test (unit, policy tests, end-to-end over TLS, alerts with a real Prometheus,
# manifests) on the Release build that ships, and:
#   - the hardening runs: the suite under ASan+UBSan and TSan (scripts/sanitize.sh)
#     and each libFuzzer target for 20 s (tests/fuzz/run.sh);
#   - the builds a packager would configure that the runs above do not cover, with
#     warnings as errors (scripts/build-matrix.sh; $DRIFTGATE_MATRIX picks them);
#   - the container image: built with buildah from the Dockerfile and run with podman
#     (tests/image/run.sh).
# Ends with ctest's summary and then one line "N passed, N failed" over all of it
# (ctest tests + sanitizer tests + fuzz targets + builds + image checks).
# DRIFTGATE_HARDENING=0 skips the sanitizer and fuzz runs, DRIFTGATE_MATRIX="" the
# extra builds and DRIFTGATE_IMAGE=0 the image (a quick local check).
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

# The main build below is GCC Release (the image's compiler and type); the sanitizer
# builds are GCC at -O1 and the fuzz build clang without -Werror. These cover the
# rest of what users configure: clang with every optimisation level that changes
# what the warnings see, and the offline (no server) build.
matrix=${DRIFTGATE_MATRIX-clang:Release clang:Debug:offline gcc:MinSizeRel:offline}
if [ -n "$matrix" ]; then
  mkdir -p "$build_dir"
  # shellcheck disable=SC2086  # a list of configurations
  scripts/build-matrix.sh $matrix 2>&1 | tee "$build_dir/matrix.log" || true
  tally "$build_dir/matrix.log"
fi

if [ "${DRIFTGATE_IMAGE:-1}" != 0 ]; then
  mkdir -p "$build_dir"
  tests/image/run.sh 2>&1 | tee "$build_dir/image.log" || true
  tally "$build_dir/image.log"
fi

# Explicitly on: a build directory configured otherwise before (a server-only
# build of bench/load/run.sh, say) keeps its cached options. Release, as the image
# builds it: the tests run on the optimisation level that ships.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDRIFTGATE_WERROR=ON \
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
