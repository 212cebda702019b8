"""Review defects 1, 2, 3 and 11: the cache's per-call write check, its key, and credentials.

Every test runs over a real socket to a threaded pytest-httpserver whose handlers block on
events, so the interleavings the review found are forced, not hoped for.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from codat_customers.adapters.aiohttp import AiohttpTransport
from codat_customers.adapters.httpx import HttpxAsyncTransport
from codat_customers.core import ApiError, AsyncTransport, HttpRequest
from codat_customers.plugins import CachePlugin, CallContext, hookimpl
from pytest_httpserver import HTTPServer
from returns.io import IOResult
from returns.result import Success
from returns.unsafe import unsafe_perform_io
from werkzeug import Request, Response

from codat_customers import CodatAccounting, CodatCustomers

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"
CUSTOMER_PATH = f"/companies/{COMPANY}/data/customers/C-1"
PUSH_PATH = f"/companies/{COMPANY}/connections/{CONNECTION}/push/customers/C-1"
GET = {"company_id": COMPANY, "customer_id": "C-1"}
PUSH_BODY = {
    "companyId": COMPANY,
    "pushOperationKey": "0f0e0d0c-0b0a-0908-0706-050403020100",
    "dataConnectionKey": CONNECTION,
    "requestedOnUtc": "2024-01-01T00:00:00Z",
    "status": "Success",
    "statusCode": 200,
}
WAIT = 10


def update(name: str) -> dict[str, Any]:
    return {
        "company_id": COMPANY,
        "connection_id": CONNECTION,
        "customer_id": "C-1",
        "customer": {"status": "Active", "customer_name": name},
    }


def name_of(result: IOResult[Any, Any]) -> str:
    return str(unsafe_perform_io(result.unwrap()).customer_name)


def customer(name: str) -> Response:
    body = {"id": "C-1", "status": "Active", "customerName": name}
    return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    # Threaded: a handler blocked on an event must not hold up the next request.
    httpserver = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    httpserver.start()
    yield httpserver
    httpserver.clear()
    httpserver.stop()


def url(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


class Row:
    """The server's one customer row, read when a GET arrives and answered later."""

    def __init__(self) -> None:
        self.name = "Old Name"
        self.reads: list[tuple[threading.Event, threading.Event]] = []
        self.lock = threading.Lock()

    def expect_reads(self, count: int) -> None:
        self.reads = [(threading.Event(), threading.Event()) for _ in range(count)]

    def read(self, _: Request) -> Response:
        with self.lock:
            snapshot = self.name
            arrived, release = next(pair for pair in self.reads if not pair[0].is_set())
            arrived.set()
        assert release.wait(WAIT)
        return customer(snapshot)

    def write(self, request: Request) -> Response:
        with self.lock:
            self.name = json.loads(request.data)["customerName"]
        return Response(json.dumps(PUSH_BODY), content_type="application/json")


def test_slow_read_from_before_a_write_never_replaces_a_later_one(server: HTTPServer) -> None:
    """Defect 1: read A starts, the write completes, read B starts; B answers after A."""
    row = Row()
    row.expect_reads(2)
    server.expect_request(CUSTOMER_PATH, method="GET").respond_with_handler(row.read)
    server.expect_request(PUSH_PATH, method="PUT").respond_with_handler(row.write)
    cache = CachePlugin(ttl=300)
    seen: dict[str, str] = {}
    with CodatCustomers("key", server_url=url(server), retry_config=None, cache=cache) as client:

        def read(label: str) -> None:
            seen[label] = str(client.get(GET).unwrap().customer_name)

        first = threading.Thread(target=read, args=("A",))
        first.start()
        assert row.reads[0][0].wait(WAIT)  # A's row was read as "Old Name"
        client.update(update("New Name")).unwrap()
        second = threading.Thread(target=read, args=("B",))
        second.start()
        assert row.reads[1][0].wait(WAIT)  # B's row was read as "New Name"
        row.reads[0][1].set()  # A answers first...
        first.join(WAIT)
        row.reads[1][1].set()  # ...then B
        second.join(WAIT)
        assert seen == {"A": "Old Name", "B": "New Name"}
        # Whatever the cache holds now must be the post-write customer.
        row.expect_reads(1)
        row.reads[0][1].set()
        assert client.get(GET).unwrap().customer_name == "New Name"


class TenantAuth:
    """A per-tenant credential set by a plugin, the documented way to add headers."""

    def __init__(self) -> None:
        self.tenant = "tenant-A"

    @hookimpl
    def codat_prepare_request(self, request: HttpRequest, context: CallContext) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tenant}"}


def test_entries_are_never_shared_across_credentials_a_plugin_sets(server: HTTPServer) -> None:
    """Defect 2: the key is the Authorization header actually sent, not the built-in one."""

    def by_tenant(request: Request) -> Response:
        who = request.headers.get("Authorization")
        if who not in ("Bearer tenant-A", "Bearer tenant-B"):
            return Response(
                '{"error": "unauthorized", "statusCode": 401}',
                status=401,
                content_type="application/json",
            )
        return customer(f"data of {who}")

    server.expect_request(CUSTOMER_PATH).respond_with_handler(by_tenant)
    auth = TenantAuth()
    cache = CachePlugin()
    with CodatCustomers(server_url=url(server), cache=cache, plugins=[auth]) as client:
        assert client.get(GET).unwrap().customer_name == "data of Bearer tenant-A"
        auth.tenant = "tenant-B"
        assert client.get(GET).unwrap().customer_name == "data of Bearer tenant-B"
        auth.tenant = "tenant-C"  # a key the server rejects gets the server's answer
        rejected = client.get(GET)
        assert isinstance(rejected.failure(), ApiError)
        assert rejected.failure().status == 401
        auth.tenant = "tenant-A"  # and the first tenant's entry is still its own
        assert client.get(GET).unwrap().customer_name == "data of Bearer tenant-A"
    assert len(server.log) == 3
    assert cache.hits == 1


def test_a_rotating_credential_is_asked_once_per_call(server: HTTPServer) -> None:
    """Defect 11: one provider call per call; the cache key and the header agree."""
    server.expect_request(CUSTOMER_PATH).respond_with_handler(
        lambda request: customer(f"data for {request.headers['Authorization']}")
    )
    asked: list[str] = []
    keys = itertools.cycle(["key-A", "key-B"])

    def provider() -> str:
        asked.append(next(keys))
        return asked[-1]

    cache = CachePlugin()
    with CodatCustomers(provider, server_url=url(server), cache=cache) as client:
        first = client.get(GET).unwrap().customer_name
        assert asked == ["key-A"]
        second = client.get(GET).unwrap().customer_name  # key-B: not key-A's entry
        assert asked == ["key-A", "key-B"]
        third = client.get(GET).unwrap().customer_name  # key-A again: its own entry
    sent = [entry[0].headers["Authorization"] for entry in server.log]
    assert sent == ["Basic a2V5LUE=", "Basic a2V5LUI="]
    assert first == third == "data for Basic a2V5LUE="
    assert second == "data for Basic a2V5LUI="
    assert cache.hits == 1


ASYNC_TRANSPORTS: dict[str, Callable[[], AsyncTransport | None]] = {
    "threaded": lambda: None,
    "httpx": HttpxAsyncTransport,
    "aiohttp": AiohttpTransport,
}


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS)
def test_a_cancelled_async_write_still_invalidates(server: HTTPServer, transport: str) -> None:
    """Defect 3: the write reached the server, then its task was cancelled."""
    row = Row()
    written = threading.Event()
    release = threading.Event()

    def slow_write(request: Request) -> Response:
        row.write(request)
        written.set()
        assert release.wait(WAIT)
        return Response(json.dumps(PUSH_BODY), content_type="application/json")

    server.expect_request(CUSTOMER_PATH, method="GET").respond_with_handler(
        lambda _: customer(row.name)
    )
    server.expect_request(PUSH_PATH, method="PUT").respond_with_handler(slow_write)
    cache = CachePlugin(ttl=300)
    client = CodatCustomers(
        "key",
        server_url=url(server),
        retry_config=None,
        cache=cache,
        async_transport=ASYNC_TRANSPORTS[transport](),
    )

    async def scenario() -> str:
        assert name_of(await client.get_async(GET)) == "Old Name"
        task = asyncio.ensure_future(client.update_async(update("New Name")).awaitable())
        assert await asyncio.to_thread(written.wait, WAIT)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        name = name_of(await client.get_async(GET))
        await client.aclose()
        return name

    try:
        assert asyncio.run(scenario()) == "New Name"
    finally:
        release.set()
    assert cache._pending == {}  # no per-call state left behind by the cancelled calls


class FailingObserver:
    """A plugin whose observer raises: the call ends with the exception, not a Result."""

    @hookimpl
    def codat_observe_attempt(self, **_: object) -> None:
        raise RuntimeError("observer bug")


def test_a_write_that_ends_in_an_exception_still_invalidates(server: HTTPServer) -> None:
    row = Row()
    server.expect_request(CUSTOMER_PATH, method="GET").respond_with_handler(
        lambda _: customer(row.name)
    )
    server.expect_request(PUSH_PATH, method="PUT").respond_with_handler(row.write)
    cache = CachePlugin(ttl=300)
    with CodatCustomers("key", server_url=url(server), retry_config=None, cache=cache) as client:
        assert client.get(GET).unwrap().customer_name == "Old Name"
        client.register_plugin(FailingObserver(), name="failing")
        with pytest.raises(RuntimeError, match="observer bug"):
            client.update(update("New Name"))
        client.plugin_manager.unregister(name="failing")
        assert client.get(GET).unwrap().customer_name == "New Name"
    assert cache._pending == {}


def test_hammered_cache_never_serves_a_read_older_than_a_completed_write(
    server: HTTPServer,
) -> None:
    """Readers and writers on one customer from many threads, with the cache on.

    Every write stores a higher version. A read that *starts* after a write completed must
    see at least that write's version, whether the cache or the server answers it.
    """
    state = {"version": 0}
    lock = threading.Lock()

    jitter = random.Random(7)

    def read(_: Request) -> Response:
        with lock:
            version = state["version"]
            pause = jitter.random() * 0.004
        time.sleep(pause)  # the row was read; the answer travels for a while
        return customer(str(version))

    def write(request: Request) -> Response:
        with lock:
            state["version"] = max(state["version"], int(json.loads(request.data)["customerName"]))
        return Response(json.dumps(PUSH_BODY), content_type="application/json")

    server.expect_request(CUSTOMER_PATH, method="GET").respond_with_handler(read)
    server.expect_request(PUSH_PATH, method="PUT").respond_with_handler(write)
    completed = {"version": 0}
    completed_lock = threading.Lock()
    versions = itertools.count(1)
    stale: list[tuple[int, int]] = []
    cache = CachePlugin(ttl=300)
    client = CodatCustomers("key", server_url=url(server), retry_config=None, cache=cache)

    def writer() -> None:
        for _ in range(25):
            with completed_lock:
                version = next(versions)
            client.update(update(str(version))).unwrap()
            with completed_lock:
                completed["version"] = max(completed["version"], version)

    def reader() -> None:
        for _ in range(60):
            with completed_lock:
                floor = completed["version"]
            seen = int(str(client.get(GET).unwrap().customer_name))
            if seen < floor:
                stale.append((seen, floor))

    threads = [threading.Thread(target=writer) for _ in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    client.close()
    assert stale == []
    assert cache.hits > 0  # the cache really answered some reads
    assert cache._pending == {}


@pytest.mark.parametrize(
    "timeout_ms", [0, -5, -0.5, float("nan"), float("inf"), 2**31, 1e13, True, "5"]
)
def test_timeout_ms_must_be_positive_on_every_face(server: HTTPServer, timeout_ms: Any) -> None:
    """Defect 6: rejected by name before any byte is sent; never a raw ValueError."""
    request = {"company_id": COMPANY}
    with CodatCustomers("key", server_url=url(server)) as client:
        result = client.list(request, timeout_ms=timeout_ms)
        error = result.failure()
        assert getattr(error, "field", None) == "timeout_ms"
        future = asyncio.run(client.list_async(request, timeout_ms=timeout_ms).awaitable())
        assert getattr(unsafe_perform_io(future.failure()), "field", None) == "timeout_ms"
    sdk = CodatAccounting(security="key", server_url=url(server))
    with pytest.raises(ValueError, match="timeout_ms"):
        sdk.customers.list(request=request, timeout_ms=timeout_ms)
    with pytest.raises(ValueError, match="timeout_ms"):
        CodatCustomers("key", server_url=url(server), timeout_ms=timeout_ms)
    assert server.log == []


@pytest.mark.parametrize("server_url", ["api.codat.io", "ftp://x", "http://", 5])
def test_a_server_url_that_is_not_http_is_rejected_by_name(server_url: Any) -> None:
    with CodatCustomers("key") as client:
        error = client.list({"company_id": COMPANY}, server_url=server_url).failure()
    assert getattr(error, "field", None) == "server_url"
    with pytest.raises(ValueError, match="server_url"):
        CodatCustomers("key", server_url=server_url)


def test_a_secret_in_a_server_url_is_not_echoed() -> None:
    with CodatCustomers("key") as client:
        error = client.list({"company_id": COMPANY}, server_url="ftp://user:hunter2@x").failure()
    assert "hunter2" not in str(error)


def test_a_positive_timeout_still_works(server: HTTPServer) -> None:
    server.expect_request(CUSTOMER_PATH).respond_with_handler(lambda _: customer("ok"))
    with CodatCustomers("key", server_url=url(server)) as client:
        assert isinstance(client.get(GET, timeout_ms=2500), Success)
        assert isinstance(client.get(GET, timeout_ms=0.5e4), Success)
