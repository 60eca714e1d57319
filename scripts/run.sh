#!/usr/bin/env bash
# On a fresh Debian bookworm machine: install packages, build, make development
# certificates and serve the default policies on https://127.0.0.1:8443.
# Extra arguments go to `driftgate serve` (e.g. --listen 127.0.0.1:9443).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build_dir=${BUILD_DIR:-build}
# The same configuration as scripts/test.sh: the two share build/, and a cache
# left with the tests switched off made a later test run find no tests.
# Only the server binary is built here.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target driftgate
certs/dev-certs.sh certs/dev >/dev/null
echo "driftgate: serving policies/ on https://127.0.0.1:8443 (CA: certs/dev/ca.crt); Ctrl-C stops" >&2
exec "$build_dir/webhook/cli/driftgate" serve \
  --policies policies \
  --tls-cert certs/dev/tls.crt --tls-key certs/dev/tls.key \
  --listen 127.0.0.1:8443 "$@"
