"""Our contenders and the floor, run in our virtualenv by run.py (one case per process).

Usage: ``python bench/our_cases.py CASE [ARGS...]`` with ``$BENCH_SETTINGS`` set by run.py;
prints the records as JSON on the last line. Contenders:

* ``floor``: msgspec decoding the same bytes (in memory), bare urllib3 + msgspec (sockets);
* ``core``: the pure core alone, ``LIST.parse``/``GET.parse`` (in memory only);
* ``ours seed``: ``CodatAccounting(...).customers.<op>(request=...)`` on the default adapter;
* ``ours result/<adapter>``: ``CodatCustomers(...).<op>(...)`` on each adapter found.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import time
from collections.abc import Callable
from typing import Any

import msgspec
import urllib3
from codat_customers.core import GET, LIST, HttpRequest, HttpResponse
from codat_customers.core.models import Customer, Customers
from harness import (
    MemoryWatch,
    Record,
    calls_per_second_async,
    calls_per_second_sync,
    emit,
    get_request,
    list_request,
    per_call_seconds_interleaved,
    read_body,
    record,
    settings,
)

from codat_customers import CodatAccounting, CodatCustomers

JSON_HEADERS = {"content-type": "application/json; charset=utf-8"}


# --- adapters ---------------------------------------------------------------------------


def discover_adapters() -> tuple[dict[str, type], dict[str, type], list[str]]:
    """Sync and async transport classes of every adapter package that imports, by name."""
    import codat_customers.adapters as package  # noqa: PLC0415

    sync: dict[str, type] = {}
    async_: dict[str, type] = {}
    notes: list[str] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name == "threaded":
            continue
        module_name = f"codat_customers.adapters.{info.name}"
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            notes.append(f"{info.name}: not importable ({type(exc).__name__}: {exc})")
            continue
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and name.endswith("Transport")):
                continue
            if cls.__module__ != module_name or not hasattr(cls, "send"):
                continue
            label = info.name if not name.lower().startswith("async") else f"{info.name}-async"
            if inspect.iscoroutinefunction(cls.send):
                async_[label] = cls
            else:
                sync[label] = cls
    return sync, async_, notes


class CannedTransport:
    """An in-memory transport answering every request with the same body."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def send(self, request: HttpRequest, *, base_url: str, timeout: float | None) -> HttpResponse:
        return HttpResponse(200, dict(JSON_HEADERS), self.body)

    def close(self) -> None:
        pass


# --- case 1: in memory ------------------------------------------------------------------


def case_memory(opts: dict[str, Any]) -> list[Record]:
    directory, company = opts["bodies"], opts["company_id"]
    records = []
    timing = {k: opts[k] for k in ("repeats", "min_time", "warmup")}
    for op in opts["ops"]:
        if op == "get":
            body = read_body(directory, "customer.json")
            request = get_request(company, "cust-000001")
            decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(Customer)
            operation: Any = GET
            expected = 1
        else:
            size = int(op.split("-")[1])
            body = read_body(directory, f"page-{size}.json")
            request = list_request(company, size)
            decoder = msgspec.json.Decoder(Customers)
            operation = LIST
            expected = size
        seed = CodatAccounting(
            security="Basic YmVuY2g6",
            server_url="http://bench.invalid",
            transport=CannedTransport(body),
        )
        result = CodatCustomers(
            "Basic YmVuY2g6", server_url="http://bench.invalid", transport=CannedTransport(body)
        )
        method = "get" if op == "get" else "list"
        seed_call = getattr(seed.customers, method)
        result_call = getattr(result, method)
        prepared = operation.prepare(request).unwrap()

        def core_call(op_: Any = operation, prepared_: Any = prepared, body_: bytes = body) -> Any:
            return op_.parse(HttpResponse(200, dict(JSON_HEADERS), body_))

        contenders: dict[str, Callable[[], object]] = {
            "floor": lambda d=decoder, b=body: d.decode(b),
            "core": core_call,
            "ours seed": lambda c=seed_call, r=request: c(request=r),
            "ours result": lambda c=result_call, r=request: c(r),
        }
        check_count(op, contenders["ours seed"](), expected)
        check_count(op, contenders["ours result"]().unwrap(), expected)  # type: ignore[attr-defined]
        timings = per_call_seconds_interleaved(contenders, **timing)
        for name, values in timings.items():
            records.append(record("memory", op, name, "us/call", [v * 1e6 for v in values]))
    return records


def check_count(op: str, value: Any, expected: int) -> None:
    if op == "get":
        assert isinstance(value, Customer), value
    else:
        assert len(value.results) == expected, (op, len(value.results))


# --- case 2: loopback -------------------------------------------------------------------


def case_loopback(opts: dict[str, Any]) -> list[Record]:
    base, company, customer = opts["base_url"], opts["company_id"], opts["customer_id"]
    auth = opts["auth_header"]
    target = opts["target"]
    sync_adapters, async_adapters, notes = discover_adapters()
    timing = {k: opts[k] for k in ("duration", "repeats", "warmup")}
    records: list[Record] = []
    ops = {"get": get_request(company, customer), "list-100": list_request(company, 100)}
    for op, request in ops.items():
        for threads in opts["threads"]:
            mode = "sequential" if threads == 1 else f"{threads} threads"
            makers: dict[str, Callable[[], Callable[[], object]]] = {
                "floor": lambda op=op: floor_call(base, auth, op, company, customer),
                "ours seed": lambda op=op, r=request: seed_call(base, auth, op, r),
            }
            for label, cls in sync_adapters.items():
                makers[f"ours result/{label}"] = lambda op=op, r=request, c=cls: result_call(
                    base, auth, op, r, c
                )
            funcs: dict[str, Callable[[], object]] = {}
            for name, make in makers.items():
                try:
                    funcs[name] = make()
                    funcs[name]()
                except Exception as exc:
                    notes.append(f"{name} {op} {mode}: {type(exc).__name__}: {exc}")
                    funcs.pop(name, None)
            # One window of each contender in turn, so that they share the machine's moods.
            rates: dict[str, list[float]] = {name: [] for name in funcs}
            for round_ in range(timing["repeats"]):
                for name, func in list(funcs.items()):
                    try:
                        rates[name] += calls_per_second_sync(
                            func,
                            threads=threads,
                            duration=timing["duration"],
                            repeats=1,
                            warmup=timing["warmup"] if round_ == 0 else 0.0,
                        )
                    except Exception as exc:
                        notes.append(f"{name} {op} {mode}: {type(exc).__name__}: {exc}")
                        del funcs[name]
                        del rates[name]
            for name, values in rates.items():
                records.append(record(f"loopback {target}", op, name, "calls/s", values, mode=mode))
        for tasks in opts["tasks"]:
            mode = f"{tasks} tasks"
            async_makers: dict[str, Any] = {
                "ours result/threaded(urllib3)": None,
                **{f"ours result/{label}": cls for label, cls in async_adapters.items()},
            }
            for name, cls in async_makers.items():
                try:
                    values = async_rate(base, auth, op, request, cls, tasks, timing)
                except Exception as exc:
                    notes.append(f"{name} {op} {mode}: {type(exc).__name__}: {exc}")
                    continue
                records.append(record(f"loopback {target}", op, name, "calls/s", values, mode=mode))
    if notes:
        records.append({"notes": notes})
    return records


def floor_call(base: str, auth: str, op: str, company: str, customer: str) -> Callable[[], object]:
    pool = urllib3.PoolManager(maxsize=16, retries=False)
    headers = {"authorization": auth, "accept": "application/json"}
    if op == "get":
        url = f"{base}/companies/{company}/data/customers/{customer}"
        decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(Customer)
    else:
        url = f"{base}/companies/{company}/data/customers?page=1&pageSize=100"
        decoder = msgspec.json.Decoder(Customers)

    def call() -> object:
        response = pool.request("GET", url, headers=headers, retries=False)
        if response.status != 200:
            raise RuntimeError(f"status {response.status}")
        return decoder.decode(response.data)

    return call


def seed_call(base: str, auth: str, op: str, request: dict[str, Any]) -> Callable[[], object]:
    client = CodatAccounting(security=auth, server_url=base)
    method = getattr(client.customers, "get" if op == "get" else "list")
    return lambda: method(request=request)


def result_call(
    base: str, auth: str, op: str, request: dict[str, Any], cls: type
) -> Callable[[], object]:
    client = CodatCustomers(auth, server_url=base, transport=cls())
    method = getattr(client, "get" if op == "get" else "list")

    def call() -> object:
        return method(request).unwrap()

    return call


def async_rate(
    base: str,
    auth: str,
    op: str,
    request: dict[str, Any],
    cls: Any,
    tasks: int,
    timing: dict[str, Any],
) -> list[float]:
    state: dict[str, Any] = {}

    async def setup() -> None:
        kwargs = {} if cls is None else {"async_transport": cls()}
        client = CodatCustomers(auth, server_url=base, **kwargs)
        state["client"] = client
        state["method"] = client.call_async
        state["op"] = GET if op == "get" else LIST
        (await call()).unwrap()  # type: ignore[attr-defined]

    async def call() -> object:
        return await state["method"](state["op"], request)

    async def checked() -> object:
        result = await call()
        return result.unwrap()  # type: ignore[attr-defined]

    async def teardown() -> None:
        await state["client"].aclose()
        state["client"].close()

    return calls_per_second_async(checked, tasks=tasks, setup=setup, teardown=teardown, **timing)


# --- case 3: paging ---------------------------------------------------------------------


def case_paging(opts: dict[str, Any]) -> list[Record]:
    base, auth, company = opts["base_url"], opts["auth_header"], opts["company_id"]
    size, contender = opts["page_size"], opts["contender"]
    clock = time.perf_counter
    request = list_request(company, size)
    if contender == "floor":
        pool = urllib3.PoolManager(retries=False)
        decoder = msgspec.json.Decoder(Customers)
        headers = {"authorization": auth}

        def fetch(page: int) -> Customers:
            url = f"{base}/companies/{company}/data/customers?page={page}&pageSize={size}"
            page_: Customers = decoder.decode(pool.request("GET", url, headers=headers).data)
            return page_

        def iterate() -> int:
            count, page = 0, 1
            while True:
                current = fetch(page)
                results = current.results or []
                count += len(results)
                if not results or page * size >= current.total_results:
                    return count
                page += 1

        fetch(1)
    elif contender == "ours seed":
        seed = CodatAccounting(security=auth, server_url=base)
        seed.customers.list(request=list_request(company, 1))

        def iterate() -> int:
            return sum(1 for _ in seed.customers.iter_all(request=request))
    else:
        result = CodatCustomers(auth, server_url=base)
        result.list(list_request(company, 1)).unwrap()

        def iterate() -> int:
            return sum(len(page.unwrap().results or ()) for page in result.iter_pages(request))

    with MemoryWatch() as memory:
        start = clock()
        count = iterate()
        elapsed = clock() - start
    return [
        {
            "contender": contender,
            "seconds": elapsed,
            "rss_growth": memory.growth,
            "baseline": memory.baseline,
            "count": count,
            "peak_reset": memory.reset,
        }
    ]


# --- case 4: download -------------------------------------------------------------------


def case_download(opts: dict[str, Any]) -> list[Record]:
    base, auth, contender = opts["base_url"], opts["auth_header"], opts["contender"]
    chunk = opts["chunk_size"]
    request = {
        "company_id": opts["company_id"],
        "connection_id": opts["connection_id"],
        "customer_id": opts["customer_id"],
        "attachment_id": opts["attachment_id"],
    }
    clock = time.perf_counter
    if contender == "floor":
        pool = urllib3.PoolManager(retries=False)
        url = (
            f"{base}/companies/{request['company_id']}/connections/{request['connection_id']}"
            f"/data/customers/{request['customer_id']}/attachments/{request['attachment_id']}"
            "/download"
        )

        def download() -> int:
            response = pool.request(
                "GET", url, headers={"authorization": auth}, preload_content=False
            )
            total = 0
            for data in response.stream(chunk):
                total += len(data)
            response.release_conn()
            return total
    elif contender == "ours seed":
        seed = CodatAccounting(security=auth, server_url=base)

        def download() -> int:
            total = 0
            with seed.customers.download_attachment(request=request) as answer:
                for data in answer.iter_bytes(chunk):
                    total += len(data)
            return total
    else:
        sync_adapters, _, _ = discover_adapters()
        label = contender.split("/", 1)[1]
        client = CodatCustomers(auth, server_url=base, transport=sync_adapters[label]())

        def download() -> int:
            total = 0
            with client.download_attachment(request).unwrap() as answer:
                for data in answer.iter_bytes(chunk):
                    total += len(data)
            return total

    with MemoryWatch() as memory:
        start = clock()
        size = download()
        elapsed = clock() - start
    return [
        {
            "contender": contender,
            "seconds": elapsed,
            "bytes": size,
            "rss_growth": memory.growth,
            "baseline": memory.baseline,
            "peak_reset": memory.reset,
        }
    ]


def case_adapters(opts: dict[str, Any]) -> list[Record]:
    sync_adapters, async_adapters, notes = discover_adapters()
    return [{"sync": sorted(sync_adapters), "async": sorted(async_adapters), "problems": notes}]


CASES = {
    "memory": case_memory,
    "loopback": case_loopback,
    "paging": case_paging,
    "download": case_download,
    "adapters": case_adapters,
}


def main() -> None:
    emit(CASES[sys.argv[1]](settings()))


if __name__ == "__main__":
    main()
