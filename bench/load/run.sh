#!/usr/bin/env bash
# HTTPS load test of `driftgate serve`: builds, makes certificates, starts the
# server with the default policies, and drives it with wrk over TLS keep-alive
# posting the ~15 KB Deployment UPDATE review at 32 and 256 connections; then
# measures new TLS handshakes per second (one request per connection).
# Reports throughput, p50/p99 latency and the server's peak RSS (VmHWM).
#
# Usage: bench/load/run.sh            (env: BUILD_DIR=build-bench DURATION=20s
#                                      SERVER_THREADS=2 WRK_THREADS=2 PORT=18443)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
build_dir=${BUILD_DIR:-build-bench}
duration=${DURATION:-20s}
server_threads=${SERVER_THREADS:-2}
wrk_threads=${WRK_THREADS:-2}
port=${PORT:-18443}
work=$build_dir/bench-load
mkdir -p "$work"

driftgate=$(bench/build-driftgate.sh "$build_dir")
certs/dev-certs.sh "$work/certs" 2>/dev/null

# The same review the engine benchmark times (engine_bench --write-fixture makes it).
review=$repo/bench/fixtures/deployment-update.json
[[ -f $review ]] || { echo "load: $review is missing (build/bench/engine_bench --write-fixture $review)" >&2; exit 2; }

: >"$work/audit.log"
"$driftgate" serve --policies policies --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
  --listen "127.0.0.1:$port" --threads "$server_threads" --audit-log "$work/audit.log" \
  >"$work/server.out" 2>"$work/server.err" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
url=https://127.0.0.1:$port
for _ in $(seq 1 100); do
  curl -sf --cacert "$work/certs/ca.crt" "$url/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
# The review must be decided, not refused: a fast 400 would flatter the figures.
check=$(curl -sS --cacert "$work/certs/ca.crt" -H 'Content-Type: application/json' --data-binary "@$review" \
  -w ' HTTP %{http_code}' "$url/validate")
[[ $check == *'"response":'*'HTTP 200' ]] || { echo "run.sh: unexpected answer: ${check:0:300}" >&2; exit 1; }

peak_rss_mib() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status"; }
server_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
result_field() { sed -E "s/.*$1=([0-9.]+).*/\\1/" <<<"$2"; }

echo "machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(uname -sr)"
echo "review: $(basename "$review") ($(stat -c %s "$review") bytes), policies: $(ls policies/*.yaml | wc -l) files"
echo "server: driftgate serve --threads $server_threads; client: wrk -t$wrk_threads -d$duration (same machine)"
echo
# CPU per request, server and wrk apart: both share the same 2 cores, so
# requests/s is bounded by their sum; the server's share tells what a core
# given to driftgate alone would serve.
echo "| connections | mode | requests/s | p50 | p99 | errors | server CPU/request | wrk CPU/request | server peak RSS |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
run() {  # run CONNECTIONS MODE PATH [wrk args]
  local connections=$1 mode=$2 path=$3
  shift 3
  local out server_before server_after client_seconds requests
  server_before=$(server_cpu_ticks)
  # bash's `time` reports wrk's user+system CPU seconds (no extra package needed).
  client_seconds=$( { TIMEFORMAT='%U %S'; time REVIEW=$review wrk -t"$wrk_threads" -c"$connections" -d"$duration" \
    --timeout 10s -s bench/load/post.lua "$@" "$url$path" >"$work/wrk.out"; } 2>&1 | awk '{ print $1 + $2 }')
  server_after=$(server_cpu_ticks)
  out=$(grep '^RESULT' "$work/wrk.out")
  requests=$(result_field requests "$out")
  printf '| %s | %s | %s | %s ms | %s ms | %s | %s µs | %s µs | %s MiB |\n' "$connections" "$mode" \
    "$(result_field rps "$out")" "$(awk -v us="$(result_field p50_us "$out")" 'BEGIN{printf "%.2f", us / 1000}')" \
    "$(awk -v us="$(result_field p99_us "$out")" 'BEGIN{printf "%.2f", us / 1000}')" "$(result_field errors "$out")" \
    "$(awk -v t="$((server_after - server_before))" -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN{printf "%.0f", t / hz / n * 1e6}')" \
    "$(awk -v s="$client_seconds" -v n="$requests" 'BEGIN{printf "%.0f", s / n * 1e6}')" \
    "$(peak_rss_mib)"
}
run 32 "POST /validate, keep-alive" /validate
run 256 "POST /validate, keep-alive" /validate
# Connection: close makes wrk open a new TLS connection (full handshake, no
# session resumption) for every request; on /healthz the handshake is nearly
# all the work, so requests/s = new TLS handshakes/s.
REVIEW_METHOD=GET run 32 "GET /healthz, new TLS connection per request (= handshakes/s)" /healthz -H "Connection: close"
echo
echo "decisions audited: $(grep -c '"type":"decision"' "$work/audit.log")"
# The server's own view: mean time inside admission::handle (decode, evaluate,
# encode, audit), to tell engine time from TLS/HTTP/kernel time.
curl -sS --cacert "$work/certs/ca.crt" "$url/metrics" | awk '
  /^driftgate_admission_duration_seconds_sum\{handler="validate"\}/ { sum = $2 }
  /^driftgate_admission_duration_seconds_count\{handler="validate"\}/ { count = $2 }
  END { if (count > 0) printf "mean time in admission::handle per review: %.0f µs over %d reviews\n", sum / count * 1e6, count }'
echo "server CPU time: $(awk '{ printf "%.1f s user, %.1f s system", $14 / 100, $15 / 100 }' "/proc/$server/stat")"
