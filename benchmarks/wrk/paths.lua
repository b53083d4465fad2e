-- Varied paths: each request picks a random line of a file (one path per line, e.g. "/search/?q=чайник").
-- Arguments after `--`: file=<path of the file>  [method=GET]
-- The harness writes that file from a scenario's `paths` list (benchmarks/scenarios.py).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local bench = require("bench")

local requests = {}

function init(args)
  local opts = bench.parse_args(args)
  bench.seed()
  for i, path in ipairs(bench.read_lines(assert(opts.file, "paths.lua needs file=<paths file>"))) do
    requests[i] = wrk.format(opts.method or "GET", path)
  end
end

function request()
  return requests[math.random(#requests)]
end
