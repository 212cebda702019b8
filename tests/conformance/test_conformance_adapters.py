"""What only some adapters have to prove: stale keep-alive handling, TLS defaults, extras."""

from __future__ import annotations

import socket
import socketserver
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import pytest
from codat_customers.adapters.stdlib import StdlibTransport
from codat_customers.core import HttpRequest, ProtocolError


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answers_per_connection: int, then_answer: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers_per_connection = answers_per_connection
        self.then_answer = then_answer
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.hung_up = threading.Semaphore(0)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(socketserver.StreamRequestHandler):
    """Answers ``answers_per_connection`` requests per connection, then reads one more and
    closes the socket without a word (``then_answer=False``), or closes straight after the
    last answer though HTTP/1.1 promised keep-alive (``then_answer=True``)."""

    server: _Server

    def handle(self) -> None:
        for answered in range(self.server.answers_per_connection + 1):
            line = self.rfile.readline()
            if not line:
                return
            length = 0
            while (header := self.rfile.readline()) not in (b"\r\n", b""):
                name, _, value = header.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.rfile.read(length)
            with self.server.lock:
                self.server.requests.append(line.decode().split()[0])
            if answered == self.server.answers_per_connection:
                return  # read the request, then hang up without answering
            body = b'{"ok":true}'
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            self.wfile.flush()
            if self.server.then_answer and answered + 1 == self.server.answers_per_connection:
                self.connection.shutdown(socket.SHUT_RDWR)
                self.server.hung_up.release()
                return


@pytest.fixture
def server_factory() -> Iterator[Callable[[int, bool], _Server]]:
    servers: list[_Server] = []

    def make(answers_per_connection: int, then_answer: bool) -> _Server:
        server = _Server(answers_per_connection, then_answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


def _request(method: str) -> HttpRequest:
    body = b"{}" if method != "GET" else None
    return HttpRequest(operation_id="probe", method=method, path="/probe", body=body)


def test_stdlib_skips_idle_connections_the_server_closed(
    server_factory: Callable[[int, bool], _Server],
) -> None:
    # One answer per connection, then the server closes: the pooled connection is dead by
    # the next request, which must go out on a fresh one (nothing sent twice).
    server = server_factory(1, True)
    transport = StdlibTransport()
    for method in ("GET", "POST", "PUT", "GET"):
        response = transport.send(_request(method), base_url=server.url, timeout=5)
        assert response.status == 200
        # Wait for the hang-up: a request racing it is the case no client can make safe.
        assert server.hung_up.acquire(timeout=5)
    assert server.requests == ["GET", "POST", "PUT", "GET"]
    transport.close()


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_stdlib_never_resends_a_write_on_a_connection_that_broke(
    server_factory: Callable[[int, bool], _Server], method: str
) -> None:
    # The server answers the first request, then takes the second and hangs up: whether it
    # acted is unknown, so the write must surface as a ProtocolError, sent exactly once.
    server = server_factory(1, False)
    transport = StdlibTransport()
    assert transport.send(_request("GET"), base_url=server.url, timeout=5).status == 200
    with pytest.raises(ProtocolError):
        transport.send(_request(method), base_url=server.url, timeout=5)
    assert server.requests == ["GET", method]
    transport.close()


def test_stdlib_replays_a_read_once_on_a_fresh_connection(
    server_factory: Callable[[int, bool], _Server],
) -> None:
    server = server_factory(1, False)
    transport = StdlibTransport()
    assert transport.send(_request("GET"), base_url=server.url, timeout=5).status == 200
    assert transport.send(_request("GET"), base_url=server.url, timeout=5).status == 200
    # The second GET went out on the reused connection, was dropped, and was sent once more.
    assert server.requests == ["GET", "GET", "GET"]
    transport.close()


def test_stdlib_verifies_tls_by_default() -> None:
    context = StdlibTransport().ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.parametrize("extra", ["httpx", "aiohttp"])
def test_missing_library_names_the_extra(extra: str) -> None:
    # A library blocked in sys.modules cannot be imported, as if it were not installed.
    code = (
        f"import sys; sys.modules[{extra!r}] = None\n"
        f"try:\n    import codat_customers.adapters.{extra}\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert f'pip install "codat-customers[{extra}]"' in out
