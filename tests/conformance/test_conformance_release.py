"""Every response is released exactly once, on every adapter (issue 16).

The property test drives each adapter with odd answers from a scripted server (2xx other
than 200, errors, bodies cut short, stalls) and every way of consuming a call (reading,
iterating, closing early, a sync ``with`` on an async download, cancelling the send or the
read) and checks, after each example, that no connection is still checked out, that none
sits twice in an idle pool, and, once the transport's pool is closed, that the process has
no more file descriptors than before. The named tests below pin each reported defect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from codat_customers.adapters.httpx import HttpxTransport
from codat_customers.core import ProtocolError, ResponseError
from codat_customers.sandbox import SandboxServer
from conformance_support import ADAPTERS, Adapter, Driver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from release_support import (
    CUSTOMER_JSON,
    DOWNLOAD,
    GET,
    Script,
    ScriptedServer,
    checked_out,
    eventually,
    open_fds,
    pooled_twice,
    transport_of,
)
from returns.io import IOResult
from returns.result import Failure
from returns.unsafe import unsafe_perform_io

from codat_customers import AttachmentDownload, CodatCustomers

SYNC_ACTIONS = ["read", "iterate", "close_unread", "close_after_chunk", "drop_with"]
ASYNC_ACTIONS = [*SYNC_ACTIONS, "cancel_send", "cancel_read", "sync_with"]
CANCEL_AFTER = 0.05  # seconds an async call may take before the test cancels it
SERVER_WAIT = 0.3  # how long the server holds an answer the test cancels


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.stop()


@pytest.fixture(
    params=[a for a in ADAPTERS if a.is_async], ids=[a.id for a in ADAPTERS if a.is_async]
)
def async_driver(request: pytest.FixtureRequest, sandbox: SandboxServer) -> Iterator[Driver]:
    """A driver for each async adapter (cancellation and async downloads are theirs alone)."""
    adapter: Adapter = request.param
    runner = Driver(adapter, sandbox)
    yield runner
    runner.close()


async def download_async(client: CodatCustomers) -> AttachmentDownload:
    outcome = await client.download_attachment_async(DOWNLOAD).awaitable()
    download: AttachmentDownload = unsafe_perform_io(outcome).unwrap()
    return download


@dataclass(frozen=True)
class Scenario:
    operation: str  # "download_attachment" or "get"
    status: int
    size: int
    cut_short: bool
    action: str

    def script(self) -> Script:
        body = CUSTOMER_JSON if self.operation == "get" else b"b" * self.size
        return Script(
            status=self.status,
            body=body,
            content_type="application/json" if self.operation == "get" else "text/plain",
            missing=7 if self.cut_short else 0,
            delay_headers=SERVER_WAIT if self.action == "cancel_send" else 0.0,
            stall_after=min(100, len(body)) if self.action == "cancel_read" else None,
            stall=SERVER_WAIT if self.action == "cancel_read" else 0.0,
        )


def scenarios(actions: list[str]) -> st.SearchStrategy[Scenario]:
    return st.builds(
        Scenario,
        operation=st.sampled_from(["download_attachment", "download_attachment", "get"]),
        status=st.sampled_from([200, 200, 200, 204, 206, 404, 500, 503]),
        size=st.integers(0, 300_000),
        cut_short=st.booleans(),
        action=st.sampled_from(actions),
    )


def request_of(operation: str) -> dict[str, str]:
    return DOWNLOAD if operation == "download_attachment" else GET


def consume_sync(client: CodatCustomers, scenario: Scenario, held: list[object]) -> None:
    result = getattr(client, scenario.operation)(request_of(scenario.operation))
    held.append(result)
    value = result.value_or(None)
    if not isinstance(value, AttachmentDownload):
        return
    try:
        if scenario.action == "read":
            value.read()
        elif scenario.action == "iterate":
            for _ in value.iter_bytes(4096):
                pass
        elif scenario.action == "close_unread":
            value.close()
        elif scenario.action == "close_after_chunk":
            chunks = value.iter_bytes(4096)
            next(chunks, None)
            chunks.close()
        else:  # drop_with
            with value:
                next(value.iter_bytes(1024), None)
    except ProtocolError:
        assert scenario.cut_short
    assert value.is_closed


async def consume_async(client: CodatCustomers, scenario: Scenario, held: list[object]) -> None:
    call = getattr(client, scenario.operation + "_async")(request_of(scenario.operation))
    if scenario.action == "cancel_send":
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(call.awaitable(), CANCEL_AFTER)
        return
    io: IOResult[Any, Any] = await call.awaitable()
    result = unsafe_perform_io(io)
    held.append(result)
    value = result.value_or(None)
    if not isinstance(value, AttachmentDownload):
        return
    try:
        if scenario.action == "read":
            await value.aread()
        elif scenario.action == "iterate":
            async for _ in value.aiter_bytes(4096):
                pass
        elif scenario.action == "close_unread":
            await value.aclose()
        elif scenario.action == "close_after_chunk":
            async with value:
                async for _ in value.aiter_bytes(4096):
                    break
        elif scenario.action == "drop_with":
            async with value:
                pass
        elif scenario.action == "cancel_read":
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(value.aread(), CANCEL_AFTER)
        else:  # sync_with: the sync context manager on an async download, inside the loop
            with value:
                pass
    except ProtocolError:
        assert scenario.cut_short


def assert_released(driver: Driver, client: CodatCustomers, baseline_fds: int) -> None:
    transport = transport_of(client, driver.is_async)
    assert eventually(lambda: checked_out(transport) == 0), "a connection was never released"
    assert pooled_twice(transport) == [], "a connection was given back to its pool twice"
    # Close the pool (the transport stays usable and reconnects), then every socket of the
    # example must be gone, on both sides of the loopback connection.
    if driver.is_async:
        driver.run(client.aclose())
    else:
        client.close()
    assert eventually(lambda: open_fds() <= baseline_fds), (
        f"{open_fds() - baseline_fds} file descriptor(s) leaked"
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_response_is_released_exactly_once(
    driver: Driver, scripted: ScriptedServer, data: st.DataObject
) -> None:
    client = driver.client(server_url=scripted.base_url)
    baseline = open_fds()
    scenario = data.draw(scenarios(ASYNC_ACTIONS if driver.is_async else SYNC_ACTIONS))
    scripted.script = scenario.script()
    held: list[object] = []  # keeps every result alive: a leak must not be hidden by GC
    if driver.is_async:
        driver.run(consume_async(client, scenario, held))
    else:
        consume_sync(client, scenario, held)
    assert_released(driver, client, baseline)


# --- the reported defects, one by one -----------------------------------------------------


def start(driver: Driver, scripted: ScriptedServer, script: Script) -> tuple[CodatCustomers, int]:
    """A client on ``driver``'s adapter, the descriptor baseline, and the server's answer."""
    client = driver.client(server_url=scripted.base_url)
    baseline = open_fds()
    scripted.script = script
    return client, baseline


def test_cancelled_async_download_is_released(
    async_driver: Driver, scripted: ScriptedServer
) -> None:
    """#4: a download whose awaiting task is cancelled while it is still being sent."""
    driver = async_driver
    client, baseline = start(
        driver, scripted, Script(body=b"x" * 200_000, delay_headers=SERVER_WAIT)
    )

    async def cancel_three() -> None:
        for _ in range(3):
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(
                    client.download_attachment_async(DOWNLOAD).awaitable(), CANCEL_AFTER
                )

    driver.run(cancel_three())
    assert_released(driver, client, baseline)


def test_cancelled_async_read_is_released(async_driver: Driver, scripted: ScriptedServer) -> None:
    """#4: a download whose ``aread`` / ``aiter_bytes`` is cancelled mid-body."""
    driver = async_driver
    client, baseline = start(
        driver, scripted, Script(body=b"x" * 50_000, stall_after=100, stall=SERVER_WAIT)
    )

    async def cancel_reads() -> list[AttachmentDownload]:
        downloads = []
        for reader in ("aread", "aiter_bytes"):
            download = await download_async(client)
            downloads.append(download)

            async def read(d: AttachmentDownload = download, how: str = reader) -> None:
                if how == "aread":
                    await d.aread()
                else:
                    async for _ in d.aiter_bytes(16):
                        pass

            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(read(), CANCEL_AFTER)
        return downloads

    held = driver.run(cancel_reads())
    assert_released(driver, client, baseline)
    assert held


def test_threaded_transport_over_a_bounded_pool_survives_cancelled_downloads(
    scripted: ScriptedServer,
) -> None:
    """#4 as reported: over an httpx pool of two, cancelled downloads used to exhaust it."""
    scripted.script = Script(body=b"x" * 200_000, delay_headers=0.15)
    pool = httpx.Client(timeout=None, limits=httpx.Limits(max_connections=2))
    client = CodatCustomers("key", server_url=scripted.base_url, transport=HttpxTransport(pool))

    async def main() -> object:
        for _ in range(4):
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.download_attachment_async(DOWNLOAD).awaitable(), 0.03)
        await asyncio.sleep(0.4)  # the abandoned sends finish in their worker threads
        download = await asyncio.wait_for(download_async(client), 5)
        return await download.aread()

    try:
        assert asyncio.run(main()) == b"x" * 200_000
    finally:
        pool.close()


@pytest.mark.parametrize("status", [204, 206])
def test_download_answered_another_2xx_is_an_error_with_its_body(
    driver: Driver, scripted: ScriptedServer, style: Any, status: int
) -> None:
    """#5: only 200 is a download's success; the error keeps status, type and body."""
    client = driver.client(server_url=scripted.base_url)
    baseline = open_fds()
    body = b"" if status == 204 else b"partial body " * 100
    scripted.script = Script(status=status, body=body, content_type="text/plain")
    for _ in range(3):
        outcome = driver.invoke(style, client, "download_attachment", DOWNLOAD)
        assert isinstance(outcome, Failure), outcome
        error = outcome.failure()
        if style == "result":
            assert isinstance(error, ResponseError)
            assert (error.status, error.content_type, error.body) == (status, "text/plain", body)
        else:
            assert error.status_code == status
            assert error.body == body.decode()
    assert_released(driver, client, baseline)


def test_sync_close_of_an_async_download_releases_it(
    async_driver: Driver, scripted: ScriptedServer
) -> None:
    """#9: ``close()`` / a plain ``with`` on a download from ``*_async`` really releases it."""
    driver = async_driver
    client, baseline = start(driver, scripted, Script(body=b"x" * 100_000))

    async def open_and_close() -> list[AttachmentDownload]:
        downloads = []
        for _ in range(5):
            download = await download_async(client)
            downloads.append(download)
            with download:
                pass
        for download in downloads:
            await download.aclose()  # waits for a release close() had to schedule
            assert download.is_closed
        return downloads

    held = driver.run(open_and_close())
    assert_released(driver, client, baseline)
    assert all(d.is_closed for d in held)


def test_text_with_an_unknown_charset_falls_back_to_utf8(
    driver: Driver, scripted: ScriptedServer
) -> None:
    """#10: ``AttachmentDownload.text`` decodes as UTF-8 when the charset is unknown."""
    client = driver.client(server_url=scripted.base_url)
    scripted.script = Script(body="héllo".encode(), content_type="text/plain; charset=x-unknown-8")
    if driver.is_async:

        async def text() -> str:
            download = await download_async(client)
            await download.aread()
            return download.text

        assert driver.run(text()) == "héllo"
    else:
        assert client.download_attachment(DOWNLOAD).unwrap().text == "héllo"
