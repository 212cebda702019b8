"""Constants, payloads and helpers shared by the client tests (fixtures are in conftest)."""

from __future__ import annotations

import base64
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from codat_customers.core import HttpRequest, HttpResponse, TransportError
from codat_customers.plugins import CallContext, hookimpl
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from codat_customers.utils import BackoffStrategy, RetryConfig

API_KEY = "sk-test-9f3b2c1d0e8a7f6b5c4d3e2f1a0b9c8d"
AUTH_VALUE = "Basic " + base64.b64encode(API_KEY.encode()).decode("ascii")
AUTH_B64 = AUTH_VALUE.removeprefix("Basic ")
OTHER_KEY = "sk-other-0011223344556677"

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"
CUSTOMER = "C-100"
ATTACHMENT = "8a210b68-6988-11ed-a1eb-0242ac120003"

BASE = f"/companies/{COMPANY}"
CONN = f"{BASE}/connections/{CONNECTION}"

FAST = RetryConfig("backoff", BackoffStrategy(1, 10, 1.5, 2000), True)
"""Retries with waits of at most 10 ms and a 2 s budget: keeps retry tests fast."""

CUSTOMER_JSON: dict[str, Any] = {
    "id": CUSTOMER,
    "customerName": "Kelly's Industrial Supplies",
    "contactName": "Kelly",
    "emailAddress": "kelly@example.com",
    "defaultCurrency": "GBP",
    "status": "Active",
    "addresses": [{"type": "Billing", "city": "London", "postalCode": "N1"}],
    "metadata": {"isDeleted": False},
    "modifiedDate": "2022-10-23T00:00:00Z",
    "sourceModifiedDate": None,
}

PUSH_JSON: dict[str, Any] = {
    "companyId": COMPANY,
    "pushOperationKey": "4b5a5c1c-5e3a-4c9b-9a0d-8f3c8a1d2e3f",
    "dataConnectionKey": CONNECTION,
    "requestedOnUtc": "2022-10-23T00:00:00Z",
    "status": "Pending",
    "statusCode": 202,
    "dataType": "customers",
    "timeoutInMinutes": 5,
}

PUSH_OPTION_JSON: dict[str, Any] = {
    "type": "Object",
    "displayName": "Customer",
    "description": "Customer",
    "required": True,
    "properties": {
        "customerName": {
            "type": "String",
            "displayName": "Customer Name",
            "description": "Name of the customer",
            "required": True,
            "validation": {"warnings": [{"field": "customerName", "details": "Max 50."}]},
        }
    },
}

ATTACHMENT_JSON: dict[str, Any] = {
    "id": ATTACHMENT,
    "name": "invoice.pdf",
    "contentType": "application/pdf",
    "fileSize": 12,
    "includeWhenSent": False,
    "dateCreated": "2022-10-23T00:00:00Z",
    "sourceModifiedDate": None,
}


def error_json(status: int, error: str = "Something went wrong") -> dict[str, Any]:
    """An ErrorMessage body as Codat sends it."""
    return {
        "statusCode": status,
        "service": "PublicApi",
        "error": error,
        "correlationId": "7eb40d6b415d7bcb5d6d9c1f2e3a4b5c",
        "canBeRetried": "Unknown",
        "detailedErrorCode": 0,
    }


def customers_page(
    results: list[dict[str, Any]], page: int = 1, size: int = 100, total: int | None = None
) -> dict[str, Any]:
    """A Customers page with ``_links``."""
    path = f"{BASE}/data/customers"
    return {
        "results": results,
        "pageNumber": page,
        "pageSize": size,
        "totalResults": len(results) if total is None else total,
        "_links": {"self": {"href": path}, "current": {"href": f"{path}?page={page}"}},
    }


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class AttemptRecorder:
    """A user plugin that records every attempt (what ``codat_observe_attempt`` sees)."""

    def __init__(self, on_attempt: Callable[[int], None] | None = None) -> None:
        self.attempts: list[tuple[int, int | None, type[TransportError] | None]] = []
        self.requests: list[HttpRequest] = []
        self._on_attempt = on_attempt
        self._lock = threading.Lock()

    @hookimpl
    def codat_observe_attempt(
        self,
        request: HttpRequest,
        context: CallContext,
        attempt: int,
        response: HttpResponse | None,
        error: TransportError | None,
        elapsed: float,
    ) -> None:
        """Record the attempt's number and outcome."""
        with self._lock:
            self.attempts.append(
                (
                    attempt,
                    None if response is None else response.status,
                    None if error is None else type(error),
                )
            )
            self.requests.append(request)
        if self._on_attempt is not None:
            self._on_attempt(attempt)


class Sequence:
    """A handler answering successive requests with successive responses (last one repeats).

    Every request is recorded (with its arrival time) before it is answered, so tests can
    count attempts even when a handler is slow.
    """

    def __init__(self, *responses: Callable[[], Response] | Response) -> None:
        self._responses = responses
        self.requests: list[Request] = []
        self.arrivals: list[float] = []
        self.headers: list[dict[str, str]] = []
        self.bodies: list[bytes] = []
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            index = len(self.requests)
            self.requests.append(request)
            self.arrivals.append(time.monotonic())
            self.headers.append({k.lower(): v for k, v in request.headers.items()})
            self.bodies.append(request.get_data())
        chosen = self._responses[min(index, len(self._responses) - 1)]
        return chosen() if callable(chosen) and not isinstance(chosen, Response) else chosen

    @property
    def count(self) -> int:
        """How many requests arrived."""
        return len(self.requests)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (a fresh object each call, so it can be served repeatedly)."""
    return Response(
        json.dumps(body), status=status, headers=headers, content_type="application/json"
    )


def fast(
    budget_ms: int = 300, *, max_interval: int = 10, connection_errors: bool = True
) -> RetryConfig:
    """Backoff retries with tiny waits and a ``budget_ms`` time budget."""
    return RetryConfig(
        "backoff", BackoffStrategy(1, max_interval, 1.5, budget_ms), connection_errors
    )


# --- a big download, served from a generator -------------------------------------------

DOWNLOAD_PATH = f"{CONN}/data/customers/{CUSTOMER}/attachments/{ATTACHMENT}/download"
DOWNLOAD_CHUNK = 64 * 1024
_BLOCK = bytes(range(256)) * (DOWNLOAD_CHUNK // 256)


def download_chunks(total: int) -> Iterator[bytes]:
    """Deterministic content: every 64 KiB block starts with its own index."""
    for index in range(total // DOWNLOAD_CHUNK):
        yield index.to_bytes(4, "big") + _BLOCK[4:]


def serve_download(server: HTTPServer, total: int, declared: int | None = None) -> None:
    """Serve ``total`` bytes at ``DOWNLOAD_PATH`` from a generator, with a Content-Length."""

    def handler(_request: Request) -> Response:
        return Response(
            download_chunks(total),
            status=200,
            headers={"Content-Length": str(declared or total)},
            content_type="application/octet-stream",
            direct_passthrough=True,
        )

    server.expect_request(DOWNLOAD_PATH).respond_with_handler(handler)


def run_download_server(total: int) -> None:
    """Serve a download until stdin closes; prints the base URL first (subprocess entry).

    Memory tests run the server in another process so that tracemalloc measures the client
    alone (werkzeug's server allocates a 10 MB read buffer when a connection ends).
    """
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    serve_download(server, total)
    server.start()
    print(server.url_for("/").rstrip("/"), flush=True)
    sys.stdin.read()
    server.stop()
