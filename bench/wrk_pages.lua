-- wrk script of bench/processes_bench.py: each request the next of the public pages named in
-- PAGES_PATHS (comma-separated), round robin, each wrk thread from its own offset.

local paths = {}
for path in string.gmatch(os.getenv("PAGES_PATHS") or "/", "[^,]+") do
  paths[#paths + 1] = path
end
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  counter = id * 7
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], { ["Accept-Language"] = "en" })
end
