"""A running sluice seen the way an operator's monitoring sees it: where its /metrics is served,
and plain HTTP to its ports.

The server is the conformance runner's SluiceServer (tests/conformance/sluice_process.py), which
writes a base config (source `website`, write key WRITE_KEY, port 0, a log in the work
directory) and reads the tracking port from the start-up line. This module appends the
sections a test asks for and, when the binary knows the `[ops]` section, an ops listener on
port 0, so /metrics is read where production reads it: on the ops port when there is one,
otherwise on the tracking port.
"""

import http.client
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))

from sluice_process import ServerError, SluiceServer, WRITE_KEY  # noqa: E402  (path set above)

__all__ = ["MonitoredSluice", "ServerError", "WRITE_KEY", "http_request"]

_OPS_SECTION = '\n[ops]\nlisten = "127.0.0.1:0"\n'
# The ops listener's start-up line: "ops API listening on <host>:<port>".
_OPS_LISTENING = re.compile(r"ops API listening on (\S+):(\d+)")
_CHECK_CONFIG_TIMEOUT_S = 30
_REQUEST_TIMEOUT_S = 10


def http_request(host, port, method, path, body=None, headers=None):
    """One request on a new connection; returns (status, body bytes). Raises OSError."""
    connection = http.client.HTTPConnection(host, port, timeout=_REQUEST_TIMEOUT_S)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class MonitoredSluice:
    """Owns one sluice process from start() to finish(); work_dir must outlive it.

    Not thread-safe: one test drives it."""

    def __init__(self, binary, work_dir, extra_config=""):
        self.server = SluiceServer(binary, work_dir)
        with open(self.server.config_path, "a", encoding="utf-8") as config:
            config.write(extra_config)
        self.has_ops_listener = self._ops_section_accepted(binary)
        if self.has_ops_listener:
            with open(self.server.config_path, "a", encoding="utf-8") as config:
                config.write(_OPS_SECTION)
        self.tracking = None  # (host, port)
        self.metrics = None  # (host, port) of the listener serving /metrics

    def _ops_section_accepted(self, binary):
        """Whether `sluice check-config` accepts this config with an [ops] section added.

        The check runs on the full config, so an error unrelated to [ops] shows up here rather
        than as a silent fall-back to the tracking port."""
        with open(self.server.config_path, encoding="utf-8") as config:
            base = config.read()
        probe_path = self.server.config_path + ".ops-probe.toml"
        verdicts = {}
        try:
            for name, text in (("base", base), ("with [ops]", base + _OPS_SECTION)):
                with open(probe_path, "w", encoding="utf-8") as probe:
                    probe.write(text)
                verdicts[name] = subprocess.run(
                    [binary, "check-config", probe_path], stdin=subprocess.DEVNULL,
                    capture_output=True, text=True, errors="replace",
                    timeout=_CHECK_CONFIG_TIMEOUT_S, check=False)
        finally:
            if os.path.exists(probe_path):
                os.remove(probe_path)
        if verdicts["base"].returncode != 0:
            raise ServerError("check-config refused the test's config:\n"
                              + verdicts["base"].stdout + verdicts["base"].stderr)
        return verdicts["with [ops]"].returncode == 0

    def start(self, timeout_s):
        """Starts the server and waits for every listener it should open. Raises ServerError."""
        deadline = time.monotonic() + timeout_s
        self.tracking = self.server.start(timeout_s)
        if not self.has_ops_listener:
            self.metrics = self.tracking
            return
        while time.monotonic() < deadline:
            for line in list(self.server.output):
                match = _OPS_LISTENING.search(line)
                if match:
                    self.metrics = (match.group(1), int(match.group(2)))
                    return
            if self.server.process.poll() is not None:
                break
            time.sleep(0.05)
        self.server.kill()
        raise ServerError("the config has [ops] but the server printed no 'ops API listening "
                          "on' line:\n" + self.server.output_tail())

    def post_json(self, path, document):
        """POSTs a JSON document with the test write key; returns (status, decoded answer)."""
        status, body = http_request(
            *self.tracking, "POST", path, body=json.dumps(document).encode(),
            headers={"Content-Type": "application/json", "X-Write-Key": WRITE_KEY})
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode(errors="replace")

    def metrics_text(self):
        """GET /metrics where it is served; raises ServerError unless the answer is 200."""
        status, body = http_request(*self.metrics, "GET", "/metrics")
        if status != 200:
            raise ServerError(f"GET /metrics on port {self.metrics[1]} answered {status}")
        return body.decode()

    def describe_metrics_port(self):
        which = "the ops listener" if self.has_ops_listener else "the tracking port"
        return f"{which} ({self.metrics[0]}:{self.metrics[1]})"

    def finish(self, passed, timeout_s):
        """Ends the server at the end of a test: after passing checks it must still exit 0 on
        SIGTERM within timeout_s; after a failure it is killed. Returns whether the test
        passed, printing why not when the stop failed."""
        if not passed:
            self.server.kill()
            return False
        try:
            self.server.stop(timeout_s)
            return True
        except ServerError as error:
            print(f"FAIL: {error}")
            return False

    def output_tail(self):
        return self.server.output_tail()
