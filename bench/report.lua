-- report.lua: wrk's summary as one machine-readable line for bench.py.
-- Loaded by every scenario (pipeline.lua includes the same done()).
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d bytes=%d duration_us=%d connect_err=%d read_err=%d " ..
      "write_err=%d status_err=%d timeout_err=%d lat_p50_us=%d lat_p99_us=%d lat_max_us=%d\n",
      summary.requests, summary.bytes, summary.duration, e.connect, e.read,
      e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99),
      latency.max))
end
