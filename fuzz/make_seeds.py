#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) from the recorded SDK requests
in tests/fixtures/clients and the default config. Run it again after the fixtures change; the
seeds are checked in, so a fuzz run needs nothing but the repository."""

import base64
import gzip
import hashlib
import json
import pathlib
import urllib.parse
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "clients"
EMAIL_FIXTURES = ROOT / "tests" / "fixtures" / "email"
# webhook_fuzzer's first byte: the source kind.
WEBHOOK_KINDS = ["sendgrid", "mailgun", "postmark", "mandrill", "webhook"]
CORPUS = ROOT / "fuzz" / "corpus"

# ingest_fuzzer's first byte: the event type index for single paths, 6 or 7 for a batch; the
# high bit for a client-side path.
SINGLE_TYPES = ["identify", "track", "page", "screen", "group", "alias"]


def write(target, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def route_byte(path):
    name = path.rsplit("/", 1)[-1]
    client_side = 0x80 if len(name) == 1 else 0
    if name in ("batch", "import", "b"):
        return 6 | client_side
    short = {t[0]: t for t in SINGLE_TYPES}
    kind = short.get(name, name)
    return (SINGLE_TYPES.index(kind) if kind in SINGLE_TYPES else 1) | client_side


def http_request(meta, body):
    head = f"{meta['method']} {meta['path']} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for name, value in meta["headers"].items():
        if name.lower() in ("content-length", "transfer-encoding", "host"):
            continue
        head += f"{name}: {value}\r\n"
    head += f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def main():
    for headers_file in sorted(FIXTURES.glob("*.headers.json")):
        meta = json.loads(headers_file.read_text())
        body_name = meta.get("body")
        body = (FIXTURES / body_name).read_bytes() if body_name else b""
        if body_name and body_name.endswith(".gz"):
            write("body_decoder", b"\x00" + body)
            body = gzip.decompress(body)
        if body:
            write("ingest", bytes([route_byte(meta["path"])]) + body)
            write("body_decoder", b"\x01" + zlib.compress(body))
        write("answer", http_request(meta, body))
    write("answer", b"GET /v1/pixel/track?data=" +
          base64.urlsafe_b64encode(b'{"writeKey":"k","userId":"u","event":"Opened"}') +
          b" HTTP/1.1\r\nHost: h\r\n\r\n")
    write("answer", b"OPTIONS /v1/batch HTTP/1.1\r\nHost: h\r\nOrigin: https://a.example\r\n\r\n")
    write("pixel", b"data=" + base64.b64encode(b'{"writeKey":"k","userId":"u","event":"E"}'))
    write("pixel", b"userId=u1&event=Opened&properties.subject=Hi%20there&writeKey=k")
    write("pixel", b"Basic " + base64.b64encode(b"key:"))
    write("config", (ROOT / "config" / "sluice.toml").read_bytes())
    write_webhook_seeds()


def write_webhook_seeds():
    for path in sorted(EMAIL_FIXTURES.glob("*/*.json")):
        provider = path.parent.name
        body = path.read_bytes()
        if provider == "mandrill":
            body = b"mandrill_events=" + urllib.parse.quote(body.decode(), safe="").encode()
        write("webhook", bytes([WEBHOOK_KINDS.index(provider)]) + body)
    write("webhook", bytes([4]) + b'{"events":[{"type":"Paid","user":"u1","at":1700000000,'
                                  b'"data":{"amount":5}},{"user":"u2"}]}')
    data = base64.urlsafe_b64encode(b'{"writeKey":"k","userId":"u","properties":{}}').rstrip(b"=")
    write("webhook", bytes([0]) + b"d=" + data + b"&u=https%3A%2F%2Fa.example%2F&s=abc")


if __name__ == "__main__":
    main()
