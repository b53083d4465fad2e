-- Shared by every benchmark script: `local bench = require("bench")`.
-- Defines wrk's global done(), which prints one machine-readable line:
--   BENCH_JSON {"requests":..,"rps":..,"latency_us":{"p50":..},"errors":{..}}
-- benchmarks/report.py parses that line; wrk's own text summary above it is ignored.

local bench = {}

-- "key=value" arguments given after `--` on the wrk command line.
function bench.parse_args(args)
  local opts = {}
  for _, arg in ipairs(args or {}) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    if key then opts[key] = value end
  end
  return opts
end

function bench.read_lines(path)
  local file = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  local lines = {}
  for line in file:lines() do
    line = line:gsub("%s+$", "")
    if line ~= "" and line:sub(1, 1) ~= "#" then lines[#lines + 1] = line end
  end
  file:close()
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

-- Each wrk thread gets its own fixed seed, so runs pick the same sequence of paths.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("bench_thread_id", threads)
end

function bench.seed()
  math.randomseed(1000003 * (bench_thread_id or 1))
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local parts = {
    string.format('"requests":%d', summary.requests),
    string.format('"duration_s":%.3f', seconds),
    string.format('"rps":%.1f', summary.requests / seconds),
    string.format('"bytes":%d', summary.bytes),
    string.format(
      '"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f,"stdev":%.1f}',
      latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
      latency.max, latency.mean, latency.stdev
    ),
    string.format(
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}',
      e.connect, e.read, e.write, e.status, e.timeout
    ),
  }
  io.write("BENCH_JSON {" .. table.concat(parts, ",") .. "}\n")
end

return bench
