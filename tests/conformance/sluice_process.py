"""A sluice server started for the run: its config in a temporary directory, a free loopback
port chosen by the server itself (port 0), and the port read back from its start-up line. With a
certificate, the port serves TLS only ([server.tls])."""

import os
import re
import signal
import subprocess
import threading

WRITE_KEY = "test_write_key"

# server/main.cpp: "sluice <version> listening on <host>:<port> (log ..., ...)"
_LISTENING = re.compile(r"sluice \S+ listening on (\S+):(\d+) \(")

_CONFIG = """\
[server]
listen = "127.0.0.1:0"
trust_forwarded_for = false

[storage]
path = "{log_dir}"
durability = "fsync"

[[sources]]
name = "website"
write_keys = ["{write_key}"]
"""

_TLS_CONFIG = """
[server.tls]
cert_file = "{cert_file}"
key_file = "{key_file}"
min_version = "1.2"
"""


class ServerError(Exception):
    """The server could not be started, queried or stopped as expected."""


class SluiceServer:
    """Owns the server process from start() to stop(); work_dir (and the certificate's files)
    must outlive it. certificate: a tls_certificates.ServerCertificate, or None for plaintext."""

    def __init__(self, binary, work_dir, certificate=None):
        self.binary = binary
        self.config_path = os.path.join(work_dir, "sluice.toml")
        text = _CONFIG.format(log_dir=os.path.join(work_dir, "log"), write_key=WRITE_KEY)
        if certificate is not None:
            text += _TLS_CONFIG.format(cert_file=certificate.cert_file,
                                       key_file=certificate.key_file)
        with open(self.config_path, "w", encoding="utf-8") as config:
            config.write(text)
        self.process = None
        self.output = []  # every line the server printed, for failure reports
        self._listening = threading.Event()
        self.host = None
        self.port = None

    def start(self, timeout_s):
        """Starts the server and waits for its "listening on" line. Raises ServerError."""
        self.process = subprocess.Popen(
            [self.binary, "--config", self.config_path], stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        # A thread drains the output so the server never blocks on a full pipe.
        threading.Thread(target=self._read_output, daemon=True).start()
        self._listening.wait(timeout_s)
        if self.port is None:
            exited = self.process.poll()
            self.kill()
            what = (f"exited with status {exited} before it listened" if exited is not None
                    else f"printed no 'listening on' line within {timeout_s:.0f} s")
            raise ServerError(f"the server {what}:\n" + self.output_tail())
        return self.host, self.port

    def _read_output(self):
        for line in self.process.stdout:
            self.output.append(line.rstrip("\n"))
            match = _LISTENING.search(line)
            if match and not self._listening.is_set():
                self.host, self.port = match.group(1), int(match.group(2))
                self._listening.set()
        self._listening.set()  # the output ended: start() need not wait any longer

    def output_tail(self, lines=20):
        return "\n".join(self.output[-lines:])

    def stored_events_text(self, timeout_s):
        """What `sluice log cat --config FILE` prints. Raises ServerError."""
        try:
            result = subprocess.run(
                [self.binary, "log", "cat", "--config", self.config_path],
                stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as error:
            raise ServerError(f"log cat did not finish within {timeout_s:.0f} s") from error
        if result.returncode != 0:
            raise ServerError(f"log cat exited {result.returncode}: {result.stderr.strip()}")
        return result.stdout

    def stop(self, timeout_s):
        """SIGTERM, then waits. Raises ServerError unless the server exits 0 in time."""
        if self.process is None or self.process.poll() is not None:
            code = None if self.process is None else self.process.returncode
            raise ServerError(f"the server was not running at the end (exit status {code})")
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout_s)
        except subprocess.TimeoutExpired as error:
            self.kill()
            raise ServerError(f"the server did not exit within {timeout_s:.0f} s of SIGTERM") \
                from error
        if code != 0:
            raise ServerError(f"the server exited {code} after SIGTERM:\n" + self.output_tail())

    def kill(self):
        """Ends the server at once (failure paths only)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
