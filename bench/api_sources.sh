#!/usr/bin/env bash
# Sources created at runtime: how long the admin API takes to create 10,000 sources one by one
# (each is stored, fsynced and put in force before its 201), and intake with the last one's key
# against intake on the same server before any was created.
#   bench/api_sources.sh [build dir] [rounds] [sources]
# Each round starts a fresh server (durability "fsync", 2 IO threads), loads it with the config's
# key, creates the sources, and loads it again with the last created key. Prints both rates,
# their ratio, and the creation latencies.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${2:-2}
count=${3:-10000}
source bench/lib.sh
token=bench-admin-token-0123456789

load() {  # load PORT KEY JSON -> requests/s
  "$build/sluice-bench" -u "http://127.0.0.1:$1" --write-key "$2" -c 32 -t 1 -d 8s --warmup 2s -q \
    --json "$3" >/dev/null
  python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["requests_per_s"]))' "$3"
}

for round in $(seq "$rounds"); do
  port=$(free_port)
  admin_port=$(free_port)
  dir=$(mktemp -d -p "$work")
  cat >"$dir/sluice.toml" <<CONF
[server]
listen = "127.0.0.1:$port"
threads = 2
[storage]
path = "$dir/log"
durability = "fsync"
[log]
level = "warn"
[admin]
listen = "127.0.0.1:$admin_port"
token = "$token"
[[sources]]
name = "bench"
write_keys = ["bench_write_key"]
CONF
  "$build/sluice" --config "$dir/sluice.toml" >"$dir/out.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  wait_for "http://127.0.0.1:$port/health"
  before=$(load "$port" bench_write_key "$dir/before.json")
  key=$(python3 - "$admin_port" "$token" "$count" "$dir/created.json" <<'PY'
import http.client, json, statistics, sys, time
port, token, count, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
latencies = []
started = time.monotonic()
for i in range(count):
    begin = time.monotonic()
    connection.request("POST", "/v1/sources", json.dumps({"name": f"app-{i:05d}"}), headers)
    answer = connection.getresponse()
    body = answer.read()
    if answer.status != 201:
        sys.exit(f"create {i}: HTTP {answer.status}: {body!r}")
    latencies.append(time.monotonic() - begin)
    key = json.loads(body)["keys"][0]["write_key"]
total = time.monotonic() - started
latencies.sort()
def at(q): return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
json.dump({"sources": count, "seconds": total, "p50_ms": at(0.5), "p99_ms": at(0.99),
           "last_ms": latencies[-1] * 1000, "first_1000_ms": statistics.mean(latencies[:1000]) * 1000,
           "last_1000_ms": statistics.mean(latencies[-1000:]) * 1000}, open(out, "w"))
print(key)
PY
)
  after=$(load "$port" "$key" "$dir/after.json")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  python3 - "$round" "$before" "$after" "$dir/created.json" <<'PY'
import json, sys
round_, before, after, created = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), json.load(open(sys.argv[4]))
print(f"round {round_}: 1 source {before:.0f} req/s, {created['sources'] + 1} sources {after:.0f} req/s "
      f"(ratio {after / before:.3f}); created in {created['seconds']:.1f} s, p50 {created['p50_ms']:.2f} ms, "
      f"p99 {created['p99_ms']:.2f} ms, mean of the first 1,000 {created['first_1000_ms']:.2f} ms, "
      f"of the last 1,000 {created['last_1000_ms']:.2f} ms")
PY
done
