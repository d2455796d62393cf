# Shared by the bench scripts (sourced, not run): temp work dir with cleanup of the processes
# started here (by PID), free loopback ports, readiness waits, and nginx as a reference server.

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

# Waits up to 10 s for URL to answer 2xx; exits the script when it never does.
wait_for() {
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  exit 1
}

# cpu_sample PID: "cpu_ticks wall_ns ticks_per_second": the process's CPU time so far (user +
# system) and the wall clock. Two samples give the cores it used in between.
cpu_sample() {
  echo "$(awk '{print $14 + $15}' "/proc/$1/stat") $(date +%s%N) $(getconf CLK_TCK)"
}

# write_sluice_config DIR PORT DURABILITY [STORAGE_LINE...]: DIR/sluice.toml for a server on
# 127.0.0.1:PORT with two IO threads, its log in DIR/log, warnings only, and the source "bench"
# (key bench_write_key); each STORAGE_LINE ("retention = \"1s\"") joins [storage]. Further
# tables ([admin], ...) may be appended to the file.
write_sluice_config() {
  local dir=$1 port=$2 durability=$3
  shift 3
  mkdir -p "$dir"
  {
    printf '[server]\nlisten = "127.0.0.1:%s"\nthreads = 2\n' "$port"
    printf '[storage]\npath = "%s/log"\ndurability = "%s"\n' "$dir" "$durability"
    local line
    for line in "$@"; do printf '%s\n' "$line"; done
    printf '[log]\nlevel = "warn"\n'
    printf '[[sources]]\nname = "bench"\nwrite_keys = ["bench_write_key"]\n'
  } >"$dir/sluice.toml"
}

# start_sluice BINARY DIR HEALTH_URL: BINARY on DIR/sluice.toml in the background (its output in
# DIR/sluice.log, stopped when the script exits), once HEALTH_URL answers. Sets server (its PID).
start_sluice() {
  "$1" --config "$2/sluice.toml" >>"$2/sluice.log" 2>&1 &
  server=$!
  pids+=("$server")
  wait_for "$3"
}

# Installs what the scripts run when it is missing.
need_tools() {
  local need=()
  command -v wrk >/dev/null || need+=(wrk)
  command -v nginx >/dev/null || need+=(nginx-light)
  [ -e /usr/lib/nginx/modules/ngx_http_echo_module.so ] || need+=(libnginx-mod-http-echo)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
}

# start_nginx MODE PORT [WORKERS]: nginx on 127.0.0.1:PORT with WORKERS worker processes (1 by
# default), in the background. MODE "200"
# answers every request at once; "log" reads each body and writes it to $work/nginx-log/
# logs/bodies.log (the naive collector).
start_nginx() {
  local mode=$1 port=$2 workers=${3:-1} dir="$work/nginx-$1"
  mkdir -p "$dir/logs"
  local module="" location="default_type application/json; return 200 '{\"success\":true}';"
  local logging="access_log off;"
  if [ "$mode" = log ]; then
    module="load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;"
    logging="log_format bodies escape=none '\$request_body'; access_log $dir/logs/bodies.log bodies;"
    location="default_type application/json; client_body_in_single_buffer on;
      echo_read_request_body; echo '{\"success\":true}';"
  fi
  cat >"$dir/nginx.conf" <<CONF
$module
worker_processes $workers;
error_log $dir/logs/error.log;
pid $dir/nginx.pid;
events { worker_connections 4096; }
http {
  $logging
  client_max_body_size 64m;
  client_body_buffer_size 1m;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port reuseport;
    location / { $location }
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
  pids+=($!)
  wait_for "http://127.0.0.1:$port/"
}
