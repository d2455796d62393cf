#!/usr/bin/env bash
# Starts the given sluice binary on a free loopback port with a temporary log, runs an
# external black-box protocol suite against it, and stops it. The suite is an extra check kept
# outside the repository (../shared/conformance next to it, or $SLUICE_CONFORMANCE_DIR); without
# it this script says so and succeeds. The project's own cases are tests/conformance, run by ctest.
set -euo pipefail

binary=$(realpath "${1:-build/sluice}")
root=$(cd "$(dirname "$0")/.." && pwd)
suite="${SLUICE_CONFORMANCE_DIR:-$root/../shared/conformance}"
if [ ! -f "$suite/run.py" ]; then
  echo "skipped: external conformance suite not found at $suite"
  exit 0
fi

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server"
    wait "$server" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/sluice.toml" <<CONF
[server]
listen = "127.0.0.1:$port"
trust_forwarded_for = false

[storage]
path = "$work/log"
durability = "fsync"

[[sources]]
name = "website"
write_keys = ["test_write_key"]
CONF

"$binary" --config "$work/sluice.toml" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done

status=0
python3 "$suite/run.py" --base "http://127.0.0.1:$port" \
  --log-cmd "$binary log cat --config $work/sluice.toml" || status=$?

kill "$server"
if ! wait "$server"; then
  echo "sluice did not exit cleanly on SIGTERM" >&2
  cat "$work/server.log" >&2
  status=1
fi
server=""
exit $status
