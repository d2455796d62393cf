#!/usr/bin/env bash
# What the live tail costs intake: batch load (100-event batches, durability fsync, 64
# connections) into one server, alternately with no tail subscriber and with SUBSCRIBERS of
# them (curl reading GET /v1/tail, unfiltered, as fast as it can), ROUNDS times each, in the
# same run. Reports events/s for every run, the events each subscriber received and the events
# it was told it missed.
#   bench/tail.sh [build dir] [subscribers] [seconds] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
subscribers=${2:-4}
seconds=${3:-15}
rounds=${4:-2}
source bench/lib.sh

token=bench-admin-token-0123456789
admin_port=$(free_port)
port=$(free_port)
write_sluice_config "$work/server" "$port" fsync 'retention = "1s"'
printf '[admin]\nlisten = "127.0.0.1:%s"\ntoken = "%s"\n' "$admin_port" "$token" \
  >>"$work/server/sluice.toml"
url="http://127.0.0.1:$port"
start_sluice "$build/sluice" "$work/server" "$url/health"

# run LABEL: one measured load; prints events/s.
run() {
  "$build/sluice-bench" -u "$url" -w batch --batch-size 100 -c 64 -t 1 --warmup 3s \
    -d "${seconds}s" -q --json "$work/$1.json" >/dev/null
  python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["events_per_s"]))' \
    "$work/$1.json"
}

for round in $(seq "$rounds"); do
  echo "round $round, no subscriber: $(run "none-$round") events/s"
  tails=()
  for i in $(seq "$subscribers"); do
    curl -sN --max-time $((seconds + 10)) -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$admin_port/v1/tail" >"$work/tail-$round-$i.sse" &
    tails+=("$!")
    pids+=("$!")
  done
  sleep 1
  echo "round $round, $subscribers subscribers: $(run "tail-$round") events/s"
  for pid in "${tails[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${tails[@]}" 2>/dev/null || true
  for i in $(seq "$subscribers"); do
    python3 - "$work/tail-$round-$i.sse" <<'PY'
import json, sys
shown = dropped = 0
for block in open(sys.argv[1], errors="replace").read().split("\n\n"):
    lines = block.split("\n")
    if "event: event" in lines:
        shown += 1
    elif "event: dropped" in lines:
        dropped += json.loads(lines[-1][len("data: "):])["dropped"]
print(f"  subscriber: {shown} events shown, told of {dropped} missed")
PY
  done
done
