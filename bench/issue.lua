-- wrk script: POST the record in $SONOD_RECORD with the token in $SONOD_TOKEN; each of the
-- $SONOD_WRK_THREADS threads stops after its share of $SONOD_REQUESTS responses.
local record = io.open(os.getenv("SONOD_RECORD")):read("*a")
local token = os.getenv("SONOD_TOKEN")
local total = tonumber(os.getenv("SONOD_REQUESTS") or "100000")
local nthreads = tonumber(os.getenv("SONOD_WRK_THREADS") or "2")
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   budget = math.floor(total / nthreads)
   seen = 0
   failed = 0
end

request = function()
   return wrk.format("POST", "/api/v1/certificates", {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. token,
   }, record)
end

response = function(status, headers, body)
   seen = seen + 1
   if status ~= 201 then failed = failed + 1 end
   if seen >= budget then wrk.thread:stop() end
end

function done(summary, latency, requests)
   local seen_all, failed_all = 0, 0
   for _, t in ipairs(threads) do
      seen_all = seen_all + t:get("seen")
      failed_all = failed_all + t:get("failed")
   end
   io.write(string.format("responses=%d non_201=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f\n",
      seen_all, failed_all, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
