#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ and runs each
# for a bounded time. Exits non-zero when any target finds a crash, a leak, a
# timeout (>10 s on one input) or an out-of-memory (>2 GiB).
#
#   tests/fuzz/run.sh            # 20 s per target (what scripts/test.sh runs)
#   tests/fuzz/run.sh 600        # 10 min per target, on demand
#   FUZZ_TARGETS="review_fuzz path_fuzz" FUZZ_JOBS=2 tests/fuzz/run.sh 3600
#
# New inputs found are kept in build-fuzz/corpus/<target>/ (not committed); the
# seeds under tests/fuzz/corpus/<target>/ and, for review_fuzz, tests/fixtures/
# are read only. A crash leaves build-fuzz/artifacts/<target>/crash-*: copy it into
# tests/fuzz/corpus/<target>/ with a regression test, and replay it with
#   build-fuzz/tests/fuzz/<target> build-fuzz/artifacts/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
seconds=${1:-20}
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-1}
targets=(${FUZZ_TARGETS:-review_fuzz path_fuzz loader_fuzz yaml_value_fuzz json_fuzz http_fuzz})

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DDRIFTGATE_FUZZ=ON -DDRIFTGATE_BUILD_TESTS=OFF -DDRIFTGATE_BUILD_BENCH=OFF -DDRIFTGATE_BUILD_SERVER=OFF \
  -DDRIFTGATE_WERROR=OFF >/dev/null
cmake --build "$build_dir" --target "${targets[@]}" -j"${BUILD_JOBS:-$(nproc)}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
for t in "${targets[@]}"; do
  work="$build_dir/corpus/$t"
  artifacts="$build_dir/artifacts/$t"
  mkdir -p "$work" "$artifacts"
  seeds=(tests/fuzz/corpus/"$t")
  if [ "$t" = review_fuzz ] && compgen -G "tests/fixtures/*.json" >/dev/null; then seeds+=(tests/fixtures); fi
  log="$build_dir/$t.log"
  echo "fuzz: $t for ${seconds}s (log: $log)"
  start=$(date +%s)
  parallel=()
  # -jobs writes fuzz-N.log into the working directory: keep those in the build dir.
  if ((jobs > 1)); then parallel=(-jobs="$jobs" -workers="$jobs" -close_fd_mask=0); fi
  # `timeout` backs up libFuzzer's own -timeout, whose alarm handler can deadlock
  # in ASan's allocator when it fires inside malloc.
  if (cd "$build_dir" && timeout -k 10 $((seconds + 120)) "tests/fuzz/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="artifacts/$t/" "${parallel[@]}" \
       "corpus/$t" "${seeds[@]/#/$root/}") >"$log" 2>&1; then
    runs=$(grep -h -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
    echo "fuzz: $t ok, $runs runs in $(( $(date +%s) - start ))s"
  else
    echo "fuzz: $t FAILED; last lines of $log:"
    tail -n 40 "$log"
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then echo "fuzz: crashes in ${failed[*]}; reproducers in $build_dir/artifacts/"; fi
echo "fuzz: $(( ${#targets[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
