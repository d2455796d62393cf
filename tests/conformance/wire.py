"""HTTP/1.1 on a plain or a TLS socket, byte for byte as a case describes it: the request head
exactly as given (only Host and Content-Length are added), bodies that may be compressed, chunked
or streamed from a repeated pattern, `Expect: 100-continue`, several requests on one connection,
and responses read with their interim (1xx) answers. Every wait has a deadline.

The standard library's http.client would add headers of its own and hides 1xx answers, which
is exactly what the cases look at.
"""

import base64
import json
import select
import socket
import ssl
import time
import urllib.parse
import zlib

from case_format import CaseError, expand_generators

_STREAM_BLOCK = 1 << 20  # bytes of a repeated pattern produced (and compressed) at a time
_DEFAULT_CHUNK = 4096
_MAX_HEAD = 64 * 1024


class Repeat:
    """`unit` sent `times` times, produced in blocks so a huge body never sits in memory."""

    def __init__(self, unit, times):
        self.unit = unit
        self.times = times

    def __len__(self):
        return len(self.unit) * self.times

    def blocks(self):
        if not self.unit:
            return
        per_block = max(1, _STREAM_BLOCK // len(self.unit))
        left = self.times
        while left > 0:
            count = min(per_block, left)
            yield self.unit * count
            left -= count


class Body:
    """A request body as a list of pieces (bytes or Repeat): its length is known without
    producing it."""

    def __init__(self, pieces=()):
        self.pieces = [piece for piece in pieces if len(piece)]

    def __len__(self):
        return sum(len(piece) for piece in self.pieces)

    def blocks(self):
        for piece in self.pieces:
            if isinstance(piece, Repeat):
                yield from piece.blocks()
            else:
                yield piece

    def compressed(self, method):
        wbits = {"gzip": 31, "deflate": 15, "deflate-raw": -15}[method]
        compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
        out = [compressor.compress(block) for block in self.blocks()]
        out.append(compressor.flush())
        return Body([b"".join(out)])


class Rendered:
    """A request ready to send: its head, its body and how the body goes on the wire."""

    def __init__(self, head, body, chunk_size, expect_continue):
        self.head = head
        self.body = body
        self.chunk_size = chunk_size  # None: not chunked
        self.expect_continue = expect_continue
        self.sent_json = None  # the JSON body as sent (generators expanded), for checks

    def body_blocks(self):
        if self.chunk_size is None:
            yield from self.body.blocks()
            return
        pending = b""
        for block in self.body.blocks():
            pending += block
            while len(pending) >= self.chunk_size:
                chunk, pending = pending[:self.chunk_size], pending[self.chunk_size:]
                yield b"%x\r\n%s\r\n" % (len(chunk), chunk)
        if pending:
            yield b"%x\r\n%s\r\n" % (len(pending), pending)
        yield b"0\r\n\r\n"

    def to_bytes(self):
        return self.head + b"".join(self.body_blocks())


def _json_bytes(value):
    return json.dumps(expand_generators(value), ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _piece(part, host):
    if "text" in part:
        return part["text"].encode("utf-8")
    if "json" in part:
        return _json_bytes(part["json"])
    if "base64" in part:
        return base64.b64decode(part["base64"])
    if "hex" in part:
        return bytes.fromhex(part["hex"])
    if "repeat" in part:
        return Repeat(part["repeat"].encode("utf-8"), int(part["times"]))
    return render_request(part["http"], host).to_bytes()


def raw_body(parts, host):
    return Body(_piece(part, host) for part in parts)


def _header_pairs(headers):
    pairs = headers.items() if isinstance(headers, dict) else headers
    return [(str(name), str(expand_generators(value))) for name, value in pairs]


def render_request(spec, host):
    """The bytes of a case's `request`."""
    method = spec.get("method", "POST")
    target = spec.get("path", "/v1/track")
    query = spec.get("query")
    if isinstance(query, dict):
        target += "?" + urllib.parse.urlencode(query)
    elif query:
        target += "?" + query.lstrip("?")

    sent_json = None
    if "json" in spec:
        sent_json = expand_generators(spec["json"])
        body = Body([json.dumps(sent_json, ensure_ascii=False,
                                separators=(",", ":")).encode("utf-8")])
    elif "parts" in spec:
        body = raw_body(spec["parts"], host)
    elif any(key in spec for key in ("text", "base64", "hex")):
        body = Body([_piece(spec, host)])
    else:
        body = Body()
    has_body = any(key in spec for key in ("json", "text", "base64", "hex", "parts"))
    if "compress" in spec:
        body = body.compressed(spec["compress"])

    headers = _header_pairs(spec.get("headers", {}))
    names = {name.lower() for name, _ in headers}
    if "host" not in names:
        headers.insert(0, ("Host", host))
    chunked = spec.get("chunked", False)
    chunk_size = None
    if chunked:
        chunk_size = _DEFAULT_CHUNK if chunked is True else int(chunked)
        if "transfer-encoding" not in names:
            headers.append(("Transfer-Encoding", "chunked"))
    elif "content-length" not in names:
        length = spec.get("content_length")
        if length is None and (has_body or method in ("POST", "PUT", "PATCH")):
            length = len(body)
        if length is not None and length is not False:
            headers.append(("Content-Length", str(length)))
    expect_continue = bool(spec.get("expect_continue"))
    if expect_continue and "expect" not in names:
        headers.append(("Expect", "100-continue"))

    head = f"{method} {target} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    rendered = Rendered(head.encode("utf-8"), body, chunk_size, expect_continue)
    rendered.sent_json = sent_json
    return rendered


def header_value(headers, name):
    """The value of header `name` in [(name, value)] (repeats joined with ", "), or None."""
    values = [value for key, value in headers if key.lower() == name.lower()]
    return ", ".join(values) if values else None


class Response:
    def __init__(self, status, reason, headers, body, interim):
        self.status = status
        self.reason = reason
        self.headers = headers  # [(name, value)] in the order received
        self.body = body
        self.interim = interim  # statuses of the 1xx answers before this one

    def header(self, name):
        return header_value(self.headers, name)


class ExchangeError(Exception):
    """The connection failed or a deadline passed before a complete response.
    closed_silently: the server closed the connection without sending a byte."""

    def __init__(self, message, closed_silently=False):
        super().__init__(message)
        self.closed_silently = closed_silently


class Endpoint:
    """Where the requests go: an address and port, and for a TLS listener the client context
    (the CAs it trusts, its versions) and the name the server's certificate must be valid for,
    which is also sent as SNI."""

    def __init__(self, host, port, tls_context=None, server_name=None):
        self.host = host
        self.port = port
        self.tls_context = tls_context
        self.server_name = server_name

    @property
    def authority(self):
        """host:port as a Host header carries it."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class Connection:
    """One TCP connection, TLS when the endpoint says so, with an absolute deadline for
    everything done on it."""

    def __init__(self, endpoint, deadline):
        self.deadline = deadline
        self.buffer = b""
        self.received = 0
        self.closed_by_peer = False
        self.tls = endpoint.tls_context is not None
        try:
            sock = socket.create_connection((endpoint.host, endpoint.port), timeout=self._left())
        except OSError as error:
            raise ExchangeError(f"cannot connect: {error}") from error
        if not self.tls:
            self.sock = sock
            return
        try:
            # The handshake runs here, within the socket's timeout; the certificate chain and
            # the name are verified as the context says.
            self.sock = endpoint.tls_context.wrap_socket(
                sock, server_hostname=endpoint.server_name)
        except OSError as error:  # ssl.SSLError and socket timeouts are OSErrors
            sock.close()
            raise ExchangeError(f"TLS handshake failed: {error}") from error

    def tls_details(self):
        """(TLS version, ALPN protocol or None) of a TLS connection."""
        return self.sock.version(), self.sock.selected_alpn_protocol()

    def local_address(self):
        return self.sock.getsockname()[0]

    def close(self):
        self.sock.close()

    def _left(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise ExchangeError("timed out")
        return left

    def send(self, blocks):
        """Sends every block; False when the server stopped reading (it may have answered
        already, and the caller reads that answer)."""
        try:
            for block in blocks:
                self.sock.settimeout(self._left())
                self.sock.sendall(block)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLZeroReturnError, ssl.SSLEOFError):
            return False
        except socket.timeout as error:
            raise ExchangeError("timed out while sending") from error
        return True

    def shutdown_write(self):
        if self.tls:
            # Half-closing the TCP stream would end TLS without a close_notify, and Python's ssl
            # module cannot send one alone; such a case has no TLS equivalent.
            raise CaseError("shutdown_write has no TLS equivalent: mark the case skip_tls")
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def readable_within(self, seconds):
        """True when data (or the peer's close) arrives within seconds."""
        end = time.monotonic() + min(seconds, max(0.0, self.deadline - time.monotonic()))
        while True:
            if self.buffer or self.closed_by_peer or (self.tls and self.sock.pending()):
                return True
            ready, _, _ = select.select([self.sock], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                return False
            if not self.tls:
                return True
            # A readable TLS socket may hold only records without application data (TLS 1.3
            # session tickets, say): only data or the end of the stream count as an answer.
            data = self._receive(wait=False)
            if data is not None:
                self._keep(data)

    def _receive(self, wait):
        """The next bytes the server sent, b"" at the end of the stream, or, without wait, None
        when no application data is there yet."""
        if wait:
            self.sock.settimeout(self._left())
        else:
            self.sock.setblocking(False)
        try:
            return self.sock.recv(65536)
        except (ssl.SSLWantReadError, BlockingIOError):
            return None
        except socket.timeout as error:
            raise ExchangeError("timed out waiting for the response") from error
        except ConnectionResetError:
            return b""
        except ssl.SSLError as error:
            raise ExchangeError(f"TLS error while reading: {error}") from error

    def _keep(self, data):
        if not data:
            self.closed_by_peer = True
        self.received += len(data)
        self.buffer += data

    def _fill(self):
        if self.closed_by_peer:
            return False
        data = self._receive(wait=True)
        self._keep(data)
        return bool(data)

    def _read_line(self):
        while b"\r\n" not in self.buffer:
            if len(self.buffer) > _MAX_HEAD:
                raise ExchangeError("response head too long")
            if not self._fill():
                if not self.buffer:
                    raise ExchangeError("connection closed before a response",
                                        closed_silently=self.received == 0)
                raise ExchangeError("connection closed in the middle of a response head")
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode("latin-1")

    def _read_exactly(self, count):
        while len(self.buffer) < count:
            if not self._fill():
                raise ExchangeError("connection closed in the middle of a response body")
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def at_eof(self):
        """True when the peer closed the connection and nothing is left to read."""
        if self.buffer:
            return False
        return not self._fill()

    def read_head(self):
        status_line = self._read_line()
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise ExchangeError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
        headers = []
        while True:
            line = self._read_line()
            if not line:
                break
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        return int(parts[1]), (parts[2] if len(parts) > 2 else ""), headers

    def _read_chunked(self):
        body = b""
        while True:
            size = int(self._read_line().split(";")[0].strip() or "0", 16)
            if size == 0:
                while self._read_line():  # trailers
                    pass
                return body
            body += self._read_exactly(size)
            self._read_exactly(2)

    def read_body(self, status, headers, method):
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return b""
        if "chunked" in (header_value(headers, "Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = header_value(headers, "Content-Length")
        if length is not None:
            return self._read_exactly(int(length))
        while self._fill():
            pass
        body, self.buffer = self.buffer, b""
        return body

    def read_response(self, method="GET", interim=None):
        """The next final response; 1xx answers before it are collected in its interim."""
        interim = list(interim or [])
        while True:
            status, reason, headers = self.read_head()
            if 100 <= status < 200 and status != 101:
                interim.append(status)
                continue
            body = self.read_body(status, headers, method)
            return Response(status, reason, headers, body, interim)


_CONTINUE_WAIT_S = 2.0


def exchange(endpoint, rendered, method, deadline):
    """Sends one request and reads its response. Returns (response, local address)."""
    connection = Connection(endpoint, deadline)
    try:
        if not rendered.expect_continue:
            connection.send([rendered.head])
            connection.send(rendered.body_blocks())
            return connection.read_response(method), connection.local_address()
        connection.send([rendered.head])
        interim = []
        if connection.readable_within(_CONTINUE_WAIT_S):
            status, reason, headers = connection.read_head()
            if not 100 <= status < 200:
                body = connection.read_body(status, headers, method)
                return (Response(status, reason, headers, body, []),
                        connection.local_address())
            interim.append(status)
        connection.send(rendered.body_blocks())
        return connection.read_response(method, interim), connection.local_address()
    finally:
        connection.close()


def exchange_pipelined(endpoint, rendered_list, methods, deadline):
    """Sends every request back to back on one connection, then reads one response each."""
    connection = Connection(endpoint, deadline)
    try:
        connection.send([b"".join(rendered.to_bytes() for rendered in rendered_list)])
        return [connection.read_response(method) for method in methods]
    finally:
        connection.close()


def exchange_raw(endpoint, body, shutdown_write, read_idle, deadline):
    """Sends bytes as they are and reads responses until the server closes or stays silent
    for read_idle seconds. Returns (responses, closed_by_peer)."""
    connection = Connection(endpoint, deadline)
    try:
        connection.send(body.blocks())
        if shutdown_write:
            connection.shutdown_write()
        responses = []
        while connection.readable_within(read_idle):
            if connection.at_eof():
                return responses, True
            responses.append(connection.read_response("POST"))
        return responses, connection.closed_by_peer
    finally:
        connection.close()
