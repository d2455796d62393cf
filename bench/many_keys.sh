#!/usr/bin/env bash
# Intake with one source and one write key against intake with 10,000 sources (one key each),
# same load, alternating runs: the cost of a large key registry on the request path.
#   bench/many_keys.sh [build dir] [rounds]
# sluice-bench sends /v1/track with the last key of the big registry, so a lookup that grew
# with the number of keys would show. Prints requests/s of each run and the ratio of medians.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${2:-3}
source bench/lib.sh

write_config() {  # write_config FILE PORT SOURCES LOG_DIR
  python3 - "$@" <<'PY'
import sys
path, port, count, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with open(path, "w") as out:
    out.write(f'[server]\nlisten = "127.0.0.1:{port}"\nthreads = 2\n')
    out.write(f'[storage]\npath = "{log}"\ndurability = "wal"\n[log]\nlevel = "warn"\n')
    for i in range(count - 1):
        out.write(f'[[sources]]\nname = "source-{i}"\nwrite_keys = ["key-{i:05d}-padding-to-32-chars"]\n')
    out.write('[[sources]]\nname = "bench"\nwrite_keys = ["bench_write_key"]\n')
PY
}

run_once() {  # run_once SOURCES -> requests/s
  local port dir
  port=$(free_port)
  dir=$(mktemp -d -p "$work")
  write_config "$dir/sluice.toml" "$port" "$1" "$dir/log"
  "$build/sluice" --config "$dir/sluice.toml" >"$dir/out.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_for "http://127.0.0.1:$port/health"
  "$build/sluice-bench" -u "http://127.0.0.1:$port" -c 32 -t 1 -d 8s --warmup 2s -q \
    --json "$dir/summary.json" >/dev/null
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["requests_per_s"]))' \
    "$dir/summary.json"
}

one=(); many=()
for round in $(seq "$rounds"); do
  one+=("$(run_once 1)")
  many+=("$(run_once 10000)")
  echo "round $round: 1 key ${one[-1]} req/s, 10,000 keys ${many[-1]} req/s"
done
python3 - "${one[*]}" "${many[*]}" <<'PY'
import statistics, sys
one = [float(x) for x in sys.argv[1].split()]
many = [float(x) for x in sys.argv[2].split()]
print(f"median: 1 key {statistics.median(one):.0f} req/s, 10,000 keys "
      f"{statistics.median(many):.0f} req/s, ratio {statistics.median(many) / statistics.median(one):.3f}")
PY
