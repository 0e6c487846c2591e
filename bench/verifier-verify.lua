-- wrk script for bench/verifier-load.sh: POSTs distinct payloads from a file.
--   PAYLOADS   file with one QR text a line (required)
--   BATCH      0 for /api/v1/verify, or the batch size for /api/v1/verify/batch
--   TOKEN      an exempt bearer token (so that the rate limiter is not what is measured)
--   DELAY_MS   mean per-connection pause between requests (a rate of connections * 1000 / DELAY_MS);
--              each pause is drawn from an exponential distribution, so that arrivals are spread
--              like independent clients' (a fixed pause keeps every connection in step: all of
--              them fire together, and the latency measured is that of draining a burst of
--              CONNECTIONS requests, not of the rate)
local payloads = {}
for line in io.lines(os.getenv("PAYLOADS")) do
  payloads[#payloads + 1] = line
end
local batch = tonumber(os.getenv("BATCH") or "0")
local token = os.getenv("TOKEN")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
  threads[#threads + 1] = thread
end

local next_index, step

function init(args)
  -- Each thread walks its own residue class: the threads never send the same payload at
  -- the same time, and a walk longer than the server's cache never hits it.
  next_index = id
  step = tonumber(os.getenv("THREADS") or "2")
  math.randomseed(os.time() * 1000 + id)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

local function take()
  local p = payloads[((next_index - 1) % #payloads) + 1]
  next_index = next_index + step
  return p
end

function request()
  if batch > 0 then
    local items = {}
    for i = 1, batch do
      items[i] = '"' .. take() .. '"'
    end
    return wrk.format(nil, "/api/v1/verify/batch", nil, '{"payloads":[' .. table.concat(items, ",") .. ']}')
  end
  return wrk.format(nil, "/api/v1/verify", nil, '{"payload":"' .. take() .. '"}')
end

if delay_ms > 0 then
  function delay()
    -- Exponential with mean delay_ms (1 - random() is in (0, 1]).
    return math.floor(-delay_ms * math.log(1 - math.random()) + 0.5)
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
