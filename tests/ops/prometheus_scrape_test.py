#!/usr/bin/env python3
"""A real Prometheus scrapes a running sluice, and its queries see what the server accepted.

    prometheus_scrape_test.py BUILD/sluice [--prometheus PATH]

Starts sluice (with an ops listener when the binary supports `[ops]`) and Prometheus, both on
loopback ports and in a temporary directory. Once Prometheus has scraped the server, sends a
mix of batches (one with an invalid message) and single tracks, then polls Prometheus's HTTP
API until `sum(sluice_events_received_total)` equals the events the server acknowledged, per
type as well, and until the p99 commit latency over the last scrapes is a finite number.
Every wait has a deadline; both processes are stopped by PID at the end, also on failure.
Exits 0 when every check passed, 1 otherwise.
"""

import argparse
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from monitored_sluice import MonitoredSluice, ServerError, http_request

START_TIMEOUT_S = 30
SCRAPE_TIMEOUT_S = 30
RESULT_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15
POLL_INTERVAL_S = 0.25

BATCH_SIZES = (40, 7)
SINGLE_TRACKS = 5

# Prometheus refuses a scrape timeout longer than the interval, so both are set.
_PROMETHEUS_CONFIG = """\
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: sluice
    metrics_path: /metrics
    static_configs:
      - targets: ["{target}"]
"""

COMMIT_P99 = ("histogram_quantile(0.99, "
              "sum by (le) (rate(sluice_commit_latency_seconds_bucket[1m])))")


class CheckFailed(Exception):
    """A check of the test failed; the message says which and what was seen."""


def free_loopback_port():
    """A port that was free a moment ago; the caller retries if someone takes it meanwhile."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrometheusProcess:
    """Owns one Prometheus process from start() to stop(); work_dir must outlive it."""

    def __init__(self, binary, work_dir, target):
        self.binary = binary
        self.work_dir = work_dir
        self.config_path = os.path.join(work_dir, "prometheus.yml")
        with open(self.config_path, "w", encoding="utf-8") as config:
            config.write(_PROMETHEUS_CONFIG.format(target=target))
        self.log_path = os.path.join(work_dir, "prometheus.log")
        self.process = None
        self.port = None

    def start(self, timeout_s):
        """Starts Prometheus and waits until it is ready; one retry if its port was taken."""
        for attempt in (1, 2):
            self.port = free_loopback_port()
            self._spawn()
            if self._wait_ready(time.monotonic() + timeout_s):
                return
            self.stop()
            if attempt == 1 and "address already in use" in self.log_tail():
                continue
            raise CheckFailed(f"Prometheus was not ready within {timeout_s} s on port "
                              f"{self.port}:\n{self.log_tail()}")

    def _spawn(self):
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [self.binary, f"--config.file={self.config_path}",
                 f"--storage.tsdb.path={os.path.join(self.work_dir, 'tsdb')}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)

    def _wait_ready(self, deadline):
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                status, _ = http_request("127.0.0.1", self.port, "GET", "/-/ready")
                if status == 200:
                    return True
            except OSError:
                pass  # not listening yet
            time.sleep(POLL_INTERVAL_S)
        return False

    def query(self, expression):
        """An instant query; returns the result vector (a list of {metric, value})."""
        url = (f"http://127.0.0.1:{self.port}/api/v1/query?"
               + urllib.parse.urlencode({"query": expression}))
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            raise CheckFailed(f"query {expression!r} answered {error.code}: "
                              f"{error.read().decode(errors='replace')}") from error
        if answer.get("status") != "success" or answer["data"]["resultType"] != "vector":
            raise CheckFailed(f"query {expression!r} answered {answer}")
        return answer["data"]["result"]

    def poll(self, expression, accept, timeout_s):
        """Queries until accept(result vector) is true; returns the last vector, or raises
        CheckFailed with it when the deadline passes."""
        deadline = time.monotonic() + timeout_s
        while True:
            result = self.query(expression)
            if accept(result):
                return result
            if time.monotonic() >= deadline:
                raise CheckFailed(f"after {timeout_s} s, {expression} is still {result}")
            time.sleep(POLL_INTERVAL_S)

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        """SIGTERM, then SIGKILL if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def single_value(result):
    """The value of a one-element result vector, or None when it is empty."""
    if len(result) != 1:
        return None
    return float(result[0]["value"][1])


def send_events(sluice):
    """Sends the batches and tracks; returns the acknowledged events counted by type."""
    acknowledged = {}

    def count(event_type, events):
        acknowledged[event_type] = acknowledged.get(event_type, 0) + events

    for number, size in enumerate(BATCH_SIZES):
        batch = [{"type": "identify", "userId": f"user-{i}", "traits": {"batch": number}}
                 if i % 4 == 0 else
                 {"type": "track", "userId": f"user-{i}", "event": "Product Viewed",
                  "properties": {"batch": number, "item": i}}
                 for i in range(size)]
        # An invalid message (a track without an event name) is rejected and not counted.
        batch.append({"type": "track", "userId": "user-x"})
        status, answer = sluice.post_json("/v1/batch", {"batch": batch})
        if status != 200 or not isinstance(answer, dict) or answer.get("success") is not True:
            raise CheckFailed(f"/v1/batch answered {status} {answer}")
        rejected = {entry["index"] for entry in answer.get("rejected", [])}
        if rejected != {len(batch) - 1}:
            raise CheckFailed(f"/v1/batch rejected {sorted(rejected)}, expected only the "
                              f"last message: {answer}")
        for index, message in enumerate(batch):
            if index not in rejected:
                count(message["type"], 1)
    for i in range(SINGLE_TRACKS):
        status, answer = sluice.post_json(
            "/v1/track", {"userId": f"single-{i}", "event": "Order Completed"})
        if status != 200 or answer != {"success": True}:
            raise CheckFailed(f"/v1/track answered {status} {answer}")
        count("track", 1)
    return acknowledged


def check_tracking_port_hides_metrics(sluice):
    """With an ops listener, public traffic on the tracking port cannot read /metrics."""
    status, _ = http_request(*sluice.tracking, "GET", "/metrics")
    if status != 404:
        raise CheckFailed(f"GET /metrics on the tracking port answered {status} although the "
                          "ops listener serves it; expected 404")


def run_checks(sluice, prometheus):
    prometheus.poll('up{job="sluice"}', lambda result: single_value(result) == 1.0,
                    SCRAPE_TIMEOUT_S)
    print(f"Prometheus scraped sluice on {sluice.describe_metrics_port()}")
    if sluice.has_ops_listener:
        check_tracking_port_hides_metrics(sluice)

    # Sent after the first scrape, so the commit histogram grows between two scrapes and its
    # rate is not zero (a quantile of zero rates is NaN).
    acknowledged = send_events(sluice)
    expected_total = sum(acknowledged.values())
    print(f"sluice acknowledged {expected_total} events: {acknowledged}")

    total = prometheus.poll("sum(sluice_events_received_total)",
                            lambda result: single_value(result) == expected_total,
                            RESULT_TIMEOUT_S)
    print(f"sum(sluice_events_received_total) = {single_value(total):g}")

    by_type = prometheus.query(
        'sum by (type) (sluice_events_received_total{source="website"}) > 0')
    seen = {sample["metric"]["type"]: float(sample["value"][1]) for sample in by_type}
    if seen != {event_type: float(n) for event_type, n in acknowledged.items()}:
        raise CheckFailed(f"received events by type are {seen}, expected {acknowledged}")

    p99 = prometheus.poll(COMMIT_P99,
                          lambda result: single_value(result) is not None
                          and math.isfinite(single_value(result)),
                          RESULT_TIMEOUT_S)
    value = single_value(p99)
    if not 0 < value <= 1:
        raise CheckFailed(f"{COMMIT_P99} = {value}, expected within the buckets (0, 1] s")
    print(f"p99 commit latency = {value:g} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("sluice", help="the sluice binary")
    parser.add_argument("--prometheus", default=shutil.which("prometheus"),
                        help="the prometheus binary (default: from PATH)")
    args = parser.parse_args()
    if not args.prometheus:
        print("FAIL: prometheus is not installed (make deps-test installs it)")
        return 1

    with tempfile.TemporaryDirectory(prefix="sluice-prometheus-") as work_dir:
        sluice = None
        prometheus = None
        passed = False
        try:
            sluice_dir = os.path.join(work_dir, "sluice")
            os.mkdir(sluice_dir)
            sluice = MonitoredSluice(args.sluice, sluice_dir)
            sluice.start(START_TIMEOUT_S)
            prometheus_dir = os.path.join(work_dir, "prometheus")
            os.mkdir(prometheus_dir)
            prometheus = PrometheusProcess(args.prometheus, prometheus_dir,
                                           f"{sluice.metrics[0]}:{sluice.metrics[1]}")
            prometheus.start(START_TIMEOUT_S)
            run_checks(sluice, prometheus)
            passed = True
        except (CheckFailed, ServerError, OSError) as error:
            print(f"FAIL: {error}")
            if prometheus is not None:
                print("Prometheus log:\n" + prometheus.log_tail())
            if sluice is not None:
                print("sluice output:\n" + sluice.output_tail())
        finally:
            if prometheus is not None:
                prometheus.stop()
            if sluice is not None:
                passed = sluice.finish(passed, STOP_TIMEOUT_S)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
