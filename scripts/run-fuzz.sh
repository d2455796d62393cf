#!/usr/bin/env bash
# Runs every fuzz target of a fuzz build (cmake -DSLUICE_FUZZ=ON) for a bounded time, two at a
# time, each from its seed corpus in fuzz/corpus/<target>. That corpus also holds every input
# that once crashed a target, so each run replays them first. New inputs go to a scratch
# directory; a crashing input is kept in <build>/fuzz-artifacts/ and the script fails.
#
#   scripts/run-fuzz.sh [build-dir] [seconds-per-target]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-build-asan}")
seconds="${2:-60}"
targets=(ingest pixel body_decoder config answer webhook)
artifacts="$build/fuzz-artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$artifacts"

run_target() {
  local target=$1
  mkdir -p "$scratch/$target"
  "$build/fuzz/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="$root/fuzz/json.dict" -artifact_prefix="$artifacts/$target-" -print_final_stats=1 \
    "$scratch/$target" "$root/fuzz/corpus/$target" >"$scratch/$target.log" 2>&1
}

status=0
pids=()
names=()
# Waits for the running targets and reports each with its execution count.
collect() {
  local i
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      echo "PASS ${names[$i]}"
    else
      echo "FAIL ${names[$i]}"
      tail -30 "$scratch/${names[$i]}.log"
      status=1
    fi
    grep -E '^stat::number_of_executed_units' "$scratch/${names[$i]}.log" |
      sed "s/^/  ${names[$i]} /" || true
  done
  pids=()
  names=()
}

for target in "${targets[@]}"; do
  run_target "$target" &
  pids+=($!)
  names+=("$target")
  if [ "${#pids[@]}" -eq 2 ]; then collect; fi  # two at a time: one per core
done
collect
exit $status
