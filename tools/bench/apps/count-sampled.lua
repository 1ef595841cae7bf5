-- count.lua, and for a stack that samples a ratio of traces: which answered requests were sampled, from the trace id
-- the edge names in X-Trace-Id. OpenTelemetry's TraceIdRatioBased sampler decides from the trace id alone: the XOR
-- of its four 32-bit words, unsigned, below floor(ratio * 0xffffffff) (sdk-trace's TraceIdRatioBasedSampler).
-- BENCH_SAMPLE_RATIO is the ratio the services were given (OTEL_TRACES_SAMPLER_ARG).
local bit = require("bit")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  sent = -1
  answered = 0
  sampled = 0
  local ratio = tonumber(os.getenv("BENCH_SAMPLE_RATIO") or "1")
  bound = ratio >= 1 and 4294967296 or math.floor(ratio * 4294967295)
end

function request()
  sent = sent + 1
  return wrk.request()
end

function response(status, headers, body)
  answered = answered + 1
  local id = headers["X-Trace-Id"] or headers["x-trace-id"]
  if id == nil or #id ~= 32 then return end
  local acc = 0
  for i = 1, 32, 8 do
    acc = bit.bxor(acc, tonumber(string.sub(id, i, i + 7), 16))
  end
  if acc < 0 then acc = acc + 4294967296 end
  if acc < bound then sampled = sampled + 1 end
end

function done(summary, latency, requests)
  local total, seen, yes = 0, 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("sent")
    seen = seen + thread:get("answered")
    yes = yes + thread:get("sampled")
  end
  io.write(string.format("SENT %d\n", total))
  io.write(string.format("P999 %d\n", latency:percentile(99.9)))
  io.write(string.format("ANSWERED %d\nSAMPLED %d\n", seen, yes))
end
