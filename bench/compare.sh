#!/usr/bin/env bash
# Compares engine_bench binaries on this noisy VM: runs them in turn, ROUNDS
# times, each pinned to one core for MIN_TIME seconds per case, and prints per
# case the median and minimum over the rounds. Interleaving puts every binary
# through the same slow and fast spells of the machine, which back-to-back runs
# do not (its speed drifts by tens of percent within minutes).
#
# Usage: bench/compare.sh OLD_BINARY NEW_BINARY [...]
#        (env: ROUNDS=8 MIN_TIME=1 FILTER='Decode|Evaluate$|Encode|Handle$' CPU=1)
# An older build to compare with:
#   git worktree add /tmp/driftgate-old <commit>
#   cmake -S /tmp/driftgate-old -B /tmp/driftgate-old/build -G Ninja -DDRIFTGATE_BUILD_SERVER=OFF -DDRIFTGATE_BUILD_TESTS=OFF
#   cmake --build /tmp/driftgate-old/build --target engine_bench
set -euo pipefail
(($# >= 1)) || { sed -n '2,13p' "$0" >&2; exit 2; }
rounds=${ROUNDS:-8}
min_time=${MIN_TIME:-1}
filter=${FILTER:-'Decode|Evaluate$|Encode|Handle$'}
cpu=${CPU:-$(($(nproc) - 1))}
results=$(mktemp)
trap 'rm -f "$results"' EXIT

for ((round = 1; round <= rounds; ++round)); do
  for binary in "$@"; do
    taskset -c "$cpu" "$binary" --benchmark_min_time="$min_time" --benchmark_filter="$filter" 2>/dev/null |
      awk -v name="$binary" '/^BM_/ { print name, $1, $2 }' >>"$results"
  done
done

echo "$rounds rounds, ${min_time}s per case, core $cpu; wall time per iteration"
awk '{ print $2 }' "$results" | sort -u | while read -r case_name; do
  for binary in "$@"; do
    awk -v c="$case_name" -v b="$binary" '$1 == b && $2 == c { print $3 }' "$results" | sort -n |
      awk -v c="$case_name" -v b="$binary" '{ v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%-28s %-40s median %7.2f µs   min %7.2f µs\n", c, b, m / 1000, v[1] / 1000 }'
  done
done
