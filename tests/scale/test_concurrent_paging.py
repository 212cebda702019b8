"""Concurrent paging (issue 14): in order, bounded, failing clearly, stopping cleanly."""

from __future__ import annotations

import asyncio
import time

import pytest
from codat_customers.adapters.urllib3 import Urllib3Transport
from codat_customers.core import ConnectError
from codat_customers.core.models import Customer, Customers
from codat_customers.sandbox import SandboxServer
from returns.result import Failure, Success
from scale_support import CUSTOMERS, CountingTransport

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.paging import MAX_PAGE_CONCURRENCY, PagePlan

PAGE_SIZE = 50
PAGES = CUSTOMERS // PAGE_SIZE


def make_sdk(
    sandbox: SandboxServer, fail_page: int | None = None
) -> tuple[CodatAccounting, CountingTransport]:
    counting = CountingTransport(Urllib3Transport(), fail_page=fail_page)
    sdk = CodatAccounting(
        security=sandbox.api_key, server_url=sandbox.base_url, retry_config=None, transport=counting
    )
    return sdk, counting


def request(sandbox: SandboxServer) -> dict[str, object]:
    return {"company_id": sandbox.company_id, "page_size": PAGE_SIZE}


@pytest.fixture(scope="module")
def expected_ids(scale_sandbox: SandboxServer) -> list[str]:
    sdk, _ = make_sdk(scale_sandbox)
    with sdk:
        return [c.id for c in sdk.customers.iter_all(request(scale_sandbox))]


def page(number: int, size: int, total: int, count: int | None = None) -> Success[Customers]:
    results = [
        Customer(id=f"{number}-{i}", status="Active")
        for i in range(size if count is None else count)
    ]
    return Success(
        Customers(
            results=results, page_number=number, page_size=size, total_results=total, links=None
        )  # type: ignore[arg-type]
    )


# The pure plan -----------------------------------------------------------------------


def test_the_plan_starts_with_the_first_page_alone_then_keeps_the_bound() -> None:
    plan = PagePlan({"company_id": "c", "page_size": 10, "page": 2}, concurrency=3)
    assert plan.start() == [{"company_id": "c", "page_size": 10, "page": 2}]
    assert plan.start() == []  # nothing more before totalResults is known
    plan.arrived(page(2, 10, 65))
    assert [r.page for r in plan.start()] == [3, 4, 5]  # type: ignore[attr-defined]
    assert plan.start() == []
    plan.arrived(page(3, 10, 65))
    assert [r.page for r in plan.start()] == [6]  # type: ignore[attr-defined]
    plan.arrived(page(4, 10, 65))
    assert [r.page for r in plan.start()] == [7]  # type: ignore[attr-defined]
    plan.arrived(page(5, 10, 65))
    assert plan.start() == []  # page 7 is the last
    plan.arrived(page(6, 10, 65))
    plan.arrived(page(7, 10, 65, count=5))
    assert plan.finished


def test_the_plan_ends_on_a_failure_an_empty_page_or_a_repeated_page() -> None:
    failed = PagePlan({"company_id": "c"}, concurrency=2)
    failed.start()
    failed.arrived(Failure(ConnectError("x")))
    assert failed.finished and failed.start() == []

    shrunk = PagePlan({"company_id": "c", "page_size": 10}, concurrency=4)
    shrunk.start()
    shrunk.arrived(page(1, 10, 100))
    assert len(shrunk.start()) == 4
    shrunk.arrived(page(2, 10, 100, count=0))  # the data shrank under us
    assert shrunk.finished

    ignored = PagePlan({"company_id": "c", "page_size": 10}, concurrency=2)
    ignored.start()
    ignored.arrived(page(1, 10, 100))
    ignored.start()
    ignored.arrived(page(1, 10, 100))  # the server ignored ``page``
    assert ignored.finished


@pytest.mark.parametrize("bad", [0, -1, MAX_PAGE_CONCURRENCY + 1, 2.5, True, "4"])
def test_concurrency_is_checked_when_iteration_is_asked_for(bad: object) -> None:
    client = CodatCustomers("key", server_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="concurrency must be an int from 1 to 10"):
        client.iter_pages({"company_id": "c"}, concurrency=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="concurrency"):
        client.aiter_pages({"company_id": "c"}, concurrency=bad)  # type: ignore[arg-type]


# Against the sandbox -------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 2, 4])
def test_iter_all_yields_every_customer_in_order_within_the_bound(
    scale_sandbox: SandboxServer, expected_ids: list[str], concurrency: int
) -> None:
    sdk, counting = make_sdk(scale_sandbox)
    with sdk:
        ids = [
            c.id for c in sdk.customers.iter_all(request(scale_sandbox), concurrency=concurrency)
        ]
    assert ids == expected_ids
    assert len(ids) == CUSTOMERS
    assert sorted(counting.pages) == list(range(1, PAGES + 1))
    assert counting.peak == concurrency


def test_concurrent_paging_is_faster_with_latency(scale_sandbox: SandboxServer) -> None:
    sdk, _ = make_sdk(scale_sandbox)
    with sdk:
        started = time.perf_counter()
        sum(1 for _ in sdk.customers.iter_all(request(scale_sandbox)))
        sequential = time.perf_counter() - started
        started = time.perf_counter()
        sum(1 for _ in sdk.customers.iter_all(request(scale_sandbox), concurrency=4))
        concurrent = time.perf_counter() - started
    assert concurrent < sequential * 0.75, (sequential, concurrent)


def test_aiter_all_yields_every_customer_in_order_within_the_bound(
    scale_sandbox: SandboxServer, expected_ids: list[str]
) -> None:
    sdk, counting = make_sdk(scale_sandbox)

    async def collect() -> list[str]:
        return [c.id async for c in sdk.customers.aiter_all(request(scale_sandbox), concurrency=3)]

    with sdk:
        assert asyncio.run(collect()) == expected_ids
    assert counting.peak == 3


def test_a_failed_page_fails_the_iteration_clearly_and_earlier_data_stays(
    scale_sandbox: SandboxServer, expected_ids: list[str]
) -> None:
    sdk, counting = make_sdk(scale_sandbox, fail_page=5)
    seen: list[str] = []
    with sdk, pytest.raises(ConnectError, match="page 5 refused") as raised:
        for customer in sdk.customers.iter_all(request(scale_sandbox), concurrency=4):
            seen.append(customer.id)
    assert seen == expected_ids[: 4 * PAGE_SIZE]
    assert any("failed at page 5" in note for note in raised.value.__notes__)
    assert counting.running == 0  # nothing left on the wire
    assert max(counting.pages) <= 5 + 4


def test_the_result_api_yields_the_failure_and_ends(scale_sandbox: SandboxServer) -> None:
    counting = CountingTransport(Urllib3Transport(), fail_page=3)
    client = CodatCustomers(
        scale_sandbox.api_key,
        server_url=scale_sandbox.base_url,
        retry_config=None,
        transport=counting,
    )
    with client:
        pages = list(client.iter_pages(request(scale_sandbox), concurrency=4))
    assert [isinstance(p, Success) for p in pages] == [True, True, False]
    assert isinstance(pages[-1].failure(), ConnectError)
    assert counting.running == 0


def test_breaking_early_leaves_no_request_running(scale_sandbox: SandboxServer) -> None:
    sdk, counting = make_sdk(scale_sandbox)
    with sdk:
        iterator = sdk.customers.iter_all(request(scale_sandbox), concurrency=4)
        for index, _ in enumerate(iterator):
            if index == PAGE_SIZE + 1:  # inside the second page
                break
        iterator.close()  # what a for loop's owner does when it drops the generator
        assert counting.running == 0
        asked = len(counting.pages)
        time.sleep(0.05)
        assert len(counting.pages) == asked  # and nothing starts afterwards
    assert asked <= 2 + 4


def test_aclose_cancels_the_pages_in_flight(scale_sandbox: SandboxServer) -> None:
    sdk, counting = make_sdk(scale_sandbox)

    async def take_some() -> int:
        iterator = sdk.customers.aiter_all(request(scale_sandbox), concurrency=4)
        taken = 0
        async for _ in iterator:
            taken += 1
            if taken == PAGE_SIZE + 1:
                break
        await iterator.aclose()  # type: ignore[attr-defined]
        return taken

    with sdk:
        assert asyncio.run(take_some()) == PAGE_SIZE + 1
        time.sleep(0.1)  # a cancelled worker thread finishes its request and releases it
        assert counting.running == 0
    assert len(counting.pages) <= 2 + 4
