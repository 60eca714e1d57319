#!/usr/bin/env bash
# Builds driftgate the ways a user or packager would configure it, with warnings as
# errors, so that a warning one compiler or optimisation level finds cannot reach a
# release (GCC 12 reports -Wrestrict only at -O2 and above, for instance).
#
#   scripts/build-matrix.sh                       # every configuration below (16 builds)
#   scripts/build-matrix.sh gcc:Release clang:MinSizeRel:offline
#
# A configuration is COMPILER:TYPE[:offline]: COMPILER gcc (g++ 12) or clang
# (clang++ 14), TYPE a CMake build type (Debug, RelWithDebInfo, Release, MinSizeRel),
# `offline` for -DDRIFTGATE_BUILD_SERVER=OFF (the policy-CI build without Boost).
# Every build has the defaults a packager gets (tests and benchmarks on) plus
# -DDRIFTGATE_WERROR=ON, in build-matrix/<compiler>-<type>[-offline]/.
# Ends with "build-matrix: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${BUILD_JOBS:-$(nproc)}
configs=("$@")
if ((${#configs[@]} == 0)); then
  for compiler in gcc clang; do
    for type in Debug RelWithDebInfo Release MinSizeRel; do
      configs+=("$compiler:$type" "$compiler:$type:offline")
    done
  done
fi

passed=0 failed=0 failures=()
for config in "${configs[@]}"; do
  IFS=: read -r compiler type variant <<<"$config"
  case "$compiler" in
    gcc) cxx=g++ ;;
    clang) cxx=clang++ ;;
    *) echo "build-matrix: '$config': compiler must be gcc or clang, not '$compiler'" >&2; exit 2 ;;
  esac
  case "$type" in
    Debug | RelWithDebInfo | Release | MinSizeRel) ;;
    *) echo "build-matrix: '$config': type must be Debug, RelWithDebInfo, Release or MinSizeRel, not '$type'" >&2; exit 2 ;;
  esac
  case "${variant:-}" in
    "") server=ON ;;
    offline) server=OFF ;;
    *) echo "build-matrix: '$config': the third part can only be 'offline', not '$variant'" >&2; exit 2 ;;
  esac
  dir=build-matrix/$compiler-$type${variant:+-$variant}
  start=$(date +%s)
  log=$dir.log
  mkdir -p build-matrix
  if cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DCMAKE_CXX_COMPILER="$cxx" \
       -DDRIFTGATE_WERROR=ON -DDRIFTGATE_BUILD_SERVER="$server" >"$log" 2>&1 &&
     cmake --build "$dir" -j"$jobs" -- -k 0 >>"$log" 2>&1; then
    passed=$((passed + 1))
    echo "build-matrix: $config: ok ($(( $(date +%s) - start ))s)"
  else
    failed=$((failed + 1)) failures+=("$config")
    grep -E -B2 -A12 'error|warning' "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
    echo "build-matrix: $config: FAILED ($(( $(date +%s) - start ))s; log: $log)"
  fi
done
((failed == 0)) || echo "build-matrix: failed: ${failures[*]}"
echo "build-matrix: $passed passed, $failed failed"
((failed == 0))
