-- wrk script of bench/bid_http_bench.py: every request is a supplier's bid on one of the
-- tenders (at random), with the next supplier's API token (round robin, each wrk thread from
-- its own offset), a fresh Idempotency-Key and its own price. The tokens and the paths come in
-- the environment: BIDS_TOKENS and BIDS_PATHS (comma-separated; /api/tenders/<id>/bids).
-- With BIDS_METHOD=GET it sends the same tokens, with no body, to the paths given: the
-- authenticated floor the bid route is compared with.

local tokens = {}
for token in string.gmatch(os.getenv("BIDS_TOKENS") or "", "[^,]+") do
  tokens[#tokens + 1] = token
end
local paths = {}
for path in string.gmatch(os.getenv("BIDS_PATHS") or "/api/tenders/1/bids", "[^,]+") do
  paths[#paths + 1] = path
end
local method = os.getenv("BIDS_METHOD") or "POST"
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  counter = 0
  math.randomseed(id * 7919 + os.time())
end

function request()
  counter = counter + 1
  local token = tokens[((id * 997 + counter) % #tokens) + 1]
  if method == "GET" then
    return wrk.format("GET", paths[math.random(1, #paths)], {["Authorization"] = "Bearer " .. token})
  end
  local price = 1000000 + (id * 100000 + counter) % 900000
  local body = string.format(
    '{"price":{"amount":%d,"currency":"THB"},"declaration":true}', price
  )
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = string.format("wrk-%d-%d-%d", id, counter, math.random(1, 2147483647)),
  }
  return wrk.format("POST", paths[math.random(1, #paths)], headers, body)
end
