-- wrk script for bench/soak/run.sh: a fixed rotation of valid (denied and
-- allowed), malformed, oversized and misrouted requests. Every valid review gets
-- a unique request.uid ("soak-d-T-N" for the denied one, "soak-a-T-N" for the
-- allowed one), and every 200 response's uid and decision are written to
-- $SOAK_DIR/responses-T.txt, so run.sh can match responses to audit lines.
--
-- Environment: SOAK_DIR, DENIED_REVIEW, ALLOWED_REVIEW (AdmissionReview files),
-- OVERSIZED_BYTES (a body larger than the server's --max-body-bytes).

local function read(path)
  local file = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
  local text = file:read("*a")
  file:close()
  return text
end

-- The text before and after the value of the first "uid", which is request.uid
-- in an AdmissionReview written the API server's way.
local function split_at_uid(text)
  local _, value_start = text:find('"uid"%s*:%s*"')
  assert(value_start, "no uid in the review")
  local value_end = text:find('"', value_start + 1, true)
  return text:sub(1, value_start), text:sub(value_end)
end

local denied_head, denied_tail = split_at_uid(read(os.getenv("DENIED_REVIEW")))
local allowed_head, allowed_tail = split_at_uid(read(os.getenv("ALLOWED_REVIEW")))
-- Cut off mid-document: the server must answer 400 naming the problem.
local malformed = '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x",'
-- Refused on Content-Length alone (413), before any of it is parsed.
local oversized = string.rep("x", tonumber(os.getenv("OVERSIZED_BYTES")))
local json = { ["Content-Type"] = "application/json" }

-- 20 requests: 10 denied, 5 allowed, 2 malformed, 2 to an unknown path, 1 oversized.
local rotation = { "denied", "allowed", "denied", "malformed", "denied", "allowed", "notfound", "denied",
                   "denied", "allowed", "denied", "oversized", "denied", "allowed", "malformed", "denied",
                   "allowed", "notfound", "denied", "denied" }

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

-- Per-thread counters are globals, so done() can read them with thread:get().
sent_denied, sent_allowed, sent_malformed, sent_oversized, sent_notfound = 0, 0, 0, 0, 0
got_denied, got_allowed, got_malformed, got_oversized, got_notfound = 0, 0, 0, 0, 0
got_unexpected = 0
local counter = 0
local responses

function init(args)
  responses = assert(io.open(os.getenv("SOAK_DIR") .. "/responses-" .. id .. ".txt", "w"))
  -- wrk exits without closing Lua files: line buffering keeps every record.
  responses:setvbuf("line")
end

function request()
  counter = counter + 1
  local kind = rotation[(counter - 1) % #rotation + 1]
  _G["sent_" .. kind] = _G["sent_" .. kind] + 1
  if kind == "denied" then
    return wrk.format("POST", "/validate", json, denied_head .. "soak-d-" .. id .. "-" .. counter .. denied_tail)
  elseif kind == "allowed" then
    return wrk.format("POST", "/validate", json, allowed_head .. "soak-a-" .. id .. "-" .. counter .. allowed_tail)
  elseif kind == "malformed" then
    return wrk.format("POST", "/validate", json, malformed)
  elseif kind == "oversized" then
    return wrk.format("POST", "/validate", json, oversized)
  end
  return wrk.format("POST", "/no-such-endpoint", json, "{}")
end

function response(status, headers, body)
  if status == 200 then
    local uid = body:match('"uid":"(soak%-[ad]%-%d+%-%d+)"')
    local allowed = body:find('"allowed":true', 1, true) ~= nil
    if uid then
      responses:write(uid, allowed and " allowed\n" or " denied\n")
      if allowed then got_allowed = got_allowed + 1 else got_denied = got_denied + 1 end
      return
    end
  elseif status == 400 and body:find("malformed JSON", 1, true) then
    got_malformed = got_malformed + 1
    return
  elseif status == 413 and body:find("--max-body-bytes", 1, true) then
    got_oversized = got_oversized + 1
    return
  elseif status == 404 then
    got_notfound = got_notfound + 1
    return
  end
  got_unexpected = got_unexpected + 1
  io.stderr:write("soak: unexpected response ", status, ": ", body:sub(1, 300), "\n")
end

function done(summary, latency, requests)
  local names = { "sent_denied", "sent_allowed", "sent_malformed", "sent_oversized", "sent_notfound",
                  "got_denied", "got_allowed", "got_malformed", "got_oversized", "got_notfound", "got_unexpected" }
  local totals = {}
  for _, name in ipairs(names) do totals[name] = 0 end
  for _, thread in ipairs(threads) do
    for _, name in ipairs(names) do totals[name] = totals[name] + thread:get(name) end
  end
  local line = "SOAK"
  for _, name in ipairs(names) do line = line .. " " .. name .. "=" .. totals[name] end
  io.write(line, string.format(
    " requests=%d seconds=%.1f p50_us=%d p99_us=%d timeouts=%d connect_errors=%d read_errors=%d write_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    summary.errors.timeout, summary.errors.connect, summary.errors.read, summary.errors.write))
end
