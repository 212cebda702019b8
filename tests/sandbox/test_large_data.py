"""100,000 customers: seeding stays fast and a filtered, ordered page comes straight from SQL.

No timed assertion (machines differ); the figures are printed (``pytest -s``) and recorded as
test properties.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.testing import RawClient

CUSTOMERS = 100_000
QUERY = "status=Active && metadata.isDeleted!=true && modifiedDate>=2023-01-01"


@pytest.fixture(scope="module")
def big() -> Iterator[tuple[SandboxServer, float]]:
    started = time.perf_counter()
    with SandboxServer(customers=CUSTOMERS, seed=1) as server:
        yield server, time.perf_counter() - started


@pytest.mark.large_data
def test_filtered_ordered_page_of_100k(
    big: tuple[SandboxServer, float], record_property: Callable[[str, object], None]
) -> None:
    server, seed_seconds = big
    api = RawClient(server)
    api.list(pageSize=1)  # warm the page cache, as a running server would be
    started = time.perf_counter()
    page = api.list(query=QUERY, orderBy="-modifiedDate", page=3, pageSize=100)
    page_seconds = time.perf_counter() - started
    print(
        f"\n100k customers: start + seed {seed_seconds:.2f} s; "
        f"filtered ordered page {page_seconds * 1000:.0f} ms "
        f"({page['totalResults']} matches)"
    )
    record_property("seed_seconds", round(seed_seconds, 3))
    record_property("page_ms", round(page_seconds * 1000, 1))

    results = page["results"]
    assert len(results) == 100
    dates = [c["modifiedDate"] for c in results]
    assert dates == sorted(dates, reverse=True)
    for customer in results:
        assert customer["status"] == "Active"
        assert customer.get("metadata", {}).get("isDeleted") is not True
        assert customer["modifiedDate"] >= "2023-01-01T00:00:00Z"
    first_page = api.list(query=QUERY, orderBy="-modifiedDate", pageSize=200)["results"]
    assert [c["id"] for c in first_page[:100]] != [c["id"] for c in results]
    assert api.list(pageSize=1)["totalResults"] == CUSTOMERS


@pytest.mark.large_data
def test_totals_of_100k_add_up(big: tuple[SandboxServer, float]) -> None:
    api = RawClient(big[0])

    def total(query: str) -> int:
        count: int = api.list(query=query, pageSize=1)["totalResults"]
        return count

    active = total("status=Active")
    assert active == total("status=Active && metadata.isDeleted=true") + total(
        "status=Active && metadata.isDeleted!=true"
    )
    assert active + total("status!=Active") == CUSTOMERS
    assert 0.7 * CUSTOMERS < active < 0.9 * CUSTOMERS
