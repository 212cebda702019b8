"""A scripted HTTP/1.1 server on 127.0.0.1 and the accounting that proves responses are released.

:class:`ScriptedServer` answers every request with the current :class:`Script` (status,
body, a body cut short, delays before the headers or in the middle of the body), over
keep-alive connections, so a test can produce the odd answers the sandbox never gives.

:func:`checked_out` counts the connections an adapter has handed out and not yet had back,
:func:`pooled_twice` finds a connection that sits in an idle pool more than once, and
:func:`open_fds` counts this process's file descriptors. They read private attributes of
the libraries (named in each branch): there is no public way to ask a pool these questions.
"""

from __future__ import annotations

import os
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from codat_customers.adapters.aiohttp import AiohttpTransport
from codat_customers.adapters.httpx import HttpxAsyncTransport, HttpxTransport
from codat_customers.adapters.stdlib import StdlibTransport
from codat_customers.adapters.urllib3 import Urllib3Transport

from codat_customers import CodatCustomers
from codat_customers.adapters.threaded import ThreadedAsyncTransport

DOWNLOAD = {
    "company_id": "8a210b68-6988-11ed-a1eb-0242ac120002",
    "connection_id": "2e9d2c44-f675-40ba-8049-353bfcb5e171",
    "customer_id": "C-1",
    "attachment_id": "A-1",
}
GET = {"company_id": DOWNLOAD["company_id"], "customer_id": "C-1"}
CUSTOMER_JSON = b'{"id": "C-1", "customerName": "Acme", "status": "Active"}'


@dataclass(frozen=True)
class Script:
    """How the server answers: ``body`` is sent, cut short when ``missing`` > 0."""

    status: int = 200
    body: bytes = b"x" * 1000
    content_type: str = "application/octet-stream"
    missing: int = 0  # bytes promised by Content-Length but never sent (then the socket closes)
    delay_headers: float = 0.0  # seconds before the status line
    stall_after: int | None = None  # send this many body bytes, then wait ``stall`` seconds
    stall: float = 0.0


_REASONS = {200: "OK", 204: "No Content", 206: "Partial Content", 404: "Not Found"}


class _Handler(socketserver.StreamRequestHandler):
    server: ScriptedServer

    def handle(self) -> None:
        while True:
            line = self.rfile.readline(65537)
            if not line or not line.strip():
                return
            length = 0
            while (header := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
                name, _, value = header.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                self.rfile.read(length)
            if not self._answer(self.server.script):
                return

    def _answer(self, script: Script) -> bool:
        """Write one response; False when the connection must close after it."""
        if script.delay_headers:
            time.sleep(script.delay_headers)
        body = script.body if script.status not in (204, 304) else b""
        head = [
            f"HTTP/1.1 {script.status} {_REASONS.get(script.status, 'Status')}",
            f"Content-Type: {script.content_type}",
            f"Content-Length: {len(body) + script.missing}",
        ]
        try:
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            if script.stall_after is not None:
                self.wfile.write(body[: script.stall_after])
                self.wfile.flush()
                time.sleep(script.stall)
                body = body[script.stall_after :]
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            return False
        return script.missing == 0


class ScriptedServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """A keep-alive HTTP/1.1 server whose every answer follows :attr:`script`."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = Script()
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is expected here."""

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def open_fds() -> int:
    """How many file descriptors this process has open."""
    return len(os.listdir("/proc/self/fd"))


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``check`` until it holds (released in a worker thread, closed by the server)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return check()
        time.sleep(0.01)
    return True


def _httpcore_pool(client: Any) -> Any:
    # httpx.Client._transport (HTTPTransport) ._pool (httpcore.ConnectionPool): private.
    return client._transport._pool


def checked_out(transport: Any) -> int:
    """Connections handed out by ``transport``'s pool and not given back (nor closed)."""
    if isinstance(transport, ThreadedAsyncTransport):
        return checked_out(transport.transport)
    if isinstance(transport, Urllib3Transport):
        # PoolManager.pools (RecentlyUsedContainer) of HTTPConnectionPool, whose .pool is a
        # LifoQueue filled to maxsize: a slot is missing while its connection is out.
        pools = [transport.pool.pools[key] for key in transport.pool.pools.keys()]  # noqa: SIM118
        return sum(p.pool.maxsize - p.pool.qsize() for p in pools if p.pool is not None)
    if isinstance(transport, StdlibTransport):
        return 0  # no checked-out bookkeeping: its leaks show as open descriptors
    if isinstance(transport, HttpxTransport | HttpxAsyncTransport):
        client = transport.client
        # httpcore keeps one entry in ConnectionPool._requests per response not yet closed.
        return 0 if client is None else len(_httpcore_pool(client)._requests)
    if isinstance(transport, AiohttpTransport):
        session = transport.session
        # TCPConnector._acquired: the connections lent to responses.
        return 0 if session is None else len(session.connector._acquired)
    raise TypeError(transport)


def pooled_twice(transport: Any) -> list[object]:
    """Idle connections that appear more than once in ``transport``'s pool."""
    if isinstance(transport, ThreadedAsyncTransport):
        return pooled_twice(transport.transport)
    idle: list[object] = []
    if isinstance(transport, Urllib3Transport):
        for key in transport.pool.pools.keys():  # noqa: SIM118
            queue = transport.pool.pools[key].pool
            idle += [c for c in (queue.queue if queue else []) if c is not None]
    elif isinstance(transport, StdlibTransport):
        idle += [c for conns in transport._pool._idle.values() for c in conns]  # private
    elif isinstance(transport, HttpxTransport | HttpxAsyncTransport):
        if transport.client is not None:
            idle += list(_httpcore_pool(transport.client).connections)
    elif isinstance(transport, AiohttpTransport) and transport.session is not None:
        # TCPConnector._conns: key -> deque of (protocol, timestamp).
        conns = transport.session.connector._conns.values()
        idle += [proto for queue in conns for proto, _ in queue]
    return [c for i, c in enumerate(idle) if any(c is d for d in idle[:i])]


def transport_of(client: CodatCustomers, is_async: bool) -> Any:
    """The transport an adapter test's calls go through."""
    return client.async_transport if is_async else client.transport


def refused_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
