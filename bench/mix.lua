-- Cycle through a realistic mix of paths (one per line in the file named by env MIX_PATHS),
-- each wrk connection starting at a different offset, with the X-Forwarded-Proto header nginx adds
-- (the production settings redirect plain HTTP). Prints latency percentiles.
local paths = {}
local counter = 0

init = function(args)
  local f = io.open(os.getenv("MIX_PATHS"), "r")
  for line in f:lines() do
    if #line > 0 then table.insert(paths, line) end
  end
  f:close()
  counter = math.random(1, #paths)
end

request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter], {["X-Forwarded-Proto"] = "https"})
end

done = function(summary, latency, requests)
  io.write(string.format("p50_ms=%.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("p95_ms=%.2f\n", latency:percentile(95) / 1000))
  io.write(string.format("p99_ms=%.2f\n", latency:percentile(99) / 1000))
end
