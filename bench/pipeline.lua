-- pipeline.lua: 16 GET requests of the same path written in one go per
-- round trip (wrk counts each response as a request). The path is that of
-- the URL given to wrk; PIPELINE_DEPTH in the environment overrides 16.
local depth = tonumber(os.getenv("PIPELINE_DEPTH") or "16")

init = function(args)
   local r = {}
   for i = 1, depth do
      r[i] = wrk.format(nil, nil, nil, nil)
   end
   req = table.concat(r)
end

request = function()
   return req
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d bytes=%d duration_us=%d connect_err=%d read_err=%d " ..
      "write_err=%d status_err=%d timeout_err=%d lat_p50_us=%d lat_p99_us=%d lat_max_us=%d\n",
      summary.requests, summary.bytes, summary.duration, e.connect, e.read,
      e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99),
      latency.max))
end
