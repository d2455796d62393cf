#!/usr/bin/env python3
"""Turns bench/compare.sh's raw runs into its table and the targets of the bench issue, prints
them, and rewrites the section of bench/RESULTS.md between the compare.sh markers."""

import datetime
import json
import os
import platform
import statistics
import sys

(results_path, efficiency_path, one_path, open_path, half_rate, rss_wal_kb, rss_fsync_kb,
 fsync_probe_path, idle_path, metrics_before_path, metrics_after_path, open_cpu_path,
 open_nginx_path, duration, runs, results_md, commit, threads) = sys.argv[1:19]

EVENTS = {"track": 1, "batch": 100}
TARGETS = ["nginx-200", "nginx-log", "sluice-wal", "sluice-fsync"]
BEGIN = "<!-- compare.sh: begin (this section is rewritten by bench/compare.sh) -->"
END = "<!-- compare.sh: end -->"

samples = {}
for line in open(results_path):
    target, workload, connections, rps, p99, p50 = line.split("\t")
    samples.setdefault((target, workload, int(connections)), []).append(
        (float(rps), float(p99), float(p50)))


def median(key, index):
    return statistics.median(s[index] for s in samples[key])


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def histogram_buckets(path, name):
    """{upper bound: cumulative count} of a Prometheus histogram without labels."""
    buckets = {}
    for line in open(path):
        if line.startswith(name + "_bucket{le="):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[float(bound)] = float(line.rsplit(" ", 1)[1])
    return buckets


def quantile_bound(before, after, q):
    """The upper bound of the bucket holding quantile q of what was observed in between."""
    delta = sorted((bound, after[bound] - before.get(bound, 0)) for bound in after)
    total = delta[-1][1] if delta else 0
    for bound, count in delta:
        if total and count >= q * total:
            return bound, int(total)
    return float("nan"), int(total)


levels = sorted({c for (_, _, c) in samples})
rows = []
for workload in ("track", "batch"):
    for connections in levels:
        reference = median(("nginx-200", workload, connections), 0)
        log_reference = median(("nginx-log", workload, connections), 0)
        for target in TARGETS:
            key = (target, workload, connections)
            rps = median(key, 0)
            ratio_200 = f"{rps / reference:.2f}" if target != "nginx-200" else ""
            ratio_log = f"{rps / log_reference:.2f}" if target.startswith("sluice") else ""
            rows.append((workload, connections, target, rps, rps * EVENTS[workload],
                         median(key, 1), ratio_200, ratio_log))

table = ["| workload | conns | target | requests/s | events/s | p99 ms | ÷ nginx-200 | ÷ nginx-log |",
         "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
for workload, connections, target, rps, eps, p99, r200, rlog in rows:
    table.append(f"| {workload} | {connections} | {target} | {rps:,.0f} | {eps:,.0f} | {p99:.2f} "
                 f"| {r200} | {rlog} |")

# sluice-bench rps, wrk rps, body bytes: one line per run against nginx-200.
efficiency_runs = [line.split("\t") for line in open(efficiency_path) if line.strip()]
efficiency_ratio = statistics.median(float(b) / float(w) for b, w, _ in efficiency_runs)
efficiency_body = int(statistics.median(int(size) for _, _, size in efficiency_runs))
one = json.load(open(one_path))
open_loop = json.load(open(open_path))
fsync_probe = json.load(open(fsync_probe_path))
idle = json.load(open(idle_path))
commit_before = histogram_buckets(metrics_before_path, "sluice_commit_latency_seconds")
commit_after = histogram_buckets(metrics_after_path, "sluice_commit_latency_seconds")
commit_p50, commits = quantile_bound(commit_before, commit_after, 0.5)
commit_p99, _ = quantile_bound(commit_before, commit_after, 0.99)
open_nginx = json.load(open(open_nginx_path))
# the server's CPU ticks, the wall clock in ns and ticks a second, before and after the open
# loop (lib.sh's cpu_sample)
(ticks_0, wall_0, hz), (ticks_1, wall_1, _) = (
    map(int, line.split()) for line in open(open_cpu_path) if line.strip())
open_server_cores = (ticks_1 - ticks_0) / hz / max(1e-9, (wall_1 - wall_0) / 1e9)
open_server_us = open_server_cores / max(1.0, open_loop["requests_per_s"]) * 1e6
open_client_cores = open_loop["generator_cpu_cores"]


def at64(target, workload):
    return median((target, workload, 64), 0) if (target, workload, 64) in samples else float("nan")


checks = [
    ("track, 64 conns: Sluice fsync ÷ nginx-200 (requests/s)",
     at64("sluice-fsync", "track") / at64("nginx-200", "track"), ">= 0.50"),
    ("batch, 64 conns: Sluice fsync ÷ nginx-log (events/s)",
     at64("sluice-fsync", "batch") / at64("nginx-log", "batch"), ">= 0.80"),
    ("track, 64 conns: fsync ÷ wal", at64("sluice-fsync", "track") / at64("sluice-wal", "track"),
     ">= 0.80"),
    ("batch, 64 conns: fsync ÷ wal", at64("sluice-fsync", "batch") / at64("sluice-wal", "batch"),
     ">= 0.80"),
    ("track, 1 conn, fsync: p50 ms (sluice-bench)", one["latency_us"]["p50"] / 1000, "<= 0.5"),
    (f"open loop at {int(half_rate):,} req/s (half the track max), fsync: p99 ms",
     open_loop["latency_us"]["p99"] / 1000, "<= 5"),
    ("server peak RSS, MiB (fsync instance; wal instance)",
     max(int(rss_fsync_kb), int(rss_wal_kb)) / 1024, "<= 256"),
    (f"sluice-bench ÷ wrk on nginx-200, track, 64 conns, {efficiency_body}-byte bodies both",
     efficiency_ratio, ">= 0.90"),
    (f"{idle['connections']:,} idle keep-alive connections: added RSS, MiB",
     idle["added_mib"], "<= 200"),
]


def met(value, bound):
    op, limit = bound.split()
    return value >= float(limit) if op == ">=" else value <= float(limit)


targets = ["| figure | value | target | met |", "| --- | ---: | --- | --- |"]
for name, value, bound in checks:
    targets.append(f"| {name} | {value:.2f} | {bound} | {'yes' if met(value, bound) else 'no'} |")
open_unsent = open_loop.get("unsent", 0)

now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
section = "\n".join([
    BEGIN,
    "## Intake against nginx (`bench/compare.sh`)",
    "",
    f"- Date: {now}; `nproc` {os.cpu_count()}; CPU \"{cpu_model()}\"; Release build at commit "
    f"{commit}.",
    f"- Command: `bench/compare.sh` (wrk, {duration} s per run, median of {runs} runs; 2 wrk "
    f"threads, 1 for 1 connection; nginx with {threads} workers and Sluice with {threads} IO "
    "threads, so that the reference has the same share of the machine). "
    "Client and servers share the cores.",
    "- Bodies (`bench/wrk/make_payloads.py`): a 491-byte track event (642 bytes with "
    "wrk's request line and headers); a 100-event `/v1/batch` (51 KB). nginx-log reads each body and writes it to its access log "
    "(`log_format escape=none '$request_body'`, `client_body_in_single_buffer on`), checked to contain them.",
    f"- Open loop: sluice-bench `-r {int(half_rate)}` on 64 connections; {open_unsent} requests "
    "unsent.",
    f"- This disk's fdatasync after a 4 KiB append (`bench/fsync_probe.py`): p50 "
    f"{fsync_probe['p50_us'] / 1000:.2f} ms, p99 {fsync_probe['p99_us'] / 1000:.2f} ms: the floor "
    "under every fsync-mode latency.",
    f"- During the open loop the server committed {commits:,} groups; its commit latency "
    f"(write + fdatasync, `sluice_commit_latency_seconds`): p50 ≤ {commit_p50 * 1000:g} ms, "
    f"p99 ≤ {commit_p99 * 1000:g} ms (bucket bounds). A request waits for the commit in "
    "progress and then its own.",
    f"- During the open loop the server used {open_server_cores:.2f} of the {os.cpu_count()} "
    f"cores ({open_server_us:.0f} µs of CPU a request) and sluice-bench "
    f"{open_client_cores:.2f} (pacing {open_loop['pacing_us']} µs). The same schedule against "
    f"nginx-200: p99 {open_nginx['latency_us']['p99'] / 1000:.2f} ms.",
    f"- Idle connections (`bench/idle_connections.py`, a fresh fsync server): "
    f"{idle['added_kib_per_connection']:.1f} KiB a connection.",
    f"- sluice-bench efficiency: median of {len(efficiency_runs)} alternating runs, wrk sending "
    "the track event padded to sluice-bench's mean body size.",
    "",
    *table,
    "",
    *targets,
    END,
])
print("\n".join(table))
print()
print("\n".join(targets))

text = open(results_md).read()
if BEGIN in text and END in text:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    text = head + section + tail
else:
    text = text.rstrip("\n") + "\n\n" + section + "\n"
open(results_md, "w").write(text)
