-- Counts the requests wrk sent (not only those that completed before it stopped), for the honesty check: every
-- service's request counter must grow by exactly this. Prints the 99.9th percentile too (--latency stops at 99).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  -- wrk calls request() once while it sets the thread up, before any connection: that one is never sent.
  sent = -1
end

function request()
  sent = sent + 1
  return wrk.request()
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("sent")
  end
  io.write(string.format("SENT %d\n", total))
  io.write(string.format("P999 %d\n", latency:percentile(99.9)))
end
