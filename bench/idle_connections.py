#!/usr/bin/env python3
"""Resident memory a Sluice server adds for idle keep-alive connections.

Opens COUNT connections to the server, sends one track request on each (so every connection
has served a request and holds whatever a kept-alive connection keeps), reads every answer,
holds the connections idle for a while and reports the server's VmRSS before and after as
JSON. Loopback only; bounded by --timeout.

  bench/idle_connections.py --port 8080 --pid 1234 [--connections 10000] [--json out.json]
"""

import argparse
import base64
import json
import selectors
import socket
import sys
import time

BODY = json.dumps({
    "type": "track",
    "event": "Idle Connection Opened",
    "userId": "idle-user",
    "messageId": "idle-{index}",
    "properties": {"bench": True},
}, separators=(",", ":"))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def request_bytes(host, port, write_key, index):
    body = BODY.replace("{index}", str(index)).encode()
    auth = base64.b64encode(f"{write_key}:".encode()).decode()
    head = (f"POST /v1/track HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Basic {auth}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def open_and_request(host, port, write_key, count, deadline):
    """Returns the open sockets once each got a complete 200 answer; raises otherwise."""
    selector = selectors.DefaultSelector()
    sockets = []
    waiting = {}  # socket -> bytes still to send, then b"" while reading
    answers = {}  # socket -> answer bytes so far
    done = 0
    next_index = 0
    in_flight_limit = 512  # connects in flight: keeps the listen backlog from overflowing
    while done < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out with {done} of {count} connections answered")
        while next_index < count and len(waiting) < in_flight_limit:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex((host, port))
            waiting[sock] = request_bytes(host, port, write_key, next_index)
            answers[sock] = b""
            selector.register(sock, selectors.EVENT_WRITE)
            sockets.append(sock)
            next_index += 1
        for key, events in selector.select(timeout=1):
            sock = key.fileobj
            if events & selectors.EVENT_WRITE:
                pending = waiting[sock]
                sent = sock.send(pending)
                waiting[sock] = pending[sent:]
                if not waiting[sock]:
                    selector.modify(sock, selectors.EVENT_READ)
                continue
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError("the server closed a connection before answering")
            answers[sock] += chunk
            head, _, body = answers[sock].partition(b"\r\n\r\n")
            if not _:
                continue
            status = head.split(b" ", 2)[1]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(body) < length:
                continue
            if status != b"200":
                raise RuntimeError(f"answered {status.decode()}: {body[:200]!r}")
            selector.unregister(sock)
            del waiting[sock]
            done += 1
    selector.close()
    return sockets


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="the server's process id")
    parser.add_argument("--write-key", default="bench_write_key")
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--hold", type=float, default=3.0, help="seconds idle before measuring")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--json", help="also write the result here")
    args = parser.parse_args()
    if not args.host.startswith("127.") and args.host != "::1":
        sys.exit("loopback only")

    before = rss_kib(args.pid)
    started = time.monotonic()
    sockets = open_and_request(args.host, args.port, args.write_key, args.connections,
                               started + args.timeout)
    opened = time.monotonic() - started
    time.sleep(args.hold)
    after = rss_kib(args.pid)
    result = {
        "connections": len(sockets),
        "open_seconds": round(opened, 2),
        "rss_before_kib": before,
        "rss_after_kib": after,
        "added_mib": round((after - before) / 1024, 1),
        "added_kib_per_connection": round((after - before) / len(sockets), 2),
    }
    for sock in sockets:
        sock.close()
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out)


if __name__ == "__main__":
    main()
