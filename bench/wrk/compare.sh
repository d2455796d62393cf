#!/usr/bin/env bash
# First intake figures: wrk at 64 connections against nginx answering `return 200` (the
# plain-HTTP ceiling of this machine) and against Sluice, for single-event /v1/track and
# 100-event /v1/batch, in one run. Loopback only; every run is bounded by DURATION.
#   bench/wrk/compare.sh [build/sluice]
set -euo pipefail

binary=$(realpath "${1:-build/sluice}")
here=$(cd "$(dirname "$0")" && pwd)
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
DURABILITY=${DURABILITY:-fsync}

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

python3 "$here/make_payloads.py" "$work"

nginx_port=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/logs/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_max_body_size 2m;
  client_body_buffer_size 1m;
  server {
    listen 127.0.0.1:$nginx_port reuseport;
    location / { default_type application/json; return 200 '{"success":true}'; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)

sluice_port=$(free_port)
cat >"$work/sluice.toml" <<CONF
[server]
listen = "127.0.0.1:$sluice_port"
[storage]
path = "$work/log"
durability = "$DURABILITY"
[log]
level = "warn"
[[sources]]
name = "bench"
write_keys = ["bench_write_key"]
CONF
"$binary" --config "$work/sluice.toml" &
sluice_pid=$!
pids+=($sluice_pid)
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$sluice_port/health" >/dev/null 2>&1 &&
    curl -fsS "http://127.0.0.1:$nginx_port/" >/dev/null 2>&1 && break
  sleep 0.1
done

# Prints "requests/s p99" for one wrk run.
measure() {
  local url=$1 body=$2
  BODY="$body" wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency \
    -s "$here/post.lua" "$url" >"$work/wrk.out"
  local rps p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
  errors=$(awk '/Non-2xx/ {print $5}' "$work/wrk.out")
  echo "$rps $p99 ${errors:-0}"
}

printf '%-8s %-7s %12s %12s %10s %8s\n' target workload requests/s events/s p99 non2xx
for workload in track batch; do
  if [ "$workload" = track ]; then
    body="$work/track.json" path=/v1/track events=1
  else
    body="$work/batch100.json" path=/v1/batch events=100
  fi
  for target in nginx sluice; do
    port=$nginx_port
    [ "$target" = sluice ] && port=$sluice_port
    read -r rps p99 errors < <(measure "http://127.0.0.1:$port$path" "$body")
    printf '%-8s %-7s %12s %12.0f %10s %8s\n' "$target" "$workload" "$rps" \
      "$(awk -v r="$rps" -v e="$events" 'BEGIN {print r * e}')" "$p99" "$errors"
  done
done
echo "sluice peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$sluice_pid/status)"
echo "events stored: $(curl -fsS "http://127.0.0.1:$sluice_port/metrics" |
  awk '/^sluice_log_last_sequence/ {printf "%d", $2}')"
