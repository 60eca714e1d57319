-- wrk script: POST one AdmissionReview (path in the REVIEW environment
-- variable) on every request, over the connections wrk keeps alive, and print
-- a RESULT line that bench/load/run.sh turns into a table row.
-- REVIEW_METHOD=GET sends bodiless GETs instead (the handshake run).
if os.getenv("REVIEW_METHOD") == "GET" then
  wrk.method = "GET"
else
  local path = os.getenv("REVIEW") or "deployment-update.json"
  local file = assert(io.open(path, "rb"), "cannot open " .. path)
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
end

-- One machine-readable line for run.sh (latency in microseconds). errors
-- includes non-2xx statuses, so a refused review shows up. No response()
-- callback: it would make wrk parse every body in Lua and slow the client.
function done(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
