#!/usr/bin/env python3
"""`promtool check metrics` finds nothing to complain about in sluice's /metrics.

    metrics_lint_test.py BUILD/sluice [--promtool PATH]

Starts sluice (with an ops listener when the binary supports `[ops]`) with a file destination
and a webhook destination whose port is closed, and makes every kind of series appear:
accepted, rejected and refused events, SDK telemetry, commits, deliveries, a failed attempt
and a dead letter. Once /metrics shows them, its text goes to promtool on stdin, which checks
names, units, `_total` suffixes and help text. Exits 0 when promtool is silent and exits 0.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from monitored_sluice import MonitoredSluice, ServerError, http_request

START_TIMEOUT_S = 30
SERIES_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15
PROMTOOL_TIMEOUT_S = 30
POLL_INTERVAL_S = 0.25

_DESTINATIONS = """
[[destinations]]
name = "archive"
type = "file"
batch_max_wait = "0ms"
[destinations.file]
path = "{out_dir}"

[[destinations]]
name = "unreachable"
type = "webhook"
batch_max_wait = "0ms"
max_attempts = 1
[destinations.webhook]
url = "http://127.0.0.1:{closed_port}/events"
timeout = "2s"
"""

# Series that exist only after something happened; the lint would not see their families
# before. Each is (series name, a label matcher that must be in the same line).
_AFTER_TRAFFIC = [
    ("sluice_router_delivered_events_total", 'destination="archive"'),
    ("sluice_router_failed_attempts_total", 'destination="unreachable"'),
    ("sluice_router_dead_lettered_events_total", 'destination="unreachable"'),
    ("sluice_router_delivery_latency_seconds_count", 'destination="archive"'),
]


class CheckFailed(Exception):
    """A check of the test failed; the message says which and what was seen."""


def closed_loopback_port():
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_traffic(sluice):
    """Requests that move every intake counter: accepted, rejected, refused, telemetry."""
    status, answer = sluice.post_json("/v1/track", {"userId": "u1", "event": "Signed Up"})
    if status != 200:
        raise CheckFailed(f"/v1/track answered {status} {answer}")
    status, answer = sluice.post_json(
        "/v1/batch", {"batch": [{"type": "identify", "userId": "u1"},
                                {"type": "track", "userId": "u1"}]})
    if status != 200 or len(answer.get("rejected", [])) != 1:
        raise CheckFailed(f"/v1/batch with one invalid message answered {status} {answer}")
    status, _ = http_request(*sluice.tracking, "POST", "/v1/track", body=b"{",
                             headers={"Content-Type": "application/json"})
    if status != 400:
        raise CheckFailed(f"a request without a write key answered {status}, expected 400")
    status, answer = sluice.post_json("/v1/m", {"series": []})
    if status != 200:
        raise CheckFailed(f"/v1/m answered {status} {answer}")


def wait_for_series(sluice):
    """Polls /metrics until every series of _AFTER_TRAFFIC is there; returns the text."""
    deadline = time.monotonic() + SERIES_TIMEOUT_S
    while True:
        text = sluice.metrics_text()
        missing = [name for name, labels in _AFTER_TRAFFIC
                   if not any(line.startswith(name + "{") and labels in line
                              for line in text.splitlines())]
        if not missing:
            return text
        if time.monotonic() >= deadline:
            raise CheckFailed(f"after {SERIES_TIMEOUT_S} s /metrics still lacks {missing}")
        time.sleep(POLL_INTERVAL_S)


def lint(promtool, exposition):
    result = subprocess.run([promtool, "check", "metrics"], input=exposition,
                            capture_output=True, text=True, timeout=PROMTOOL_TIMEOUT_S,
                            check=False)
    findings = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or findings:
        raise CheckFailed(f"promtool check metrics exited {result.returncode}:\n{findings}")
    families = sum(1 for line in exposition.splitlines() if line.startswith("# TYPE "))
    print(f"promtool check metrics: clean ({families} metric families)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("sluice", help="the sluice binary")
    parser.add_argument("--promtool", default=shutil.which("promtool"),
                        help="the promtool binary (default: from PATH)")
    args = parser.parse_args()
    if not args.promtool:
        print("FAIL: promtool is not installed (make deps-test installs it with prometheus)")
        return 1

    with tempfile.TemporaryDirectory(prefix="sluice-metrics-lint-") as work_dir:
        sluice = None
        passed = False
        try:
            destinations = _DESTINATIONS.format(out_dir=os.path.join(work_dir, "out"),
                                                closed_port=closed_loopback_port())
            sluice = MonitoredSluice(args.sluice, work_dir, destinations)
            sluice.start(START_TIMEOUT_S)
            print(f"reading /metrics on {sluice.describe_metrics_port()}")
            make_traffic(sluice)
            lint(args.promtool, wait_for_series(sluice))
            passed = True
        except (CheckFailed, ServerError, OSError, subprocess.TimeoutExpired) as error:
            print(f"FAIL: {error}")
            if sluice is not None:
                print("sluice output:\n" + sluice.output_tail())
        finally:
            if sluice is not None:
                passed = sluice.finish(passed, STOP_TIMEOUT_S)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
