#!/usr/bin/env bash
# Makes sure wrk is installed and the driftgate binary is built, for the load and
# soak tests, and prints the binary's path. An existing build directory is reused
# as configured (it may be the test build); a new one builds the server alone.
#
# Usage: driftgate=$(bench/build-driftgate.sh BUILD_DIR)   (BUILD_DIR relative to the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:?usage: bench/build-driftgate.sh BUILD_DIR}
command -v wrk >/dev/null || scripts/install-deps.sh >&2
if [[ ! -f $build_dir/CMakeCache.txt ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDRIFTGATE_BUILD_TESTS=OFF \
    -DDRIFTGATE_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build_dir" -j2 --target driftgate >/dev/null
echo "$build_dir/webhook/cli/driftgate"
