-- Prints wrk's summary as one machine-readable line (latencies in microseconds), parsed
-- by lib/measure.sh. Only `done` is defined: per-request Lua hooks would slow wrk down.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d socket_errors=%d non2xx=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
