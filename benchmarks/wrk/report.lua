-- One URL, given on the wrk command line. Optional arguments after `--`:
--   method=POST  body=<text>  content_type=application/x-www-form-urlencoded
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local bench = require("bench")

function init(args)
  local opts = bench.parse_args(args)
  if opts.method then wrk.method = opts.method end
  if opts.body then wrk.body = opts.body end
  if opts.content_type then wrk.headers["Content-Type"] = opts.content_type end
end
