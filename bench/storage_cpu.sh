#!/usr/bin/env bash
# Where a server's CPU goes under batch load, by thread: RocksDB's background threads (flushes
# and compactions) against the rest. Batch load (100-event batches, durability fsync, 64
# connections, one sluice-bench thread) for SECONDS after a 3 s warm-up, into a fresh log, with
# dedup on (the default) and off. Each BINARY given is measured in turn, ROUNDS times, so two
# builds compare in the same run. Reports events/s, CPU per event, the background share, and
# the log's size on disk per million events stored.
#   bench/storage_cpu.sh SECONDS ROUNDS BINARY... (sluice-bench from build/)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=$1
rounds=$2
shift 2
source bench/lib.sh

# thread_cpu PID: "background_ticks total_ticks": RocksDB's threads (named rocksdb:*) and all.
thread_cpu() {
  local background=0 total=0 tid comm ticks
  for tid in /proc/"$1"/task/*; do
    comm=$(cat "$tid/comm" 2>/dev/null || echo gone)
    ticks=$(awk '{print $14 + $15}' "$tid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
    [[ $comm == rocksdb:* ]] && background=$((background + ticks))
  done
  echo "$background $total"
}

measure() {  # measure BINARY DEDUP_WINDOW LABEL
  local dir="$work/$3" port
  port=$(free_port)
  write_sluice_config "$dir" "$port" fsync "dedup_window = \"$2\""
  start_sluice "$1" "$dir" "http://127.0.0.1:$port/health"
  local before after
  before=$(thread_cpu "$server")
  "build/sluice-bench" -u "http://127.0.0.1:$port" -w batch --batch-size 100 -c 64 -t 1 \
    --warmup 3s -d "${seconds}s" -q --json "$dir/report.json" >/dev/null
  after=$(thread_cpu "$server")
  kill "$server"
  wait "$server" 2>/dev/null || true
  local disk
  disk=$(du -sk "$dir/log" | cut -f1)
  python3 - "$3" "$dir/report.json" "$before" "$after" "$disk" "$seconds" <<'PY'
import json, os, sys
label, path, before, after, disk_kib, seconds = sys.argv[1:]
report = json.load(open(path))
b = [int(x) for x in before.split()]
a = [int(x) for x in after.split()]
tick = os.sysconf("SC_CLK_TCK")
background, total = (a[0] - b[0]) / tick, (a[1] - b[1]) / tick
rate = float(report["events_per_s"])
events = rate * (float(seconds) + 3)  # the CPU samples span the warm-up too
print(f"{label}: {rate:,.0f} events/s, {total / events * 1e6:.2f} us CPU per event, "
      f"background {background / total:.2f} of the server's CPU, "
      f"disk {int(disk_kib) / 1024 / (events / 1e6):.0f} MiB per million events")
PY
}

for round in $(seq "$rounds"); do
  for binary in "$@"; do
    for window in 0s 7d; do
      measure "$binary" "$window" "$(basename "$(dirname "$binary")")/$(basename "$binary") dedup=$window round $round"
    done
  done
done
