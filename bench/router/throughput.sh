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

command -v wrk >/dev/null && command -v nginx >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light
}

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

python3 "$here/../wrk/make_payloads.py" "$work"

sink_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/logs/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_max_body_size 64m;
  client_body_buffer_size 1m;
  server {
    listen 127.0.0.1:$sink_port;
    location / { default_type application/json; return 200 '{}'; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)

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
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 &&
    curl -fsS "http://127.0.0.1:$sink_port/" >/dev/null 2>&1 && break
  sleep 0.1
done

metric() {  # metric NAME [DESTINATION]
  curl -fsS "http://127.0.0.1:$port/metrics" | awk -v name="$1" -v dest="$2" '
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
