-- POSTs the file named by the BODY environment variable with the test write key.
local path = os.getenv("BODY")
local file = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic YmVuY2hfd3JpdGVfa2V5Og=="  -- bench_write_key:
