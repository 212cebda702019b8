"""One close semantics for every adapter, and async clients that outlive an event loop (issue 16).

* ``close()`` / ``aclose()`` releases pooled connections; a transport that made its own
  client stays usable and reconnects lazily (#8).
* A transport that owns its async client makes a new one in a new event loop, and the old
  one is closed by its own loop without warnings (#7).
* A client or session the user passed and then closed, or whose event loop has ended, is
  a :class:`TransportUnavailableError`, which the retry policy does not retry.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Callable
from typing import Any

import aiohttp
import httpx
import pytest
from codat_customers.adapters.aiohttp import AiohttpTransport
from codat_customers.adapters.httpx import HttpxAsyncTransport, HttpxTransport
from codat_customers.core import AsyncTransport, TransportUnavailableError
from codat_customers.sandbox import SandboxServer
from conformance_support import ADAPTERS, AttemptCounter, Driver
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

from codat_customers import CodatCustomers
from codat_customers.adapters.threaded import ThreadedAsyncTransport
from codat_customers.utils import BackoffStrategy, RetryConfig

RETRY_EVERYTHING = RetryConfig("backoff", BackoffStrategy(1, 5, 1.5, 2_000), True)
ASYNC_OWNED: dict[str, Callable[[], AsyncTransport]] = {
    adapter.id: adapter.make_async for adapter in ADAPTERS if adapter.make_async is not None
}


def page_request(sandbox: SandboxServer) -> dict[str, Any]:
    return {"company_id": sandbox.company_id, "page_size": 2}


def test_a_closed_transport_reopens(driver: Driver) -> None:
    """#8: the same answer before and after close, on every adapter."""
    client = driver.client()
    request = page_request(driver.sandbox)
    for _ in range(2):
        assert isinstance(driver.invoke("result", client, "list", request), Success)
        if driver.is_async:
            driver.run(client.aclose())
        else:
            client.close()
    assert isinstance(driver.invoke("result", client, "list", request), Success)


def run_twice(client: CodatCustomers, request: dict[str, Any]) -> list[Result[Any, Any]]:
    """One call in each of two successive ``asyncio.run()`` loops, then an aclose in a third."""

    async def call() -> Result[Any, Any]:
        return unsafe_perform_io(await client.list_async(request).awaitable())

    results = [asyncio.run(call()), asyncio.run(call())]
    asyncio.run(client.aclose())
    return results


@pytest.mark.parametrize("name", sorted(ASYNC_OWNED))
def test_an_owned_async_client_survives_a_second_event_loop(
    sandbox: SandboxServer, name: str
) -> None:
    """#7: a new client per loop; the old one is closed by its loop, without a warning."""
    client = CodatCustomers(
        sandbox.auth_header,
        server_url=sandbox.base_url,
        retry_config=None,
        async_transport=ASYNC_OWNED[name](),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = run_twice(client, page_request(sandbox))
        gc.collect()
    assert all(isinstance(r, Success) for r in results), results
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def user_clients() -> dict[str, tuple[Callable[[], Any], Callable[[Any], AsyncTransport]]]:
    return {
        "httpx-async": (httpx.AsyncClient, HttpxAsyncTransport),
        "aiohttp": (aiohttp.ClientSession, AiohttpTransport),
    }


@pytest.mark.parametrize("name", sorted(user_clients()))
def test_a_user_async_client_from_an_ended_loop_is_unavailable(
    sandbox: SandboxServer, name: str
) -> None:
    """#7: a clear error, tried once, instead of a raw RuntimeError out of the Result API."""
    make_library_client, make_transport = user_clients()[name]
    counter = AttemptCounter()

    async def first_loop() -> tuple[Any, CodatCustomers]:
        library_client = make_library_client()  # aiohttp insists on a running loop
        client = CodatCustomers(
            sandbox.auth_header,
            server_url=sandbox.base_url,
            retry_config=RETRY_EVERYTHING,
            async_transport=make_transport(library_client),
            plugins=[counter],
        )
        assert isinstance(
            unsafe_perform_io(await client.list_async(page_request(sandbox)).awaitable()), Success
        )
        return library_client, client

    _library_client, client = asyncio.run(first_loop())

    async def second_loop() -> Result[Any, Any]:
        return unsafe_perform_io(await client.list_async(page_request(sandbox)).awaitable())

    with warnings.catch_warnings():
        # The user's client is left as its dead loop left it; closing it is the user's job.
        warnings.simplefilter("ignore", ResourceWarning)
        outcome = asyncio.run(second_loop())
        gc.collect()
    assert isinstance(outcome, Failure), outcome
    assert isinstance(outcome.failure(), TransportUnavailableError), repr(outcome.failure())
    assert counter.attempts == [200, "TransportUnavailableError"]  # not retried


def test_a_user_client_closed_by_its_owner_is_unavailable(sandbox: SandboxServer) -> None:
    """#8: a closed ``httpx.Client`` / ``AsyncClient`` / ``ClientSession`` you passed."""
    counter = AttemptCounter()
    request = page_request(sandbox)

    def client(**transports: Any) -> CodatCustomers:
        return CodatCustomers(
            sandbox.auth_header,
            server_url=sandbox.base_url,
            retry_config=RETRY_EVERYTHING,
            plugins=[counter],
            **transports,
        )

    sync_client = httpx.Client()
    sync_client.close()
    outcomes: list[Result[Any, Any]] = [client(transport=HttpxTransport(sync_client)).list(request)]

    async def closed_async() -> None:
        async_client = httpx.AsyncClient()
        await async_client.aclose()
        session = aiohttp.ClientSession()
        await session.close()
        for transport in (HttpxAsyncTransport(async_client), AiohttpTransport(session)):
            future = client(async_transport=transport).list_async(request)
            outcomes.append(unsafe_perform_io(await future.awaitable()))

    asyncio.run(closed_async())
    for outcome in outcomes:
        assert isinstance(outcome, Failure), outcome
        assert isinstance(outcome.failure(), TransportUnavailableError), repr(outcome.failure())
    assert counter.attempts == ["TransportUnavailableError"] * 3  # none retried


def test_the_threaded_transport_survives_a_second_event_loop(sandbox: SandboxServer) -> None:
    """The default async transport has no loop-bound state at all."""
    client = CodatCustomers(
        sandbox.auth_header,
        server_url=sandbox.base_url,
        async_transport=ThreadedAsyncTransport(HttpxTransport()),
    )
    assert all(isinstance(r, Success) for r in run_twice(client, page_request(sandbox)))
