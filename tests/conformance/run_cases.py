#!/usr/bin/env python3
"""Runs the Tracking API conformance cases against a sluice binary.

    run_cases.py BUILD/sluice [--tls] [--cases FILE ...] [--only ID,...] [--list] [--verbose]

Starts the binary on 127.0.0.1 port 0 with a config and log in a temporary directory, sends
every case's request, reads the stored events once with `sluice log cat`, checks answers and
events, and stops the server with SIGTERM. Prints `PASS id` or `FAIL id: reason` per case and
`N passed, N failed` last; exits 1 when a case failed or the server did not exit 0.
The whole run stays within two minutes and talks only to the loopback server it started.

With --tls the server gets [server.tls] with a certificate for localhost and 127.0.0.1 from a
CA made for the run, and every case goes over TLS, verified against that CA as "localhost".
"""

import argparse
import fnmatch
import os
import secrets
import signal
import ssl
import sys
import tempfile
import time

from case_format import fill_placeholders, load_cases, replace_marker, CaseError
from event_log import StoredEvents, misses_expected_event, selection_failures, sent_times
from expectations import check_response
from sluice_process import ServerError, SluiceServer
from tls_certificates import CertificateAuthority, CertificateError
from wire import Connection, Endpoint, ExchangeError, exchange, exchange_pipelined, \
    exchange_raw, raw_body, render_request

RUN_LIMIT_S = 120
START_TIMEOUT_S = 15
LOG_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15
# Kept free at the end of the run for reading the log and stopping the server.
RESERVED_S = 20
DEFAULT_READ_IDLE_S = 1.5
HEALTH_TIMEOUT_S = 5
# The name clients verify the server's certificate against (and send as SNI).
TLS_SERVER_NAME = "localhost"


class RunLimitReached(Exception):
    """The backstop alarm: the run took longer than it may."""


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self, reserve=0.0):
        return self.end - reserve - time.monotonic()


class CaseRun:
    """One case's definition (placeholders filled in) and what happened when it was sent."""

    def __init__(self, case, definition):
        self.case = case
        self.definition = definition
        self.failures = [case.error] if case.error else []
        self.window_ms = None  # (before sending, after the last answer), wall clock
        self.sent_bodies = []  # the JSON bodies as sent, for skew checks
        self.finished = False  # answers and stored events both checked
        self.skipped = None  # why the case is not run over this transport

    @property
    def ran(self):
        return self.window_ms is not None


def wall_ms():
    return time.time() * 1000.0


def health_check(endpoint, deadline_s):
    """GET /health on a new connection; returns (ok, the client address the server saw)."""
    rendered = render_request({"method": "GET", "path": "/health"}, endpoint.authority)
    try:
        response, local = exchange(endpoint, rendered, "GET", time.monotonic() + deadline_s)
    except ExchangeError as error:
        return False, str(error)
    return response.status == 200, local


def tls_problems(endpoint, deadline_s):
    """What is wrong with the TLS listener itself: it must offer TLS 1.2 or later and choose
    http/1.1 by ALPN (the only protocol it speaks)."""
    try:
        connection = Connection(endpoint, time.monotonic() + deadline_s)
    except ExchangeError as error:
        return [f"FAIL tls: {error}"]
    try:
        version, alpn = connection.tls_details()
    finally:
        connection.close()
    problems = []
    if version not in ("TLSv1.2", "TLSv1.3"):
        problems.append(f"FAIL tls: negotiated {version}, expected TLSv1.2 or TLSv1.3")
    if alpn != "http/1.1":
        problems.append(f"FAIL tls: ALPN chose {alpn!r}, expected 'http/1.1'")
    return problems


def send_request_case(run, endpoint, deadline):
    definition = run.definition
    host_port = endpoint.authority
    expect = definition.get("expect", {})
    count = definition.get("pipeline")
    specs = ([replace_marker(definition["request"], "{n}", str(n)) for n in range(count)]
             if count else [definition["request"]])
    rendered = [render_request(spec, host_port) for spec in specs]
    run.sent_bodies = [item.sent_json for item in rendered if item.sent_json is not None]
    methods = [spec.get("method", "POST") for spec in specs]
    if count:
        responses = exchange_pipelined(endpoint, rendered, methods, deadline)
    else:
        responses = [exchange(endpoint, rendered[0], methods[0], deadline)[0]]
    for number, response in enumerate(responses):
        prefix = f"response {number}: " if count else ""
        run.failures += [prefix + failure for failure in check_response(expect, response)]


def send_raw_case(run, endpoint, deadline):
    raw = run.definition["raw"]
    expect = run.definition.get("expect", {})
    body = raw_body(raw["parts"], endpoint.authority)
    responses, closed = exchange_raw(endpoint, body, raw.get("shutdown_write", False),
                                     raw.get("read_idle", DEFAULT_READ_IDLE_S), deadline)
    if "max_responses" in expect and len(responses) > expect["max_responses"]:
        run.failures.append(f"{len(responses)} responses, at most {expect['max_responses']}")
    if not responses:
        if not (expect.get("close_ok") and closed):
            run.failures.append("no response" + (" (connection closed)" if closed else ""))
        return
    # The first answer is the server's verdict on the bytes; later ones are counted above.
    run.failures += check_response(expect, responses[0], raw=True)


def execute(run, endpoint, run_deadline):
    """Sends the case's request(s) and checks the answers; stored events are checked later."""
    if run.failures or run.skipped:
        return  # a malformed case is not sent, nor one that does not apply
    case_seconds = min(run.case.timeout, run_deadline.left(RESERVED_S))
    if case_seconds <= 0:
        run.failures.append(f"not run: the {RUN_LIMIT_S} s limit of the whole run was reached")
        return
    deadline = time.monotonic() + case_seconds
    started = wall_ms()
    try:
        if "raw" in run.definition:
            send_raw_case(run, endpoint, deadline)
        else:
            send_request_case(run, endpoint, deadline)
    except ExchangeError as error:
        if not (error.closed_silently and run.definition.get("expect", {}).get("close_ok")):
            run.failures.append(str(error))
    except CaseError as error:
        run.failures.append(f"case error: {error}")
    except (OSError, ValueError, TypeError, KeyError) as error:
        # A value the format allows but that cannot be sent (bad hex, say), or a socket error
        # outside the exchange's own handling: this case fails, the run goes on.
        run.failures.append(f"could not run the exchange: {error!r}")
    run.window_ms = (started, wall_ms())
    if run.definition.get("then_health"):
        healthy, detail = health_check(endpoint, HEALTH_TIMEOUT_S)
        if not healthy:
            run.failures.append(f"GET /health afterwards failed: {detail}")


def check_events(run, stored):
    times = {}
    for body in run.sent_bodies:
        times.update(sent_times(body))
    for selection in run.definition.get("events", []):
        run.failures += selection_failures(selection, stored, run.window_ms, times)
    run.finished = True


def read_stored_events(server, runs, run_deadline, verbose):
    """The log once; once more if an event that must be there is missing."""
    def read():
        seconds = max(5.0, min(LOG_TIMEOUT_S, run_deadline.left(STOP_TIMEOUT_S)))
        return StoredEvents(server.stored_events_text(seconds))

    stored = read()
    wanted = [selection for run in runs if run.ran and not run.failures
              for selection in run.definition.get("events", [])]
    if any(misses_expected_event(selection, stored) for selection in wanted):
        if verbose:
            print("an expected event is missing; reading the log again", file=sys.stderr)
        time.sleep(0.5)
        stored = read()
    return stored


def parse_arguments():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", help="the sluice executable to test")
    parser.add_argument("--cases", nargs="+", default=[os.path.join(here, "cases.jsonl")],
                        help="case files (default: cases.jsonl next to this script)")
    parser.add_argument("--only", help="comma-separated ids or shell patterns to run")
    parser.add_argument("--list", action="store_true", help="list the selected cases and exit")
    parser.add_argument("--verbose", action="store_true", help="progress on stderr")
    parser.add_argument("--tls", action="store_true",
                        help="serve TLS with a certificate from a CA made for the run and send "
                             "every case over TLS")
    return parser.parse_args()


def selected(cases, only):
    if not only:
        return cases
    patterns = [pattern.strip() for pattern in only.split(",") if pattern.strip()]
    return [case for case in cases
            if any(fnmatch.fnmatchcase(case.id, pattern) for pattern in patterns)]


def report(runs, problems):
    passed = skipped = 0
    for run in runs:
        if run.failures:
            print(f"FAIL {run.case.id}: " + "; ".join(run.failures))
        elif run.skipped:
            skipped += 1
            print(f"SKIP {run.case.id}: {run.skipped}")
        else:
            passed += 1
            print(f"PASS {run.case.id}")
    for problem in problems:
        print(problem)
    failed = len(runs) - passed - skipped
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 0 if failed == 0 and not problems else 1


def client_tls_context(ca_file):
    """What a careful client does: verify the chain against the test CA and the name, offer
    http/1.1 by ALPN, accept nothing older than TLS 1.2."""
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return context


def make_server(arguments, work_dir):
    """The server for the run and the client context to reach it (None: plaintext)."""
    binary = os.path.abspath(arguments.binary)
    if not arguments.tls:
        return SluiceServer(binary, work_dir), None
    tls_dir = os.path.join(work_dir, "tls")
    os.mkdir(tls_dir)
    authority = CertificateAuthority(tls_dir)
    certificate = authority.issue("server", [TLS_SERVER_NAME, "127.0.0.1"])
    return SluiceServer(binary, work_dir, certificate), client_tls_context(authority.ca_file)


def run_all(arguments, cases, work_dir, run_deadline):
    runs = []
    try:
        server, tls_context = make_server(arguments, work_dir)
    except CertificateError as error:
        return report([], [f"FAIL certificates: {error}"])
    try:
        host, port = server.start(START_TIMEOUT_S)
        endpoint = Endpoint(host, port, tls_context, TLS_SERVER_NAME if tls_context else None)
        healthy, client_ip = health_check(endpoint, HEALTH_TIMEOUT_S)
        if not healthy:
            raise ServerError(f"GET /health failed: {client_ip}")
        problems = tls_problems(endpoint, HEALTH_TIMEOUT_S) if tls_context else []
        values = {"run": secrets.token_hex(4), "host": endpoint.authority,
                  "client_ip": client_ip}
        runs = [CaseRun(case, fill_placeholders(case.definition, values)) for case in cases]
        for run in runs:
            if tls_context and "skip_tls" in run.definition:
                run.skipped = "not over TLS: " + run.definition["skip_tls"]
            execute(run, endpoint, run_deadline)
            if arguments.verbose:
                print(f"{run.case.id}: {'skipped' if run.skipped else 'sent'}",
                      file=sys.stderr)
        stored = read_stored_events(server, runs, run_deadline, arguments.verbose)
        for run in runs:
            if run.ran:
                check_events(run, stored)
            else:
                run.finished = True
        server.stop(STOP_TIMEOUT_S)
        return report(runs, problems)
    except (ServerError, RunLimitReached) as error:
        server.kill()
        if not runs:
            runs = [CaseRun(case, case.definition) for case in cases]
        for run in runs:
            if not run.finished and not run.failures and not run.skipped:
                run.failures.append("not finished" if run.ran else "not run")
        return report(runs, [f"FAIL server: {error}"])


def main():
    arguments = parse_arguments()
    cases = selected(load_cases(arguments.cases), arguments.only)
    if arguments.list:
        for case in cases:
            print(f"{case.id}\t{case.definition.get('desc', '')}")
        return 0
    if not os.access(arguments.binary, os.X_OK):
        print(f"not an executable: {arguments.binary}", file=sys.stderr)
        return 2
    run_deadline = Deadline(RUN_LIMIT_S)

    def backstop(signum, frame):
        raise RunLimitReached(f"the run took longer than {RUN_LIMIT_S} s")

    signal.signal(signal.SIGALRM, backstop)
    signal.alarm(RUN_LIMIT_S)
    try:
        with tempfile.TemporaryDirectory(prefix="sluice-conformance-") as work_dir:
            return run_all(arguments, cases, work_dir, run_deadline)
    finally:
        signal.alarm(0)


if __name__ == "__main__":
    sys.exit(main())
