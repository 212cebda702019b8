"""Issue 10's load scenario, small: many callers on one client, then nothing left open.

``test_conformance_concurrency`` checks that 100-odd concurrent ``get`` calls each receive
their own customer. Here each adapter carries a mix of operations (``get``, ``list``
filtered to one id, ``list`` of an ordered page) for 1,000 calls from 16 threads or
100 tasks, every answer is checked against the call that asked for it, and after the
client is closed its pool is empty and the process holds no more sockets to the sandbox
and no more file descriptors than before the client existed. The 100,000-call version,
with memory sampling, is ``bench/reliability_load.py``.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from codat_customers.adapters.stdlib import StdlibTransport
from codat_customers.core import GET, LIST
from conformance_support import Driver
from load_support import client_sockets, open_fds, pooled_connections
from returns.result import Failure, Result

from codat_customers import CodatCustomers

CALLS = 1_000
THREADS = 16
TASKS = 100

Call = tuple[str, dict[str, Any], "str | list[str]"]


def ids_by_id(driver: Driver) -> list[str]:
    """Every customer id of the seeded company, in the sandbox's ``orderBy=id`` order."""
    sandbox = driver.sandbox
    with CodatCustomers(
        sandbox.auth_header, server_url=sandbox.base_url, transport=StdlibTransport()
    ) as client:
        page = client.list(
            {"company_id": sandbox.company_id, "page_size": 5000, "order_by": "id"}
        ).unwrap()
        return [str(customer.id) for customer in page.results or []]


def make_call(company_id: str, ids: list[str]) -> Callable[[int], Call]:
    """Call ``i`` of the mix: its operation, request and the only right answer."""

    def call(index: int) -> Call:
        rng = random.Random(index)
        wanted = rng.choice(ids)
        kind = index % 3
        if kind == 0:
            return "get", {"company_id": company_id, "customer_id": wanted}, wanted
        if kind == 1:
            return "list", {"company_id": company_id, "query": f"id={wanted}"}, [wanted]
        size = rng.randint(1, 5)
        page = rng.randint(1, -(-len(ids) // size))
        request = {"company_id": company_id, "page": page, "page_size": size, "order_by": "id"}
        return "list", request, ids[(page - 1) * size : page * size]

    return call


def wrong(call: Call, result: Result[Any, Any]) -> str | None:
    """Why ``result`` is not the answer to ``call``, or None when it is."""
    op, request, expected = call
    if isinstance(result, Failure):
        return f"{op} {request}: {result.failure()!r}"
    value = result.unwrap()
    got = value.id if op == "get" else [customer.id for customer in value.results or []]
    return None if got == expected else f"{op} {request}: expected {expected}, got {got}"


def settled(count: Callable[[], int], baseline: int) -> int:
    """``count()`` once it is back to ``baseline``, or after 10 s of waiting for that.

    A socket closed by an event loop goes a loop turn later, and the sandbox, in this
    process, closes its side when it reads the client's FIN: neither is instant.
    """
    deadline = time.monotonic() + 10
    while (now := count()) > baseline and time.monotonic() < deadline:
        time.sleep(0.02)
    return now


def test_a_shared_client_under_load_crosses_nothing_and_leaves_nothing_open(
    driver: Driver,
) -> None:
    sandbox = driver.sandbox
    port = urlsplit(sandbox.base_url).port
    assert port is not None
    call = make_call(sandbox.company_id, ids_by_id(driver))
    gc.collect()  # what earlier tests dropped goes now, not in the middle of the counts
    sockets_before, fds_before = client_sockets(port), open_fds()
    client = driver.client()
    transport = client.async_transport if driver.is_async else client.transport
    assert pooled_connections(transport) == 0

    if driver.is_async:
        operations: dict[str, Any] = {"get": GET, "list": LIST}

        async def load() -> list[str | None]:
            indices = iter(range(CALLS))
            problems: list[str | None] = []

            async def worker() -> None:
                for index in indices:  # one iterator shared by every task
                    op, request, expected = call(index)
                    result = await client.call_async(operations[op], request)
                    problems.append(wrong((op, request, expected), result))

            await asyncio.gather(*(worker() for _ in range(TASKS)))
            return problems

        problems = driver.run(load())
    else:
        methods: dict[str, Callable[..., Result[Any, Any]]] = {
            "get": client.get,
            "list": client.list,
        }

        def one(index: int) -> str | None:
            op, request, expected = call(index)
            return wrong((op, request, expected), methods[op](request))

        with ThreadPoolExecutor(THREADS) as pool:
            problems = list(pool.map(one, range(CALLS)))

    assert len(problems) == CALLS
    assert [problem for problem in problems if problem is not None] == []
    assert pooled_connections(transport) > 0  # the count sees the pool it must see emptied

    if driver.is_async:
        driver.run(client.aclose())
    client.close()
    assert pooled_connections(transport) == 0
    # At most: a descriptor of an earlier test may still close meanwhile.
    assert settled(lambda: client_sockets(port), sockets_before) <= sockets_before
    assert settled(open_fds, fds_before) <= fds_before
