"""Clients pickle and survive fork, spawn and a Dask cluster (issue 14)."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
from collections.abc import Callable, Iterator

import httpx
import pytest
import urllib3
from codat_customers.adapters.aiohttp import AiohttpTransport
from codat_customers.adapters.httpx import HttpxAsyncTransport, HttpxTransport
from codat_customers.adapters.stdlib import StdlibTransport
from codat_customers.adapters.urllib3 import Urllib3Transport
from codat_customers.core import AsyncTransport, Transport
from codat_customers.plugins import CachePlugin, RetryConfig, hookimpl
from codat_customers.sandbox import SandboxServer
from returns.result import Success
from scale_support import customer_ids, pool_identity, sandbox_key

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.adapters.threaded import ThreadedAsyncTransport

COMPANIES = 50
PER_COMPANY = 20


@pytest.fixture(scope="module")
def companies() -> Iterator[SandboxServer]:
    """The demo company and 50 more, 20 customers each."""
    with SandboxServer(customers=PER_COMPANY, companies=COMPANIES) as server:
        yield server


SYNC: dict[str, Callable[[], Transport]] = {
    "urllib3": Urllib3Transport,
    "stdlib": StdlibTransport,
    "httpx": HttpxTransport,
}
ASYNC: dict[str, Callable[[], AsyncTransport]] = {
    "threaded": lambda: ThreadedAsyncTransport(Urllib3Transport(maxsize=4)),
    "httpx": HttpxAsyncTransport,
    "aiohttp": AiohttpTransport,
}


class Marker:
    """A plugin that pickles: it adds a header."""

    @hookimpl
    def codat_prepare_request(self, request: object, context: object) -> dict[str, str]:
        return {"x-marker": "1"}


@pytest.mark.parametrize("name", list(SYNC))
def test_a_pickled_client_works_on_each_sync_transport(companies: SandboxServer, name: str) -> None:
    original = CodatCustomers(
        companies.api_key,
        server_url=companies.base_url,
        retry_config=RetryConfig("none"),
        timeout_ms=5000,
        transport=SYNC[name](),
        cache=CachePlugin(ttl=30),
    )
    original.register_plugin(Marker(), "marker")
    assert isinstance(original.list({"company_id": companies.company_id}), Success)  # warm pool
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy.transport) is type(original.transport)
    assert copy.transport is not original.transport
    assert (copy.server_url, copy.timeout_ms, copy.retry_config) == (
        original.server_url,
        5000,
        RetryConfig("none"),
    )
    assert copy.cache is not None and copy.cache.ttl == 30 and len(copy.cache) == 0
    assert copy.plugin_manager.get_plugin("marker") is not None
    page = copy.list({"company_id": companies.company_id, "page_size": 5}).unwrap()
    assert page.total_results == PER_COMPANY
    original.close()
    copy.close()


@pytest.mark.parametrize("name", list(ASYNC))
def test_a_pickled_client_works_on_each_async_transport(
    companies: SandboxServer, name: str
) -> None:
    original = CodatAccounting(
        security=sandbox_key, server_url=companies.base_url, async_transport=ASYNC[name]()
    )
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy.results.async_transport) is type(original.results.async_transport)

    async def count() -> int:
        customers = [
            c async for c in copy.customers.aiter_all({"company_id": companies.company_id})
        ]
        await copy.aclose()
        return len(customers)

    assert asyncio.run(count()) == PER_COMPANY


def test_a_transport_on_your_own_pool_says_why_it_cannot_pickle() -> None:
    with pytest.raises(TypeError, match=r"own urllib3\.PoolManager cannot be pickled"):
        pickle.dumps(CodatCustomers("k", transport=Urllib3Transport(urllib3.PoolManager())))
    with pytest.raises(TypeError, match=r"own httpx\.Client cannot be pickled"):
        pickle.dumps(CodatAccounting(security="k", client=httpx.Client()))
    with pytest.raises(TypeError, match=r"own httpx\.AsyncClient cannot be pickled"):
        pickle.dumps(HttpxAsyncTransport(httpx.AsyncClient()))
    with pytest.raises(TypeError, match="own ssl_context cannot be pickled"):
        pickle.dumps(StdlibTransport(ssl_context=__import__("ssl").create_default_context()))


def test_a_credential_provider_must_be_a_module_level_function() -> None:
    copy = pickle.loads(pickle.dumps(CodatCustomers(sandbox_key)))
    assert copy.plugin_manager is not None
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError), match="lambda"):
        pickle.dumps(CodatCustomers(lambda: "key"))


def test_multiprocessing_with_spawn(companies: SandboxServer) -> None:
    sdk = CodatAccounting(security=companies.api_key, server_url=companies.base_url)
    ids = companies.company_ids[:4]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        exported = pool.starmap(customer_ids, [(sdk, company) for company in ids])
    assert [len(set(found)) for found in exported] == [PER_COMPANY] * 4


def test_multiprocessing_with_fork(companies: SandboxServer) -> None:
    sdk = CodatAccounting(security=companies.api_key, server_url=companies.base_url)
    assert len(customer_ids(sdk, companies.company_id)) == PER_COMPANY  # pool now has sockets
    parent_pool = id(sdk.results.transport.pool)  # type: ignore[attr-defined]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        exported = pool.starmap(customer_ids, [(sdk, c) for c in companies.company_ids[:4]])
    assert [len(set(found)) for found in exported] == [PER_COMPANY] * 4
    # The parent's pool is intact and still serves.
    assert id(sdk.results.transport.pool) == parent_pool  # type: ignore[attr-defined]
    assert len(customer_ids(sdk, companies.company_id)) == PER_COMPANY


def _forked_call(
    sdk: CodatAccounting, company_id: str, queue: multiprocessing.Queue[object]
) -> None:
    queue.put(pool_identity(sdk, company_id))


def test_a_client_inherited_by_fork_makes_its_own_pool(companies: SandboxServer) -> None:
    sdk = CodatAccounting(security=companies.api_key, server_url=companies.base_url)
    customer_ids(sdk, companies.company_id)
    parent_pool = id(sdk.results.transport.pool)  # type: ignore[attr-defined]
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[object] = context.Queue()
    # Process(target=...) with fork passes the very object, not a pickled copy.
    child = context.Process(target=_forked_call, args=(sdk, companies.company_id, queue))
    child.start()
    inherited, used, count = queue.get(timeout=30)  # type: ignore[misc]
    child.join(timeout=30)
    assert child.exitcode == 0
    assert inherited == parent_pool and used != parent_pool and count == PER_COMPANY
    assert len(customer_ids(sdk, companies.company_id)) == PER_COMPANY


def test_a_dask_cluster_exports_fifty_companies_exactly_once(companies: SandboxServer) -> None:
    cloudpickle = pytest.importorskip("cloudpickle")
    distributed = pytest.importorskip("distributed")
    import scale_support  # noqa: PLC0415

    # The workers may not see tests/scale on their path: ship the task's module by value.
    cloudpickle.register_pickle_by_value(scale_support)
    sdk = CodatAccounting(security=sandbox_key, server_url=companies.base_url)
    ids = companies.company_ids[1:]  # the 50 seeded for scale
    assert len(ids) == COMPANIES
    try:
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as dask,
        ):
            shipped = dask.scatter(sdk, broadcast=True)
            futures = [dask.submit(customer_ids, shipped, company, pure=False) for company in ids]
            exported = dask.gather(futures)
    finally:
        cloudpickle.unregister_pickle_by_value(scale_support)
    every = [customer for found in exported for customer in found]
    assert len(every) == COMPANIES * PER_COMPANY
    assert len(set(every)) == len(every)  # each customer exactly once
    expected = {
        company: {c.id for c in sdk.customers.iter_all({"company_id": company, "page_size": 100})}
        for company in ids
    }
    assert {company: set(found) for company, found in zip(ids, exported, strict=True)} == expected
