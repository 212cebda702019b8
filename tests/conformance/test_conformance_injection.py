"""Hostile ids, query values and per-call headers, end to end over a real socket on every adapter.

A recording server on 127.0.0.1 keeps the raw bytes of each request head (request line and
header lines, exactly as they arrived). For every adapter, sync and async, an id holding
``../``, ``?``, ``#``, ``%2F``, CR/LF, NUL, spaces, non-ASCII text or emoji is either
refused before sending (a ``RequestValidationError`` naming the field, and the server sees
nothing) or arrives as exactly one path segment that decodes back to the id; no header is
ever injected. Query values arrive exactly; per-call headers with CR or LF are refused,
naming the field, without the value in the message.
"""

from __future__ import annotations

import asyncio
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from codat_customers.core import CodatError, RequestValidationError
from conformance_support import ADAPTERS, Adapter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.io import IOResult
from returns.result import Failure, Result
from returns.unsafe import unsafe_perform_io

from codat_customers import CodatCustomers

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"
SECRET = "Basic c2stdGVzdC05ZjNiMmMxZDBlOGE3ZjZiNWM0ZDNlMmYxYTBiOWM4ZA=="
HOSTILE_IDS = [
    "../",
    "..",
    ".",
    "a/../b",
    "/",
    "a/b",
    "?",
    "a?b=c",
    "#",
    "a#b",
    "%2F",
    "a%2Fb",
    "%",
    "\r",
    "\n",
    "a\r\nX-Injected: 1",
    "\r\nX-Injected: 1\r\n\r\nGET / HTTP/1.1",
    "\x00",
    "a\x00b",
    "a b",
    " ",
    "\t",
    "é",
    "日本語",
    "\U0001f600",
    "\u202e",
    "a\\b",
    ";x=1",
    "~user",
]
# operation name -> (request fields, template of the path, with {field} for each id)
TARGETS: dict[str, tuple[dict[str, str], str]] = {
    "list": ({"company_id": COMPANY}, "/companies/{company_id}/data/customers"),
    "get": (
        {"company_id": COMPANY, "customer_id": "C-1"},
        "/companies/{company_id}/data/customers/{customer_id}",
    ),
    "get_attachment": (
        {
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": "C-1",
            "attachment_id": "A-1",
        },
        "/companies/{company_id}/connections/{connection_id}/data/customers/{customer_id}"
        "/attachments/{attachment_id}",
    ),
    "get_push_operation": (
        {"company_id": COMPANY, "push_operation_key": "K-1"},
        "/companies/{company_id}/push/{push_operation_key}",
    ),
}
NOT_FOUND = b'{"statusCode": 404, "error": "not here"}'


@dataclass(frozen=True)
class Arrived:
    """One request head as it came off the socket."""

    request_line: bytes
    header_lines: tuple[bytes, ...]

    @property
    def target(self) -> str:
        """The request target (path and query), still percent-encoded."""
        method, target, version = self.request_line.split(b" ")
        assert method in (b"GET", b"POST", b"PUT") and version == b"HTTP/1.1"
        assert target.isascii()
        return target.decode("ascii")

    @property
    def header_names(self) -> list[str]:
        return [line.split(b":", 1)[0].decode("latin-1").lower() for line in self.header_lines]


class _Recorder(socketserver.StreamRequestHandler):
    server: RecordingServer

    def handle(self) -> None:
        while True:
            line = self.rfile.readline(65537)
            if not line:
                return
            headers: list[bytes] = []
            length = 0
            while (header := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
                headers.append(header.rstrip(b"\r\n"))
                name, _, value = header.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length:
                self.rfile.read(length)
            with self.server.lock:
                self.server.arrived.append(Arrived(line.rstrip(b"\r\n"), tuple(headers)))
            head = (
                b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % len(NOT_FOUND)
            )
            try:
                self.wfile.write(head + NOT_FOUND)
                self.wfile.flush()
            except OSError:
                return


class RecordingServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """Answers every request 404 (an ErrorMessage) and keeps every request head, raw."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.arrived: list[Arrived] = []
        self.lock = threading.Lock()
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def take(self) -> list[Arrived]:
        with self.lock:
            taken, self.arrived = self.arrived, []
        return taken

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up is not an error here."""


@pytest.fixture(scope="module")
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.shutdown()
    server.server_close()


class Caller:
    """Calls one operation through the Result API on one adapter, sync or async."""

    def __init__(self, adapter: Adapter, base_url: str) -> None:
        self.adapter = adapter
        transports: dict[str, Any] = {}
        if adapter.make_sync is not None:
            transports["transport"] = adapter.make_sync()
        else:
            assert adapter.make_async is not None
            transports["async_transport"] = adapter.make_async()
        self.client = CodatCustomers("key", server_url=base_url, retry_config=None, **transports)
        self.loop = asyncio.new_event_loop() if adapter.is_async else None

    def __call__(self, name: str, request: object, **options: Any) -> Result[Any, CodatError]:
        if self.loop is None:
            result: Result[Any, CodatError] = getattr(self.client, name)(request, **options)
            return result
        future = getattr(self.client, name + "_async")(request, **options)
        io: IOResult[Any, CodatError] = self.loop.run_until_complete(future.awaitable())
        return unsafe_perform_io(io)

    def close(self) -> None:
        if self.loop is not None:
            self.loop.run_until_complete(self.client.aclose())
            self.loop.close()
        self.client.close()


@pytest.fixture(params=ADAPTERS, ids=[adapter.id for adapter in ADAPTERS])
def call(request: pytest.FixtureRequest, recorder: RecordingServer) -> Iterator[Caller]:
    caller = Caller(request.param, recorder.base_url)
    recorder.take()
    yield caller
    caller.close()


def assert_no_injection(arrived: Arrived, baseline: Arrived) -> None:
    """The same header names as a plain request of the same operation, nothing more."""
    assert "x-injected" not in arrived.header_names
    assert sorted(arrived.header_names) == sorted(baseline.header_names)
    for line in arrived.header_lines:
        assert b"\r" not in line and b"\n" not in line and b"\x00" not in line


def test_hostile_ids_are_refused_or_arrive_as_one_segment(
    call: Caller, recorder: RecordingServer
) -> None:
    for name, (valid, template) in TARGETS.items():
        assert isinstance(call(name, valid), Failure)  # the 404 answer
        (baseline,) = recorder.take()
        for field in valid:
            for hostile in HOSTILE_IDS:
                result = call(name, {**valid, field: hostile})
                assert isinstance(result, Failure)
                arrived = recorder.take()
                error = result.failure()
                if isinstance(error, RequestValidationError):
                    assert error.field == field, (name, field, hostile, error)
                    assert arrived == [], (name, field, hostile)
                    continue
                assert len(arrived) == 1, (name, field, hostile, error)
                (request,) = arrived
                assert_no_injection(request, baseline)
                parts = urlsplit(request.target)
                assert parts.query == "" or name == "list"
                segments = parts.path.split("/")
                expected = template.split("/")
                assert len(segments) == len(expected), (name, field, hostile, parts.path)
                position = expected.index("{" + field + "}")
                # Exactly one segment, equal to the id once decoded; the others unchanged.
                assert unquote(segments[position], errors="strict") == hostile
                for index, part in enumerate(expected):
                    if index != position and part.startswith("{"):
                        assert segments[index] == valid[part[1:-1]]
    # The ids refused, on every adapter alike: only those a URL cannot carry as a segment.
    refused = [
        hostile
        for hostile in HOSTILE_IDS
        if isinstance(
            call("get", {"company_id": COMPANY, "customer_id": hostile}).failure(),
            RequestValidationError,
        )
    ]
    recorder.take()
    assert refused == ["..", ".", "\r", "\n", " ", "\t"]


@pytest.mark.parametrize(
    "value",
    [
        "a\r\nX-Injected: 1",
        "status=Active&orderBy=-id",
        "name~日本 #1 ?",
        "%2F../",
        "\x00\U0001f600",
        "",
    ],
)
def test_query_values_arrive_exactly(call: Caller, recorder: RecordingServer, value: str) -> None:
    assert isinstance(call("list", {"company_id": COMPANY}), Failure)
    (baseline,) = recorder.take()
    for name in ("list", "list_push_operations"):
        result = call(name, {"company_id": COMPANY, "query": value, "order_by": value})
        assert not isinstance(result.failure(), RequestValidationError)
        (arrived,) = recorder.take()
        assert_no_injection(arrived, baseline)
        parts = urlsplit(arrived.target)
        sent = parse_qsl(parts.query, keep_blank_values=True, errors="strict")
        assert sent == [("page", "1"), ("pageSize", "100"), ("query", value), ("orderBy", value)]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"http_headers": {"X-Trace": "a\r\nX-Injected: 1"}}, "http_headers.X-Trace"),
        ({"http_headers": {"X-Trace": "a\nb"}}, "http_headers.X-Trace"),
        ({"http_headers": {"X-Trace": "a\rb"}}, "http_headers.X-Trace"),
        ({"http_headers": {"X-Trace": "a\x00b"}}, "http_headers.X-Trace"),
        ({"http_headers": {"X-Trace": "é"}}, "http_headers.X-Trace"),
        (
            {"http_headers": {"Authorization": SECRET + "\r\nX-Injected: 1"}},
            "http_headers.Authorization",
        ),
        ({"http_headers": {"X-Injected: 1\r\nX-Trace": "1"}}, "http_headers"),
        ({"http_headers": {"X-Trace\r\n": "1"}}, "http_headers"),
        ({"http_headers": {"": "1"}}, "http_headers"),
        ({"http_headers": {"X Trace": "1"}}, "http_headers"),
        ({"http_headers": {"X-Trace": 1}}, "http_headers.X-Trace"),
        ({"idempotency_key": "k\r\nX-Injected: 1"}, "idempotency_key"),
        ({"idempotency_key": SECRET + "\n"}, "idempotency_key"),
    ],
)
def test_per_call_headers_with_line_breaks_are_refused_unsent(
    call: Caller, recorder: RecordingServer, options: dict[str, Any], field: str
) -> None:
    name = "create" if "idempotency_key" in options else "get"
    request: dict[str, Any] = (
        {"company_id": COMPANY, "connection_id": CONNECTION, "customer": {"status": "Active"}}
        if name == "create"
        else {"company_id": COMPANY, "customer_id": "C-1"}
    )
    result = call(name, request, **options)
    error = result.failure()
    assert isinstance(error, RequestValidationError), error
    assert error.field == field
    assert recorder.take() == []
    for text in (str(error), repr(error), error.problem):
        assert SECRET not in text
        assert "c2stdGVzdC05" not in text


header_values = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["\r\n", "a\rb", "\t tab", "x" * 300, "\x7f", "v\x00"]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=header_values)
def test_any_header_value_is_refused_or_arrives_as_one_header(
    recorder: RecordingServer, value: str
) -> None:
    caller = Caller(ADAPTERS[0], recorder.base_url)
    recorder.take()
    try:
        result = caller(
            "get", {"company_id": COMPANY, "customer_id": "C-1"}, http_headers={"X-Trace": value}
        )
    finally:
        caller.close()
    arrived = recorder.take()
    error = result.failure()
    if isinstance(error, RequestValidationError):
        assert error.field == "http_headers.X-Trace"
        assert arrived == []
        return
    (request,) = arrived
    assert "x-injected" not in request.header_names
    traces = [line for line in request.header_lines if line.lower().startswith(b"x-trace:")]
    assert len(traces) == 1
    # Leading and trailing blanks of a field value are not part of it (RFC 9110 5.5).
    assert traces[0].split(b":", 1)[1].strip(b" \t") == value.encode("ascii").strip(b" \t")
