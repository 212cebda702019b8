"""Every error class, over every adapter, through both client styles.

API errors come from the sandbox's real answers; undecodable bodies, timeouts and broken
connections from its fault injection; a refused connection from a closed local port.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from codat_customers.core import (
    ApiError,
    ConnectError,
    DecodeError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
    UnexpectedResponseError,
)
from codat_customers.sandbox import SandboxServer
from conformance_support import Driver

from codat_customers.models import errors


class _GatewayPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def gateway_page() -> Iterator[str]:
    """A local server that answers every GET like a failing proxy: 502 with an HTML page."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GatewayPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _failure(driver: Driver, style: Any, operation: str, request: dict[str, Any], **kw: Any) -> Any:
    client_options = {k: kw.pop(k) for k in ("security", "server_url") if k in kw}
    client = driver.client(**client_options)
    result = driver.invoke(style, client, operation, request, **kw)
    return result.failure()


def _status(error: Any) -> int:
    # Core errors carry ``status``; the seed's exceptions carry ``status_code``.
    return int(error.status if isinstance(error, ResponseError) else error.status_code)


@pytest.mark.parametrize(
    ("case", "status"),
    [("bad-credential", 401), ("unknown-customer", 404), ("malformed-query", 400)],
)
def test_api_errors(driver: Driver, style: Any, case: str, status: int) -> None:
    company = {"company_id": driver.sandbox.company_id}
    if case == "bad-credential":
        error = _failure(driver, style, "list", company, security="Basic bm8tc3VjaC1rZXk=")
    elif case == "unknown-customer":
        error = _failure(driver, style, "get", {**company, "customer_id": "no-such-customer"})
    else:
        error = _failure(driver, style, "list", {**company, "query": "name=("})
    expected = ApiError if style == "result" else errors.ErrorMessage
    assert isinstance(error, expected), error
    assert _status(error) == status


def test_truncated_json_is_a_decode_error(
    driver: Driver, style: Any, faults: SandboxServer
) -> None:
    faults.set_faults(truncate_json_rate=1.0, operations=["get-customer"])
    request = {"company_id": faults.company_id, "customer_id": faults.customer_id}
    error = _failure(driver, style, "get", request)
    expected = DecodeError if style == "result" else errors.SDKError
    assert isinstance(error, expected), error
    assert _status(error) == 200


def test_gateway_page_is_unexpected(driver: Driver, style: Any, gateway_page: str) -> None:
    # A proxy in front of the API answering with its own HTML page: no operation documents
    # that status with that content type.
    request = {"company_id": driver.sandbox.company_id, "customer_id": driver.sandbox.customer_id}
    error = _failure(driver, style, "get", request, server_url=gateway_page)
    expected = UnexpectedResponseError if style == "result" else errors.SDKError
    assert isinstance(error, expected), error
    assert _status(error) == 502
    assert b"Bad Gateway" in (error.body if style == "result" else error.body.encode())


def test_closed_port_is_a_connect_error(driver: Driver, style: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    request = {"company_id": driver.sandbox.company_id}
    assert isinstance(_failure(driver, style, "list", request, server_url=closed), ConnectError)


def test_slow_answer_is_a_read_timeout(driver: Driver, style: Any, faults: SandboxServer) -> None:
    faults.set_faults(latency_ms=1000, operations=["list-customers"])
    request = {"company_id": faults.company_id}
    error = _failure(driver, style, "list", request, timeout_ms=150)
    assert isinstance(error, ReadTimeoutError), error


def test_dropped_connection_is_a_protocol_error(
    driver: Driver, style: Any, faults: SandboxServer
) -> None:
    faults.set_faults(drop_connection_rate=1.0, operations=["list-customers"])
    request = {"company_id": faults.company_id, "page_size": 100}
    error = _failure(driver, style, "list", request)
    assert isinstance(error, ProtocolError), error


class _Recorder(BaseHTTPRequestHandler):
    """Records the headers of every request it gets (the 'other host' of a redirect)."""

    seen: list[dict[str, str]]

    def do_GET(self) -> None:
        self.seen.append({k.lower(): v for k, v in self.headers.items()})
        body = b'{"id": "C-1", "status": "Active"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def redirect_pair() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A server that redirects every GET to another host (localhost, a different port)."""
    seen: list[dict[str, str]] = []
    other = ThreadingHTTPServer(("127.0.0.1", 0), type("Other", (_Recorder,), {"seen": seen}))
    target = f"http://localhost:{other.server_address[1]}"

    class _Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    first = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    for server in (first, other):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{first.server_address[1]}", seen
    for server in (first, other):
        server.shutdown()
        server.server_close()


def test_a_redirect_is_never_followed_so_the_credential_stays_home(
    driver: Driver, style: Any, redirect_pair: tuple[str, list[dict[str, str]]]
) -> None:
    # Following redirects is the SDK's decision and it makes none: the 302 is an error, and
    # the other host never sees a request, let alone the Authorization header.
    url, seen = redirect_pair
    request = {"company_id": driver.sandbox.company_id, "customer_id": driver.sandbox.customer_id}
    error = _failure(driver, style, "get", request, server_url=url)
    expected = UnexpectedResponseError if style == "result" else errors.SDKError
    assert isinstance(error, expected), error
    assert _status(error) == 302
    assert seen == []
