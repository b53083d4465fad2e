-- Place orders: each request posts the checkout's final form ("Подтвердить заказ") from its own prepared shopper.
-- Arguments after `--`: file=<paths file of benchmarks/checkout.py: one shopper per line>  cursor=<file>  [threads=2]
--   [log=<file>]
-- A line is /checkout/?session=…&csrf=…&token=…&key=…; it is sent once, by one thread: thread i of `threads`
-- (wrk -t) takes lines i, i+threads, … . The harness runs wrk many times over one paths file (warm-up, repeats):
-- `cursor` keeps how many lines each thread has sent, so a run goes on where the last one stopped. A thread out of
-- shoppers sends a GET the server answers without placing anything, counted wrong. Only a redirect to the order's page (?placed=1) is a placed order; any other answer below
-- 400 (the review page again, a redirect to the cart) is counted wrong and reported among the status errors.
-- `log`: one JSON line per run (requests, placed, wrong) appended for `python -m benchmarks.checkout verify`.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = dir .. "?.lua;" .. package.path
local bench = require("bench")

local requests = {}
sent, placed, wrong, log_file, cursor_file = 0, 0, 0, nil, nil

local function query_param(line, name)
  return assert(line:match("[?&]" .. name .. "=([^&]+)"), "no " .. name .. " in " .. line)
end

-- {thread id = lines sent} from earlier runs over the same paths file
local function cursor_read(path)
  local used = {}
  local f = io.open(path, "r")
  if f then
    for id, n in f:read("*a"):gmatch("(%d+)=(%d+)") do used[tonumber(id)] = tonumber(n) end
    f:close()
  end
  return used
end

function init(args)
  local opts = bench.parse_args(args)
  local stride = tonumber(opts.threads or "2")
  local id = bench_thread_id or 1
  assert(id <= stride, "checkout.lua: wrk -t is larger than threads=" .. stride)
  log_file = opts.log
  cursor_file = assert(opts.cursor, "checkout.lua needs cursor=<file>")
  local skip = cursor_read(cursor_file)[id] or 0
  local mine = 0
  for i, line in ipairs(bench.read_lines(assert(opts.file, "checkout.lua needs file=<paths file>"))) do
    if (i - 1) % stride == id - 1 then mine = mine + 1 end
    if (i - 1) % stride == id - 1 and mine > skip then
      local secret = query_param(line, "csrf")
      requests[#requests + 1] = wrk.format("POST", "/checkout/", {
        ["Cookie"] = "sessionid=" .. query_param(line, "session") .. "; csrftoken=" .. secret,
        ["Content-Type"] = "application/x-www-form-urlencoded",
      }, "csrfmiddlewaretoken=" .. query_param(line, "token") .. "&step=place&idempotency_key=" .. query_param(line, "key"))
    end
  end
end

function request()
  sent = sent + 1
  return requests[sent] or wrk.format("GET", "/checkout/?shoppers-used-up")
end

function response(status, headers, body)
  if status < 400 then  -- wrk counts 4xx/5xx itself
    local location = headers["Location"] or headers["location"] or ""
    if status == 302 and location:find("placed=1", 1, true) then placed = placed + 1 else wrong = wrong + 1 end
  end
end

local threads = {}
local bench_setup, bench_done = setup, done

function setup(thread)
  bench_setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, reqs)
  local total_placed, total_wrong, path, cursor = 0, 0, nil, nil
  for _, t in ipairs(threads) do
    total_placed = total_placed + t:get("placed")
    total_wrong = total_wrong + t:get("wrong")
    path = path or t:get("log_file")
    cursor = cursor or t:get("cursor_file")
  end
  local used = cursor_read(cursor)
  local parts = {}
  for i, t in ipairs(threads) do  -- every line handed to wrk counts as used, answered or not
    used[i] = (used[i] or 0) + t:get("sent")
    parts[#parts + 1] = i .. "=" .. used[i]
  end
  local f = assert(io.open(cursor, "w"))
  f:write(table.concat(parts, " ") .. "\n")
  f:close()
  summary.errors.status = summary.errors.status + total_wrong
  if path then
    local f = assert(io.open(path, "a"))
    f:write(string.format('{"requests":%d,"placed":%d,"wrong":%d}\n', summary.requests, total_placed, total_wrong))
    f:close()
  end
  bench_done(summary, latency, reqs)
end
