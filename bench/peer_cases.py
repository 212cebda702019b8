"""The peer, codat-accounting 0.36.0, run by the peer virtualenv's python (one case per process).

Usage: ``bench/.venvs/peer/bin/python bench/peer_cases.py CASE`` with ``$BENCH_SETTINGS``
set by run.py; prints the records as JSON on the last line. Only the standard library,
the peer and its dependencies (httpx, pydantic) are importable here.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import httpx
from codat_accounting import CodatAccounting
from codat_accounting.models import shared
from harness import (
    MemoryWatch,
    Record,
    calls_per_second_async,
    calls_per_second_sync,
    emit,
    get_request,
    list_request,
    per_call_seconds,
    read_body,
    record,
    settings,
)

CONTENDER = "peer"


def sdk(auth: str, base: str, **clients: Any) -> CodatAccounting:
    return CodatAccounting(security=shared.Security(auth_header=auth), server_url=base, **clients)


def case_memory(opts: dict[str, Any]) -> list[Record]:
    directory, company = opts["bodies"], opts["company_id"]
    timing = {k: opts[k] for k in ("repeats", "min_time", "warmup")}
    records = []
    for op in opts["ops"]:
        if op == "get":
            body = read_body(directory, "customer.json")
        else:
            body = read_body(directory, f"page-{int(op.split('-')[1])}.json")

        def handler(request: httpx.Request, body: bytes = body) -> httpx.Response:
            return httpx.Response(
                200, headers={"content-type": "application/json; charset=utf-8"}, content=body
            )

        client = httpx.Client(transport=httpx.MockTransport(handler))
        s = sdk("Basic YmVuY2g6", "http://bench.invalid", client=client)
        if op == "get":
            request = get_request(company, "cust-000001")

            def call(s: CodatAccounting = s, request: dict[str, Any] = request) -> object:
                return s.customers.get(request=request)

            assert call().id == "cust-000001"  # type: ignore[attr-defined]
        else:
            size = int(op.split("-")[1])
            request = list_request(company, size)

            def call(s: CodatAccounting = s, request: dict[str, Any] = request) -> object:
                return s.customers.list(request=request)

            assert len(call().results) == size  # type: ignore[attr-defined]
        values = per_call_seconds(call, **timing)
        records.append(record("memory", op, CONTENDER, "us/call", [v * 1e6 for v in values]))
    return records


def case_loopback(opts: dict[str, Any]) -> list[Record]:
    base, company, customer = opts["base_url"], opts["company_id"], opts["customer_id"]
    auth, target = opts["auth_header"], opts["target"]
    timing = {k: opts[k] for k in ("duration", "repeats", "warmup")}
    records: list[Record] = []
    notes: list[str] = []
    ops = {"get": get_request(company, customer), "list-100": list_request(company, 100)}
    for op, request in ops.items():
        method = "get" if op == "get" else "list"
        for threads in opts["threads"]:
            mode = "sequential" if threads == 1 else f"{threads} threads"
            s = sdk(auth, base, client=httpx.Client())
            call = getattr(s.customers, method)
            try:
                call(request=request)
                values = calls_per_second_sync(
                    lambda c=call, r=request: c(request=r), threads=threads, **timing
                )
            except Exception as exc:
                notes.append(f"peer {op} {mode}: {type(exc).__name__}: {exc}")
                continue
            records.append(
                record(f"loopback {target}", op, CONTENDER, "calls/s", values, mode=mode)
            )
        for tasks in opts["tasks"]:
            mode = "1 task" if tasks == 1 else f"{tasks} tasks"
            state: dict[str, Any] = {}

            async def setup(
                state: dict[str, Any] = state,
                method: str = method,
                tasks: int = tasks,
                request: dict[str, Any] = request,
            ) -> None:
                client = httpx.AsyncClient(limits=httpx.Limits(max_connections=tasks))
                state["client"] = client
                state["call"] = getattr(
                    sdk(auth, base, async_client=client).customers, method + "_async"
                )
                await state["call"](request=request)

            async def call_async(state: dict[str, Any] = state, r: Any = request) -> object:
                return await state["call"](request=r)

            async def teardown(state: dict[str, Any] = state) -> None:
                await state["client"].aclose()

            try:
                values = calls_per_second_async(
                    call_async, tasks=tasks, setup=setup, teardown=teardown, **timing
                )
            except Exception as exc:
                notes.append(f"peer {op} {mode}: {type(exc).__name__}: {exc}")
                continue
            records.append(
                record(f"loopback {target}", op, CONTENDER, "calls/s", values, mode=mode)
            )
    if notes:
        records.append({"notes": notes})
    return records


def case_paging(opts: dict[str, Any]) -> list[Record]:
    base, auth, company, size = (
        opts["base_url"],
        opts["auth_header"],
        opts["company_id"],
        opts["page_size"],
    )
    s = sdk(auth, base, client=httpx.Client())
    s.customers.list(request=list_request(company, 1))

    def iterate() -> int:
        count, page = 0, 1
        while True:
            current = s.customers.list(request=list_request(company, size, page))
            results = current.results or []
            count += len(results)
            if not results or page * size >= current.total_results:
                return count
            page += 1

    with MemoryWatch() as memory:
        start = time.perf_counter()
        count = iterate()
        elapsed = time.perf_counter() - start
    return [
        {
            "contender": CONTENDER,
            "seconds": elapsed,
            "rss_growth": memory.growth,
            "baseline": memory.baseline,
            "count": count,
            "peak_reset": memory.reset,
        }
    ]


def case_download(opts: dict[str, Any]) -> list[Record]:
    s = sdk(opts["auth_header"], opts["base_url"], client=httpx.Client())
    request = {
        "company_id": opts["company_id"],
        "connection_id": opts["connection_id"],
        "customer_id": opts["customer_id"],
        "attachment_id": opts["attachment_id"],
    }
    chunk = opts["chunk_size"]

    def download() -> int:
        response = s.customers.download_attachment(request=request)
        total = 0
        try:
            for data in response.iter_bytes(chunk):
                total += len(data)
        finally:
            response.close()
        return total

    with MemoryWatch() as memory:
        start = time.perf_counter()
        size = download()
        elapsed = time.perf_counter() - start
    return [
        {
            "contender": CONTENDER,
            "seconds": elapsed,
            "bytes": size,
            "rss_growth": memory.growth,
            "baseline": memory.baseline,
            "peak_reset": memory.reset,
        }
    ]


CASES = {
    "memory": case_memory,
    "loopback": case_loopback,
    "paging": case_paging,
    "download": case_download,
}


def main() -> None:
    emit(CASES[sys.argv[1]](settings()))


if __name__ == "__main__":
    main()
