"""Retries, shared use from many threads or tasks, and the bounded concurrent helper."""

from __future__ import annotations

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from codat_customers.core import GET, ApiError, AsyncTransport, HttpRequest, HttpResponse
from codat_customers.plugins import BackoffStrategy, RetryConfig
from codat_customers.sandbox import SandboxServer
from conformance_support import AttemptCounter, Driver
from returns.result import Result, Success

from codat_customers import CodatCustomers
from codat_customers.concurrency import gather_customers

QUICK_RETRY = RetryConfig("backoff", BackoffStrategy(10, 5_000, 1.5, 30_000), True)


def _customer_ids(sandbox: SandboxServer, client: CodatCustomers) -> list[str]:
    page = client.list({"company_id": sandbox.company_id, "page_size": 200}).unwrap()
    return [customer.id for customer in page.results or []]


def test_rate_limit_is_retried_after_retry_after(driver: Driver, faults: SandboxServer) -> None:
    # One request per window: the second call gets 429 with Retry-After: 1 and must wait
    # for it (not for the 10 ms backoff) before succeeding.
    faults.set_faults(
        rate_limit=1, rate_limit_window=1.0, retry_after=1, operations=["get-customer"]
    )
    counter = AttemptCounter()
    client = driver.client(retry_config=QUICK_RETRY, plugins=[counter])
    request = {"company_id": faults.company_id, "customer_id": faults.customer_id}
    assert isinstance(driver.invoke("result", client, "get", request), Success)
    started = time.monotonic()
    second = driver.invoke("result", client, "get", request)
    waited = time.monotonic() - started
    assert second.unwrap().id == faults.customer_id
    assert counter.attempts == [200, 429, 200]
    assert 0.9 <= waited < 5


def _check(pairs: list[tuple[str, Result[Any, Any]]]) -> None:
    for wanted, result in pairs:
        assert result.unwrap().id == wanted


def test_concurrent_use_loses_and_crosses_nothing(driver: Driver) -> None:
    client = driver.client()
    ids = _customer_ids(driver.sandbox, client)
    company = driver.sandbox.company_id
    if driver.is_async:
        # 100 tasks on one client, each asking for its own customer.
        async def one(customer_id: str) -> tuple[str, Result[Any, Any]]:
            request = {"company_id": company, "customer_id": customer_id}
            return customer_id, await client.call_async(GET, request)

        async def all_tasks() -> list[tuple[str, Result[Any, Any]]]:
            return await asyncio.gather(*(one(customer_id) for customer_id in ids[:100]))

        pairs = driver.run(all_tasks())
        assert len(pairs) == 100
    else:
        # 16 threads sharing one client, 120 distinct customers between them.
        def one_sync(customer_id: str) -> tuple[str, Result[Any, Any]]:
            return customer_id, client.get({"company_id": company, "customer_id": customer_id})

        with ThreadPoolExecutor(16) as pool:
            pairs = list(pool.map(one_sync, ids))
        assert len(pairs) == len(ids) >= 120
    _check(pairs)


class InFlight:
    """An async transport that forwards to another and records the peak of concurrent sends."""

    def __init__(self, inner: AsyncTransport) -> None:
        self.inner = inner
        self.current = self.peak = 0

    async def send(
        self, request: HttpRequest, *, base_url: str, timeout: float | None
    ) -> HttpResponse:
        self.current += 1
        self.peak = max(self.peak, self.current)
        try:
            return await self.inner.send(request, base_url=base_url, timeout=timeout)
        finally:
            self.current -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_gather_customers_bounds_requests_in_flight(driver: Driver, faults: SandboxServer) -> None:
    # Latency makes requests overlap, so the bound is what limits them.
    faults.set_faults(latency_ms=30, operations=["list-customers"])
    client = driver.client()
    counting = InFlight(client.async_transport)
    client.async_transport = counting
    unknown = [str(uuid.uuid4()) for _ in range(10)]
    companies = [faults.company_id, faults.unsynced_company_id, *unknown]

    gathering = gather_customers(client, companies, max_in_flight=3, page_size=50)
    results = driver.run(gathering) if driver.is_async else asyncio.run(gathering)

    assert list(results) == companies
    assert len(results[faults.company_id].unwrap()) >= 120
    for company_id, status in [(faults.unsynced_company_id, 409)] + [(u, 404) for u in unknown]:
        error = results[company_id].failure()
        assert isinstance(error, ApiError) and error.status == status, (company_id, error)
    assert 2 <= counting.peak <= 3
