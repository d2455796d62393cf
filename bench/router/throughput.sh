#!/usr/bin/env bash
# Router throughput next to intake: wrk posts 100-event batches to Sluice at full speed for
# DURATION while two destinations deliver: a webhook to a local nginx answering 200 and the file
# destination. Prints the intake rate, how far each destination was behind when the load
# stopped, and each destination's rate from the start of the load until it had everything.
# A router that keeps up ends the load a few batches behind and drains at once. Loopback only;
# bounded by DURATION plus DRAIN_LIMIT seconds.
#   bench/router/throughput.sh [build/sluice]
set -euo pipefail

binary=$(realpath "${1:-build/sluice}")
here=$(cd "$(dirname "$0")" && pwd)
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
DURABILITY=${DURABILITY:-fsync}
DRAIN_LIMIT=${DRAIN_LIMIT:-120}

source "$here/../lib.sh"
need_tools
python3 "$here/../wrk/make_payloads.py" "$work"
sink_port=$(free_port)
start_nginx 200 "$sink_port"

port=$(free_port)
cat >"$work/sluice.toml" <<CONF
[server]
listen = "127.0.0.1:$port"
[storage]
path = "$work/log"
durability = "$DURABILITY"
[log]
level = "warn"
[[sources]]
name = "bench"
write_keys = ["bench_write_key"]
[[destinations]]
name = "hook"
type = "webhook"
[destinations.webhook]
url = "http://127.0.0.1:$sink_port/collect"
[[destinations]]
name = "files"
type = "file"
[destinations.file]
path = "$work/out"
CONF
"$binary" --config "$work/sluice.toml" &
sluice_pid=$!
pids+=($sluice_pid)
wait_for "http://127.0.0.1:$port/health"

metric() {  # metric NAME [DESTINATION]
  local name=$1 destination=${2:-}
  curl -fsS "http://127.0.0.1:$port/metrics" | awk -v name="$name" -v dest="$destination" '
    $1 ~ "^" name "({|$)" && (dest == "" || index($1, "destination=\"" dest "\"")) {
      printf "%d", $2; exit }'
}

now() { date +%s.%N; }

started=$(now)
BODY="$work/batch100.json" wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" \
  -s "$here/../wrk/post.lua" "http://127.0.0.1:$port/v1/batch" >"$work/wrk.out"
load_ended=$(now)
stored=$(metric sluice_log_last_sequence)
declare -A behind drained
for destination in hook files; do
  behind[$destination]=$((stored - $(metric sluice_router_cursor "$destination")))
done
for destination in hook files; do
  deadline=$(($(date +%s) + DRAIN_LIMIT))
  while [ "$(metric sluice_router_cursor "$destination")" -lt "$stored" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "$destination did not drain" >&2; break; }
    sleep 0.05
  done
  drained[$destination]=$(now)
done

intake_seconds=$(awk -v a="$started" -v b="$load_ended" 'BEGIN {print b - a}')
echo "date: $(date -u +%F), nproc: $(nproc), durability: $DURABILITY, $CONNECTIONS connections"
printf '%-14s %12s %14s %12s\n' what events events/s behind_at_end
printf '%-14s %12d %14.0f %12s\n' intake "$stored" \
  "$(awk -v n="$stored" -v s="$intake_seconds" 'BEGIN {print n / s}')" -
for destination in hook files; do
  seconds=$(awk -v a="$started" -v b="${drained[$destination]}" 'BEGIN {print b - a}')
  printf '%-14s %12d %14.0f %12d\n' "router:$destination" "$stored" \
    "$(awk -v n="$stored" -v s="$seconds" 'BEGIN {print n / s}')" "${behind[$destination]}"
done
echo "sluice peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$sluice_pid/status)"
