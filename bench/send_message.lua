-- wrk script: SendMessage over AWS JSON 1.0 with a 256-byte body to the queue named by QUEUE.
local queue = os.getenv("QUEUE_URL") or "http://127.0.0.1:9324/000000000000/bench"
local body = string.rep("x", 256)
wrk.method = "POST"
wrk.path = "/"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AmazonSQS.SendMessage"
wrk.body = '{"QueueUrl":"' .. queue .. '","MessageBody":"' .. body .. '"}'

local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non-200 responses: %d\n", summary.errors.status))
end
