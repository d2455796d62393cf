#!/usr/bin/env bash
# Loading a warehouse: a backlog of mixed events (track 70%, page 20%, identify 10%, as
# sluice-bench's batch workload makes them) loaded by the postgres destination, against
# PostgreSQL's own COPY of the same rows from files into tables of the same shape, in the same
# cluster and the same run. Both produce the same rows; the ratio is raw COPY's time over
# Sluice's.
#   bench/warehouse.sh [build dir] [events]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
events=${2:-1000000}
source bench/lib.sh
pgbin=/usr/lib/postgresql/15/bin
[ -x "$pgbin/initdb" ] || { echo "needs postgresql-15 (make deps-test installs it)" >&2; exit 1; }

# A throwaway cluster on a socket in the work dir, as the postgres user when run as root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg="$work/pg"
mkdir -p "$pg"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work" "$pg"
(cd / && as_pg "$pgbin/initdb" -D "$pg/data" -U sluice -A trust -E UTF8 --locale=C.UTF-8 >/dev/null)
(cd / && as_pg "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w \
  -o "-k $pg -c listen_addresses='' -p 5432" start >/dev/null)
# Stopped before the work dir goes (lib.sh's cleanup), so that no file is written while it is
# removed.
stop_pg() { (cd / && as_pg "$pgbin/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null 2>&1) || true; }
trap 'stop_pg; cleanup' EXIT
dsn="host=$pg port=5432 dbname=postgres user=sluice"
psql_q() { psql -X -q -t -A "$dsn" "$@"; }

port=$(free_port)
admin_port=$(free_port)
cat >"$work/sluice.toml" <<TOML
[server]
listen = "127.0.0.1:$port"
threads = 2
[storage]
path = "$work/log"
durability = "wal"
[log]
level = "warn"
[admin]
listen = "127.0.0.1:$admin_port"
token = "warehouse-bench-token-0123"
[[sources]]
name = "website"
write_keys = ["bench_write_key"]
[[destinations]]
name = "warehouse"
type = "postgres"
batch_max_wait = "1s"
[destinations.postgres]
dsn = "$dsn"
TOML
"$build/sluice" --config "$work/sluice.toml" >"$work/sluice.log" 2>&1 &
sluice=$!
pids+=("$sluice")
wait_for "http://127.0.0.1:$port/health"
admin() {
  curl -fsS -X POST -H "Authorization: Bearer warehouse-bench-token-0123" \
    "http://127.0.0.1:$admin_port/v1/destinations/warehouse/$1" >/dev/null
}
metric() {  # metric NAME: its value for the warehouse (or the log's)
  curl -fsS "http://127.0.0.1:$port/metrics" |
    awk -v name="$1" '$1 ~ "^"name"({|$)" && ($1 !~ /destination=/ || $1 ~ /"warehouse"/) {print $2}'
}

# The backlog, with the destination paused while it is written.
admin pause
"$build/sluice-bench" -u "http://127.0.0.1:$port" -w batch --batch-size 100 \
  --mix identify=10,track=70,page=20 -n $((events / 100)) -c 8 -t 1 -q >/dev/null
last=$(metric sluice_log_last_sequence)
echo "backlog: $last records"

start=$(date +%s%N)
admin resume
while :; do
  cursor=$(metric sluice_router_cursor)
  [ "${cursor%.*}" -ge "${last%.*}" ] && break
  sleep 0.2
done
sluice_ns=$(( $(date +%s%N) - start ))
kill "$sluice"
wait "$sluice" 2>/dev/null || true

# The same rows, written out and copied into tables of the same shape.
tables=$(psql_q -c "SELECT table_name FROM information_schema.tables WHERE table_schema = 'website'")
rows=0
mkdir -p "$work/copy"
chmod 777 "$work/copy"
copy_sql="$work/copy/load.sql"
echo "CREATE SCHEMA raw;" >"$copy_sql"
for table in $tables; do
  psql_q -c "\\copy website.\"$table\" TO '$work/copy/$table.tsv'"
  rows=$(( rows + $(psql_q -c "SELECT count(*) FROM website.\"$table\"") ))
  psql_q -c "CREATE TABLE IF NOT EXISTS public.\"shape_$table\" (LIKE website.\"$table\" INCLUDING ALL)"
  echo "CREATE TABLE raw.\"$table\" (LIKE public.\"shape_$table\" INCLUDING ALL);" >>"$copy_sql"
  echo "\\copy raw.\"$table\" FROM '$work/copy/$table.tsv'" >>"$copy_sql"
done
start=$(date +%s%N)
psql -X -q -1 "$dsn" -f "$copy_sql"
copy_ns=$(( $(date +%s%N) - start ))

python3 - "$events" "$rows" "$sluice_ns" "$copy_ns" <<'PY'
import sys
events, rows, sluice_ns, copy_ns = (int(x) for x in sys.argv[1:])
print(f"{events} events -> {rows} rows")
print(f"sluice: {sluice_ns / 1e9:.1f} s, {events / (sluice_ns / 1e9):.0f} events/s, "
      f"{rows / (sluice_ns / 1e9):.0f} rows/s")
print(f"raw COPY of the same rows: {copy_ns / 1e9:.1f} s, {rows / (copy_ns / 1e9):.0f} rows/s")
print(f"ratio (raw COPY time / sluice time): {copy_ns / sluice_ns:.2f}")
PY
