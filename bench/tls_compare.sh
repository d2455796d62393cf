#!/usr/bin/env bash
# What HTTPS costs at intake: one Sluice with [server.tls] and a plaintext listener beside it
# (server.listen_plain), the same wrk load on each in alternating runs, keep-alive (the
# handshake is paid once per connection, as SDKs pay it).
#   bench/tls_compare.sh [build dir] [rounds] [seconds]
# Prints requests/s of each run and the ratio of medians (HTTPS / plaintext).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${2:-3}
seconds=${3:-8}
source bench/lib.sh
need_tools

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
python3 bench/wrk/make_payloads.py "$work"
tls_port=$(free_port)
plain_port=$(free_port)
ops_port=$(free_port)
cat >"$work/sluice.toml" <<TOML
[server]
listen = "127.0.0.1:$tls_port"
listen_plain = "127.0.0.1:$plain_port"
threads = 2
[server.tls]
cert_file = "$work/cert.pem"
key_file = "$work/key.pem"
[ops]
listen = "127.0.0.1:$ops_port"
[storage]
path = "$work/log"
durability = "wal"
[log]
level = "warn"
[[sources]]
name = "bench"
write_keys = ["bench_write_key"]
TOML
"$build/sluice" --config "$work/sluice.toml" >"$work/sluice.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$ops_port/health"

run() {  # run URL -> requests/s
  BODY="$work/track.json" wrk -t 1 -c 32 -d "${seconds}s" -s bench/wrk/post.lua "$1/v1/track" |
    awk '/^Requests\/sec/ {printf "%.0f\n", $2}'
}

plain=(); tls=()
for round in $(seq "$rounds"); do
  plain+=("$(run "http://127.0.0.1:$plain_port")")
  tls+=("$(run "https://127.0.0.1:$tls_port")")
  echo "round $round: plaintext ${plain[-1]} req/s, HTTPS ${tls[-1]} req/s"
done
python3 - "${plain[*]}" "${tls[*]}" <<'PY'
import statistics, sys
plain = [float(x) for x in sys.argv[1].split()]
tls = [float(x) for x in sys.argv[2].split()]
print(f"median: plaintext {statistics.median(plain):.0f} req/s, HTTPS {statistics.median(tls):.0f} "
      f"req/s, ratio {statistics.median(tls) / statistics.median(plain):.3f}")
PY
