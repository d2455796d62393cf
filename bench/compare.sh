#!/usr/bin/env bash
# The whole intake comparison in one run (about 10 minutes with the defaults): for `track`
# (one 491-byte event a request) and 100-event `batch` (51 KB) at 1, 16, 64 and 256
# connections, wrk against
#   nginx-200   nginx answering `return 200` (the plain-HTTP ceiling of this machine)
#   nginx-log   nginx writing every request body to its access log (the naive collector)
#   sluice-wal  Sluice with durability = "wal"
#   sluice-fsync Sluice with durability = "fsync" (the default)
# Medians of RUNS runs. Then sluice-bench against nginx-200 next to wrk (the harness's own
# efficiency), the 1-connection p50, the open-loop p99 at half the measured track maximum (with
# the CPU the server and sluice-bench used, and nginx-200 on the same schedule), the disk's
# fdatasync latency, and the memory 10,000 idle keep-alive connections add.
# Prints one table and rewrites the section of bench/RESULTS.md between its compare.sh markers.
# Loopback only; every run is bounded by DURATION.
#   bench/compare.sh            (builds Release into build/ first; SKIP_BUILD=1 to skip)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
here="$root/bench"
build=${BUILD_DIR:-$root/build}
DURATION=${DURATION:-4}
RUNS=${RUNS:-3}
CONNECTION_LEVELS=${CONNECTION_LEVELS:-"1 16 64 256"}
# Sluice's IO threads, and as many nginx workers: the reference gets the same share of the
# machine as Sluice.
THREADS=${THREADS:-$(nproc)}
echo "compare.sh: Sluice with $THREADS IO threads, nginx with $THREADS workers" >&2

if [ "${SKIP_BUILD:-0}" != 1 ]; then make -C "$root" build >/dev/null; fi
source "$here/lib.sh"
need_tools
python3 "$here/wrk/make_payloads.py" "$work"

start_sluice() {  # start_sluice NAME DURABILITY PORT; sets sluice_pid
  local name=$1 durability=$2 port=$3
  cat >"$work/sluice-$name.toml" <<CONF
[server]
listen = "127.0.0.1:$port"
threads = $THREADS
[storage]
path = "$work/log-$name"
durability = "$durability"
# wrk sends the same bodies, messageIds included, again and again: with dedup on, all but the
# first would be acknowledged as duplicates and never stored. The cost of dedup is measured
# apart, with unique ids (dedup.sh, storage_cpu.sh).
dedup_window = "0s"
[log]
level = "warn"
[[sources]]
name = "bench"
write_keys = ["bench_write_key"]
CONF
  "$build/sluice" --config "$work/sluice-$name.toml" &
  sluice_pid=$!
  pids+=($sluice_pid)
  wait_for "http://127.0.0.1:$port/health"
}

declare -A port
port[nginx-200]=$(free_port)
port[nginx-log]=$(free_port)
port[sluice-wal]=$(free_port)
port[sluice-fsync]=$(free_port)
start_nginx 200 "${port[nginx-200]}" "$THREADS"
start_nginx log "${port[nginx-log]}" "$THREADS"
start_sluice wal wal "${port[sluice-wal]}"
wal_pid=$sluice_pid
start_sluice fsync fsync "${port[sluice-fsync]}"
fsync_pid=$sluice_pid

results="$work/results.tsv"  # target workload connections rps p99_ms p50_ms
# Microseconds from wrk's latency text (e.g. 812.00us, 3.27ms, 1.02s).
to_ms='function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
  if (v ~ /s$/) return v * 1000; return v }'
measure() {  # measure TARGET WORKLOAD CONNECTIONS
  local target=$1 workload=$2 connections=$3 body path threads=2
  if [ "$workload" = track ]; then body="$work/track.json" path=/v1/track; else
    body="$work/batch100.json" path=/v1/batch; fi
  [ "$connections" -lt 2 ] && threads=1
  for run in $(seq "$RUNS"); do
    BODY="$body" wrk -t "$threads" -c "$connections" -d "${DURATION}s" --latency \
      -s "$here/wrk/post.lua" "http://127.0.0.1:${port[$target]}$path" >"$work/wrk.out"
    if grep -q "Non-2xx" "$work/wrk.out"; then
      echo "$target $workload $connections: non-2xx answers" >&2
      cat "$work/wrk.out" >&2
    fi
    awk -v t="$target" -v w="$workload" -v c="$connections" "$to_ms"'
      /^Requests\/sec/ {rps = $2} $1 == "99%" {p99 = ms($2)} $1 == "50%" {p50 = ms($2)}
      END {printf "%s\t%s\t%s\t%s\t%.3f\t%.3f\n", t, w, c, rps, p99, p50}' \
      "$work/wrk.out" >>"$results"
  done
}

for workload in track batch; do
  for connections in $CONNECTION_LEVELS; do
    for target in nginx-200 nginx-log sluice-wal sluice-fsync; do
      echo "measuring $target $workload $connections connections" >&2
      measure "$target" "$workload" "$connections"
    done
  done
done
grep -q '"messageId"' "$work/nginx-log/logs/bodies.log" ||
  { echo "nginx-log wrote no bodies: its figures are not the reference" >&2; exit 1; }

# The harness against wrk on the plain-HTTP ceiling, same connections and threads, and
# requests of the same size: wrk sends the track event padded to sluice-bench's mean body.
# Alternating, RUNS times; the report takes the median ratio.
efficiency="$work/efficiency.tsv"  # sluice-bench rps, wrk rps, body bytes
for run in $(seq "$RUNS"); do
  "$build/sluice-bench" -q -u "http://127.0.0.1:${port[nginx-200]}" -c 64 -t 2 \
    -d "${DURATION}s" --json "$work/efficiency.json" >/dev/null
  read -r bench_rps body_bytes < <(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
# wire bytes less sluice-bench'"'"'s request line and headers (176 bytes for track, measured)
print(r["requests_per_s"], int(r["bytes_sent"] / max(1, r["requests"])) - 176)' \
    "$work/efficiency.json")
  python3 "$here/wrk/make_payloads.py" "$work" "$body_bytes"
  wrk_rps=$(BODY="$work/track-sized.json" wrk -t 2 -c 64 -d "${DURATION}s" \
    -s "$here/wrk/post.lua" "http://127.0.0.1:${port[nginx-200]}/v1/track" |
    awk '/^Requests\/sec/ {print $2}')
  printf '%s\t%s\t%s\n' "$bench_rps" "$wrk_rps" "$body_bytes" >>"$efficiency"
done
# 1 connection p50, and the open loop at half the closed-loop track maximum, both with fsync.
one_connection="$work/one.json"
"$build/sluice-bench" -q -u "http://127.0.0.1:${port[sluice-fsync]}" -c 1 -t 1 \
  -d "${DURATION}s" --json "$one_connection" >/dev/null
max_track=$(awk -F'\t' '$1 == "sluice-fsync" && $2 == "track" {print $4}' "$results" | sort -g |
  tail -1)
half_rate=$(awk -v m="$max_track" 'BEGIN {printf "%d", m / 2}')
open_loop="$work/open.json"
# The server's own commit latency (write + fdatasync) over the same run, from its metrics, and
# its CPU: the tail of an open loop follows how much of the machine is left.
curl -sf "http://127.0.0.1:${port[sluice-fsync]}/metrics" >"$work/metrics-before.txt"
open_cpu="$work/open-cpu.txt"  # two cpu_sample lines of the server, before and after
cpu_sample "$fsync_pid" >"$open_cpu"
"$build/sluice-bench" -q -u "http://127.0.0.1:${port[sluice-fsync]}" -c 64 -t 2 \
  -r "$half_rate" -d "${DURATION}s" --json "$open_loop" >/dev/null
cpu_sample "$fsync_pid" >>"$open_cpu"
curl -sf "http://127.0.0.1:${port[sluice-fsync]}/metrics" >"$work/metrics-after.txt"
# The same schedule against nginx-200: the tail of this machine's HTTP path at that rate.
open_nginx="$work/open-nginx.json"
"$build/sluice-bench" -q -u "http://127.0.0.1:${port[nginx-200]}" -c 64 -t 2 \
  -r "$half_rate" -d "${DURATION}s" --json "$open_nginx" >/dev/null

rss_wal=$(awk '/VmHWM/ {print $2}' "/proc/$wal_pid/status")
rss_fsync=$(awk '/VmHWM/ {print $2}' "/proc/$fsync_pid/status")

# The floor under fsync-mode latency: one fdatasync on the disk the logs are on.
fsync_probe="$work/fsync-probe.json"
python3 "$here/fsync_probe.py" "$work" >"$fsync_probe"

# 10,000 idle keep-alive connections on a fresh server, each after one request.
port[sluice-idle]=$(free_port)
start_sluice idle fsync "${port[sluice-idle]}"
idle="$work/idle.json"
python3 "$here/idle_connections.py" --port "${port[sluice-idle]}" --pid "$sluice_pid" \
  --connections "${IDLE_CONNECTIONS:-10000}" --json "$idle" >/dev/null

python3 "$here/compare_report.py" "$results" "$efficiency" "$one_connection" "$open_loop" \
  "$half_rate" "$rss_wal" "$rss_fsync" "$fsync_probe" "$idle" "$work/metrics-before.txt" \
  "$work/metrics-after.txt" "$open_cpu" "$open_nginx" "$DURATION" "$RUNS" \
  "$root/bench/RESULTS.md" "$(git -C "$root" rev-parse --short HEAD)" "$THREADS"
