#!/usr/bin/env bash
# The cost of dedup: batch intake (100-event batches, durability fsync, 64 connections) into a
# server whose dedup index holds IDS ids (50M by default), beside the same binary with dedup
# off, in the same run. Reports events/s, the server's CPU per event and its peak RSS.
# The index is filled first by the same load with durability "wal" and storage.retention =
# "1s", so the log stays small while the index grows.
#   bench/dedup.sh [build dir] [ids] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
ids=${2:-50000000}
seconds=${3:-20}
source bench/lib.sh

# write_config DIR DURABILITY DEDUP_WINDOW
write_config() {
  write_sluice_config "$1" "$(free_port)" "$2" 'retention = "1s"' "dedup_window = \"$3\""
}

start_server() {  # start_server DIR: sets server and url
  url="http://$(awk -F'"' '/^listen/ {print $2; exit}' "$1/sluice.toml")"
  start_sluice "$build/sluice" "$1" "$url/health"
}

stop_server() {
  kill "$server"
  wait "$server" 2>/dev/null || true
}

# measure LABEL: batch load for $seconds after a 3 s warm-up; prints one result line.
measure() {
  local before after
  before=$(cpu_sample "$server")
  "$build/sluice-bench" -u "$url" -w batch --batch-size 100 -c 64 -t 1 --warmup 3s \
    -d "${seconds}s" -q --json "$work/$1.json" >/dev/null
  after=$(cpu_sample "$server")
  local rss
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
  python3 - "$1" "$work/$1.json" "$before" "$after" "$rss" "$seconds" <<'PY'
import json, sys
label, path, before, after, rss_kib, seconds = sys.argv[1:]
report = json.load(open(path))
b = [int(x) for x in before.split()]
a = [int(x) for x in after.split()]
cpu_s = (a[0] - b[0]) / a[2]
events_per_s = float(report["events_per_s"])
# The CPU samples span the warm-up too: weigh it by the measured rate.
events = events_per_s * ((a[1] - b[1]) / 1e9)
print(f"{label}: {events_per_s:,.0f} events/s, {cpu_s / events * 1e6:.2f} us CPU per event, "
      f"peak RSS {int(rss_kib) / 1024:.0f} MiB")
PY
}

on="$work/on"
write_config "$on" wal 7d
start_server "$on"
echo "filling the index with $ids ids..."
fill_start=$(date +%s)
"$build/sluice-bench" -u "$url" -w batch --batch-size 100 -c 64 -t 1 -n $((ids / 100)) \
  -d 3600s -q >/dev/null
echo "filled in $(( $(date +%s) - fill_start )) s; disk: $(du -sh "$on/log" | cut -f1)"
stop_server
sed -i 's/^durability = "wal"/durability = "fsync"/' "$on/sluice.toml"

off="$work/off"
write_config "$off" fsync 0s
start_server "$off"
measure "dedup off"
stop_server
start_server "$on"
measure "dedup on, $ids ids"
stop_server
echo "index on disk after the run: $(du -sh "$on/log" | cut -f1) (log and index)"
