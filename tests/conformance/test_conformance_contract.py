"""The adapter contract's shared pieces in core, and TLS verification on every adapter."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from codat_customers.adapters.stdlib import StdlibTransport
from codat_customers.core import (
    ConnectError,
    GuardedStream,
    HttpRequest,
    MemoryByteStream,
    ProtocolError,
    finish_response,
    lowercase_headers,
)
from conformance_support import Driver

JSON_GET = HttpRequest(operation_id="probe", method="GET", path="/probe")
DOWNLOAD = HttpRequest(operation_id="probe", method="GET", path="/f", response_kind="stream")


def test_lowercase_headers_keeps_repeated_values() -> None:
    headers = lowercase_headers([("Set-Cookie", "a=1"), ("X-Id", "7"), ("set-cookie", "b=2")])
    assert headers == {"set-cookie": "a=1, b=2", "x-id": "7"}


@pytest.mark.parametrize(
    ("request_", "status", "streamed"),
    [(DOWNLOAD, 200, True), (DOWNLOAD, 404, False), (JSON_GET, 200, False)],
)
def test_finish_response_streams_only_successful_downloads(
    request_: HttpRequest, status: int, streamed: bool
) -> None:
    response = finish_response(
        request_, status, [("Content-Type", "x/y")], MemoryByteStream(b"body")
    )
    assert response.headers == {"content-type": "x/y"}
    assert response.is_streamed is streamed
    assert response.body == (b"" if streamed else b"body")


class _Library:
    """Stands for an HTTP library's response: counts releases, can fail mid-body."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.releases = 0
        self.fail_after = fail_after

    def chunks(self, size: int) -> Iterator[bytes]:
        for index in range(3):
            if self.fail_after == index:
                raise OSError("connection reset")
            yield b"x" * size

    def read(self) -> bytes:
        return b"".join(self.chunks(4))

    def release(self) -> None:
        self.releases += 1


def _guarded(library: _Library) -> GuardedStream:
    def to_error(exc: BaseException) -> ProtocolError:
        return ProtocolError(str(exc))

    return GuardedStream(library.chunks, library.read, library.release, (OSError,), to_error)


def test_guarded_stream_maps_failures_and_releases_once() -> None:
    library = _Library(fail_after=1)
    stream = _guarded(library)
    with pytest.raises(ProtocolError, match="connection reset"):
        list(stream.iter_bytes(2))
    stream.close()
    assert library.releases == 1


def test_guarded_stream_releases_when_closed_early() -> None:
    library = _Library()
    stream = _guarded(library)
    chunks = stream.iter_bytes(2)
    assert next(chunks) == b"xx"
    chunks.close()  # the consumer stops reading
    assert library.releases == 1
    assert _guarded(library).read() == b"x" * 12
    assert library.releases == 2


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate for ``localhost``."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"statusCode":404,"error":"nothing here"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://localhost:{server.server_address[1]}", cert
    server.shutdown()
    server.server_close()


def test_every_adapter_verifies_certificates(driver: Driver, tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    client = driver.client(server_url=url)
    request = {"company_id": driver.sandbox.company_id, "customer_id": "x"}
    error = driver.invoke("result", client, "get", request).failure()
    assert isinstance(error, ConnectError), error


def test_stdlib_trusts_a_given_ssl_context(tls_server: tuple[str, Path]) -> None:
    url, cert = tls_server
    transport = StdlibTransport(ssl_context=ssl.create_default_context(cafile=str(cert)))
    response = transport.send(JSON_GET, base_url=url, timeout=5)
    assert response.status == 404
    assert b"nothing here" in response.body
    transport.close()
