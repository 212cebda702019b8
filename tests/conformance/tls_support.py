"""A scripted HTTP(S) server on 127.0.0.1 that records what reached it, for the TLS tests.

Each accepted connection is numbered; :class:`ScriptedServer` asks its ``script`` what to do
with the handshake of each connection (shake hands, or answer with bytes that are not TLS)
and with each request (answer, or break the TLS session before or in the middle of the
answer). It records every request that arrived (method, path, connection number) and which
connections have been closed by the client, so tests count what the server saw instead
of trusting the client's account.

Certificates come from a ``trustme`` CA made for the test session: the server's is issued
for ``127.0.0.1`` and ``localhost`` (or for another name, to test host name checks).
"""

from __future__ import annotations

import os
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import trustme

# A TLS application-data record header with a payload that no key decrypts: the client's
# TLS layer fails reading it ("bad record mac" or alike), after the request was sent.
BROKEN_RECORD = b"\x17\x03\x03\x00\x40" + bytes(range(64))
NOT_TLS = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
PATIENCE = 10.0
ERROR_BODY = b'{"statusCode":404,"error":"nothing here"}'
CUSTOMER_BODY = b'{"id":"c1","status":"Active","customerName":"Acme"}'

Handshake = Literal["tls", "not-tls"]
Answer = Literal["ok", "404", "503", "break-tls", "break-tls-mid-body", "download"]


@dataclass(frozen=True)
class Seen:
    """One request that reached the server."""

    method: str
    path: str
    connection: int


@dataclass
class Script:
    """What the server does: per connection (by number) and per request (by number)."""

    handshakes: dict[int, Handshake] = field(default_factory=dict)
    answers: dict[int, Answer] = field(default_factory=dict)
    download_size: int = 256 * 1024
    wait_alone: frozenset[int] = frozenset()
    """Requests (by number) that first wait, up to :data:`PATIENCE` seconds, for every other
    connection to be closed; :attr:`ScriptedServer.alone` says whether they were."""

    def handshake(self, connection: int) -> Handshake:
        return self.handshakes.get(connection, "tls")

    def answer(self, request: int) -> Answer:
        return self.answers.get(request, "404")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ScriptedServer

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        number = self.server.record(self)
        if number in self.server.script.wait_alone:
            self.server.wait_alone(number, self.server.connection_number)
        self.server.respond(self, self.server.script.answer(number))

    do_GET = do_PUT = do_POST = do_DELETE = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _raw_send(connection: socket.socket, data: bytes) -> None:
    """Write ``data`` to the TCP socket under a TLS session, bypassing TLS."""
    os.write(connection.fileno(), data)


class ScriptedServer(ThreadingHTTPServer):
    """The server; use as a context manager. ``context`` ``None`` serves plain HTTP."""

    daemon_threads = True

    def __init__(self, context: ssl.SSLContext | None, script: Script | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context = context
        self.script = script or Script()
        self._lock = threading.Lock()
        self._connections = 0
        self.seen: list[Seen] = []
        self.handshake_failures = 0
        self.closed: dict[int, threading.Event] = {}
        self.alone: dict[int, bool] = {}
        # Each connection is served by one thread from handshake to close.
        self._thread = threading.local()

    @property
    def connection_number(self) -> int:
        """The number of the connection the calling (handler) thread serves."""
        number: int = self._thread.number
        return number

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def url(self, host: str = "127.0.0.1") -> str:
        scheme = "https" if self.context is not None else "http"
        return f"{scheme}://{host}:{self.port}"

    def __enter__(self) -> ScriptedServer:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def record(self, handler: _Handler) -> int:
        """Note a request that arrived; its number (from 1)."""
        connection = self.connection_number
        with self._lock:
            self.seen.append(Seen(handler.command, handler.path, connection))
            return len(self.seen)

    def wait_alone(self, request: int, connection: int) -> None:
        """Wait (bounded) until every connection but ``connection`` is closed; note whether."""
        with self._lock:
            others = [event for number, event in self.closed.items() if number != connection]
        # A bound, not a measurement: a connection that was released is closed long before.
        self.alone[request] = all(event.wait(PATIENCE) for event in others)

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._connections += 1
            number = self._connections
            self.closed[number] = threading.Event()
        self._thread.number = number
        try:
            self._serve(request, client_address, number)
        finally:
            self.closed[number].set()

    def _serve(self, raw: socket.socket, client_address: Any, number: int) -> None:
        if self.context is None:
            connection: socket.socket = raw
        elif self.script.handshake(number) == "not-tls":
            raw.sendall(NOT_TLS)
            return
        else:
            try:
                connection = self.context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                with self._lock:
                    self.handshake_failures += 1
                return
        try:
            _Handler(connection, client_address, self)
        finally:
            connection.close()

    def respond(self, handler: _Handler, answer: Answer) -> None:
        """Write ``answer`` to the request ``handler`` is serving."""
        if answer == "break-tls":
            _raw_send(handler.connection, BROKEN_RECORD)
            handler.close_connection = True
            return
        if answer == "download":
            self._download(handler)
            return
        status = {"ok": 200, "404": 404, "503": 503, "break-tls-mid-body": 200}[answer]
        body = CUSTOMER_BODY if status == 200 else ERROR_BODY
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        if answer == "break-tls-mid-body":
            handler.send_header("Content-Length", "4096")
            handler.end_headers()
            handler.wfile.write(b'{"id":"')
            handler.wfile.flush()
            _raw_send(handler.connection, BROKEN_RECORD)
            handler.close_connection = True
            return
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _download(self, handler: _Handler) -> None:
        size = self.script.download_size
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        chunk = b"x" * 16384
        try:
            for _ in range(size // len(chunk)):
                handler.wfile.write(chunk)
        except OSError:
            handler.close_connection = True  # the client let go before the end


@dataclass(frozen=True)
class Pki:
    """A CA the clients may trust, and server contexts with certificates it issued."""

    ca: trustme.CA

    def server_context(self, *names: str) -> ssl.SSLContext:
        """A server context with a certificate for ``names`` (default 127.0.0.1, localhost)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(*(names or ("127.0.0.1", "localhost"))).configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this CA (and verifies host names)."""
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context


def tls_server(pki: Pki, script: Script | None = None, *names: str) -> ScriptedServer:
    """A scripted HTTPS server whose certificate ``pki``'s CA issued for ``names``."""
    return ScriptedServer(pki.server_context(*names), script)
