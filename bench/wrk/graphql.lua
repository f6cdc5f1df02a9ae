-- wrk script: POST GraphQL bodies read from a file (one JSON body per line),
-- round-robin, each connection starting at a different line. A response
-- counts as an error when its status is not 200 or its JSON carries
-- "errors" (GraphQL reports failures with 200). done() prints one JSON line
-- with wrk's latency percentiles (microseconds) and the counts.
-- usage: wrk -t1 -c16 -d10s -s graphql.lua http://127.0.0.1:PORT -- bodies.jsonl

local bodies = {}
local next_index = 1
local threads = {}
gql_errors = 0
bad_status = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local path = args[1]
  for line in io.lines(path) do
    if #line > 0 then
      table.insert(bodies, line)
    end
  end
  if #bodies == 0 then
    error("no request bodies in " .. path)
  end
  next_index = 1
end

function request()
  local body = bodies[next_index]
  next_index = next_index % #bodies + 1
  return wrk.format("POST", "/graphql", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif body:find('"errors"', 1, true) then
    gql_errors = gql_errors + 1
  end
end

function done(summary, latency, requests)
  local g, s = 0, 0
  for _, t in ipairs(threads) do
    g = g + (t:get("gql_errors") or 0)
    s = s + (t:get("bad_status") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "durationUs": %d, "bytes": %d, ' ..
    '"p50Us": %d, "p90Us": %d, "p95Us": %d, "p99Us": %d, "maxUs": %d, "meanUs": %.1f, ' ..
    '"graphqlErrors": %d, "badStatus": %d, "connectErrors": %d, "readErrors": %d, ' ..
    '"writeErrors": %d, "statusErrors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    g, s, e.connect, e.read, e.write, e.status, e.timeout))
end
