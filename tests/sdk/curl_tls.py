#!/usr/bin/env python3
"""curl over https against a sluice TLS listener:

    curl_tls.py BUILD/sluice

Makes a CA and a certificate for localhost and 127.0.0.1, starts sluice with [server.tls] on
port 0 and checks, with the curl command line tool:
  - a track with `--cacert ca.pem` to https://localhost:PORT/v1/track: 200, over HTTP/1.1;
  - a gzip-encoded batch to /v1/batch: 200;
  - two requests in one curl run share one kept-alive TLS connection;
  - without --cacert, curl refuses the certificate (exit 60) and sends nothing;
  - with --cacert, a second server whose certificate names another host fails curl's host name
    verification (exit 60) and gets nothing.
Then stops the servers with SIGTERM and checks with `sluice log cat` that every accepted event
is stored once and nothing from the refused ones. Prints PASS or FAIL per check and
`N passed, N failed` last; exits 1 when a check failed. Talks only to its own loopback servers.
"""

import gzip
import json
import os
import secrets
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))

# pylint: disable=wrong-import-position
from sluice_process import WRITE_KEY, ServerError, SluiceServer  # noqa: E402
from tls_certificates import CertificateAuthority, CertificateError  # noqa: E402

SERVER_NAME = "localhost"
START_TIMEOUT_S = 15
STOP_TIMEOUT_S = 15
LOG_TIMEOUT_S = 30
CURL_TIMEOUT_S = 20
# curl's exit code for a certificate (chain or name) it could not verify.
CURLE_PEER_FAILED_VERIFICATION = 60


class Checks:
    """PASS/FAIL lines as the checks run, and the closing count."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""), flush=True)

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 and self.passed else 1


def curl(arguments):
    """Runs curl with arguments; returns (exit code, stdout, stderr). The environment's CA
    settings are dropped, so only --cacert (or the system's store) decides what is trusted."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")}
    result = subprocess.run(
        ["curl", "--silent", "--show-error", "--max-time", "10", *arguments],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
        env=environment, timeout=CURL_TIMEOUT_S, check=False)
    return result.returncode, result.stdout, result.stderr


def auth_and_json():
    return ["--user", f"{WRITE_KEY}:", "--header", "Content-Type: application/json"]


def answer(stdout):
    """(body, status, HTTP version) from stdout written with --write-out STATUS_FORMAT."""
    body, _, tail = stdout.rpartition("\n")
    status, _, version = tail.partition(" ")
    return body, status, version


STATUS_FORMAT = "\n%{http_code} %{http_version}"


def message(run, number, event):
    return {"userId": "curl-user", "event": event, "messageId": f"curl-{run}-{number}",
            "properties": {"number": number}}


def check_accepted(checks, name, code, stdout, stderr):
    """A 200 {"success":true}, over HTTP/1.1 chosen by ALPN (curl offers h2 and http/1.1; the
    server speaks only the latter). stderr is curl's --verbose trace."""
    body, status, version = answer(stdout)
    checks.check(name, code == 0 and status == "200" and body == '{"success":true}',
                 f"curl exit {code}, status {status}, body {body!r}\n{stderr[-2000:]}")
    alpn = [line for line in stderr.splitlines() if "ALPN" in line and "server" in line]
    checks.check(f"{name}: the server chose http/1.1 by ALPN",
                 version == "1.1" and any("http/1.1" in line for line in alpn),
                 f"http_version {version!r}, ALPN: {alpn}")


def send_accepted(checks, url, ca_file, work_dir, run):
    """The requests that must be stored; returns {messageId: event name}."""
    sent = {}
    track = message(run, 1, "Curl Track")
    code, stdout, stderr = curl(["--verbose", "--cacert", ca_file, *auth_and_json(),
                                 "--data-binary", json.dumps(track), "--write-out",
                                 STATUS_FORMAT, f"{url}/v1/track"])
    check_accepted(checks, "track with --cacert", code, stdout, stderr)
    sent[track["messageId"]] = track["event"]

    batch = [message(run, number, "Curl Batch") for number in (2, 3, 4)]
    batch_file = os.path.join(work_dir, "batch.json.gz")
    with open(batch_file, "wb") as file:
        file.write(gzip.compress(json.dumps({"batch": [{"type": "track", **item}
                                                       for item in batch]}).encode()))
    code, stdout, stderr = curl(["--verbose", "--cacert", ca_file, *auth_and_json(),
                                 "--header", "Content-Encoding: gzip", "--data-binary",
                                 f"@{batch_file}", "--write-out", STATUS_FORMAT,
                                 f"{url}/v1/batch"])
    check_accepted(checks, "gzip batch with --cacert", code, stdout, stderr)
    sent.update({item["messageId"]: item["event"] for item in batch})

    # --next starts a second request in the same curl run, which reuses the connection when the
    # server keeps it alive.
    first, second = message(run, 5, "Curl Keep-Alive"), message(run, 6, "Curl Keep-Alive")
    code, stdout, stderr = curl(
        ["--verbose", "--cacert", ca_file, *auth_and_json(), "--data-binary", json.dumps(first),
         f"{url}/v1/track", "--next", "--cacert", ca_file, *auth_and_json(),
         "--data-binary", json.dumps(second), f"{url}/v1/track"])
    checks.check("two requests in one curl run: both 200",
                 code == 0 and stdout.count('{"success":true}') == 2,
                 f"curl exit {code}, stdout {stdout!r}")
    checks.check("two requests in one curl run: one kept-alive TLS connection",
                 "Re-using existing connection" in stderr and stderr.count("SSL connection") == 1,
                 "curl -v did not reuse the connection:\n" + stderr[-2000:])
    sent.update({first["messageId"]: first["event"], second["messageId"]: second["event"]})
    return sent


def send_refused(checks, url, ca_file, other_url, run):
    """The requests curl must refuse to send; returns their messageIds."""
    untrusted = message(run, 7, "Curl Untrusted")
    code, _, stderr = curl([*auth_and_json(), "--data-binary", json.dumps(untrusted),
                            f"{url}/v1/track"])
    checks.check("without --cacert: curl exits 60 (certificate not trusted)",
                 code == CURLE_PEER_FAILED_VERIFICATION, f"curl exit {code}: {stderr.strip()}")

    wrong_name = message(run, 8, "Curl Wrong Name")
    code, _, stderr = curl(["--cacert", ca_file, *auth_and_json(), "--data-binary",
                            json.dumps(wrong_name), f"{other_url}/v1/track"])
    checks.check("certificate for another name: curl exits 60 (host name mismatch)",
                 code == CURLE_PEER_FAILED_VERIFICATION and "subject name" in stderr,
                 f"curl exit {code}: {stderr.strip()}")
    return [untrusted["messageId"], wrong_name["messageId"]]


def stored_by_message_id(server):
    stored = {}
    for line in server.stored_events_text(LOG_TIMEOUT_S).splitlines():
        if line.strip():
            event = json.loads(line)["event"]
            stored.setdefault(event.get("messageId"), []).append(event)
    return stored


def stop(checks, name, server):
    try:
        server.stop(STOP_TIMEOUT_S)
        checks.check(f"{name} exits 0 after SIGTERM", True)
    except ServerError as error:
        checks.check(f"{name} exits 0 after SIGTERM", False, str(error))


def run(checks, binary, work_dir):
    tls_dir = os.path.join(work_dir, "tls")
    os.mkdir(tls_dir)
    authority = CertificateAuthority(tls_dir)
    main_dir, other_dir = os.path.join(work_dir, "main"), os.path.join(work_dir, "other")
    os.mkdir(main_dir)
    os.mkdir(other_dir)
    server = SluiceServer(binary, main_dir,
                          authority.issue("server", [SERVER_NAME, "127.0.0.1"]))
    # Same CA, so the chain verifies and only the name is wrong.
    other = SluiceServer(binary, other_dir, authority.issue("other", ["other.example"]))
    run_id = secrets.token_hex(4)
    try:
        _, port = server.start(START_TIMEOUT_S)
        _, other_port = other.start(START_TIMEOUT_S)
        url = f"https://{SERVER_NAME}:{port}"
        sent = send_accepted(checks, url, authority.ca_file, work_dir, run_id)
        refused = send_refused(checks, url, authority.ca_file,
                               f"https://{SERVER_NAME}:{other_port}", run_id)
        stop(checks, "the server", server)
        stop(checks, "the server with the other name", other)
        stored = stored_by_message_id(server)
        stored.update(stored_by_message_id(other))
        for message_id, event in sent.items():
            copies = stored.get(message_id, [])
            checks.check(f"stored {message_id}",
                         len(copies) == 1 and copies[0].get("event") == event,
                         f"{len(copies)} stored: {copies}")
        for message_id in refused:
            checks.check(f"not stored {message_id}", message_id not in stored)
    except ServerError as error:
        checks.check("run", False, str(error))
    finally:
        server.kill()
        other.kill()


def main():
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="sluice-curl-tls-") as work_dir:
        try:
            run(checks, binary, work_dir)
        except (CertificateError, FileNotFoundError, subprocess.TimeoutExpired) as error:
            checks.check("run", False, str(error))
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
