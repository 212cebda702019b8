"""Our contenders and the floor, run in our virtualenv by run.py (one case per process).

Usage: ``python bench/our_cases.py CASE [ARGS...]`` with ``$BENCH_SETTINGS`` set by run.py;
prints the records as JSON on the last line. Contenders:

* ``floor``: msgspec decoding the same bytes (in memory), bare urllib3 + msgspec (paging,
  download);
* ``floor/<library>`` (loopback): each adapter's own library used bare for the same
  requests (the same headers), decoded by the same msgspec decoder, at the same
  concurrency: ``floor/urllib3`` (``PoolManager``), ``floor/stdlib`` (``http.client``, one
  kept-alive connection per thread), ``floor/httpx`` (``httpx.Client``; with tasks,
  ``httpx.AsyncClient``), ``floor/aiohttp`` (``aiohttp.ClientSession``) and
  ``floor/threaded(urllib3)`` (the urllib3 floor's call in the loop's default thread pool);
* ``core``: the pure core alone, ``LIST.parse``/``GET.parse`` (in memory only);
* ``ours seed``: ``CodatAccounting(...).customers.<op>(request=...)`` on the default adapter;
* ``ours result/<adapter>``: ``CodatCustomers(...).<op>(...)`` on each adapter found.
"""

from __future__ import annotations

import asyncio
import http.client
import importlib
import inspect
import pkgutil
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

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
    headers = request_headers(auth)
    ops = {"get": get_request(company, customer), "list-100": list_request(company, 100)}
    for op, request in ops.items():
        url = loopback_url(base, op, company, customer)
        decoder = decoder_for(op)
        for threads in opts["threads"]:
            mode = "sequential" if threads == 1 else f"{threads} threads"
            makers: dict[str, Callable[[], Callable[[], object]]] = {
                "floor/urllib3": lambda u=url, d=decoder: urllib3_floor(u, headers, d),
                "floor/stdlib": lambda u=url, d=decoder: stdlib_floor(u, headers, d),
            }
            if "httpx" in sync_adapters:
                makers["floor/httpx"] = lambda u=url, d=decoder: httpx_floor(u, headers, d)
            makers["ours seed"] = lambda op=op, r=request: seed_call(base, auth, op, r)
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
            mode = tasks_mode(tasks)
            contenders = async_contenders(base, auth, op, request, url, decoder, async_adapters)
            async_rates: dict[str, list[float]] = {name: [] for name in contenders}
            # In turns, as above; each window is a fresh event loop (sessions belong to one),
            # so each one warms up its connections first.
            for _ in range(timing["repeats"]):
                for name, make in list(contenders.items()):
                    try:
                        setup, call, teardown = make()
                        async_rates[name] += calls_per_second_async(
                            call,
                            tasks=tasks,
                            setup=setup,
                            teardown=teardown,
                            duration=timing["duration"],
                            repeats=1,
                            warmup=timing["warmup"],
                        )
                    except Exception as exc:
                        notes.append(f"{name} {op} {mode}: {type(exc).__name__}: {exc}")
                        del contenders[name]
                        del async_rates[name]
            for name, values in async_rates.items():
                records.append(record(f"loopback {target}", op, name, "calls/s", values, mode=mode))
    if notes:
        records.append({"notes": notes})
    return records


def tasks_mode(tasks: int) -> str:
    """The report's name of a run with ``tasks`` asyncio tasks (the peer's script agrees)."""
    return "1 task" if tasks == 1 else f"{tasks} tasks"


def request_headers(auth: str) -> dict[str, str]:
    """The headers each call of ours sends (accept, credential, user agent); floors send them."""
    from codat_customers.plugins import calls  # noqa: PLC0415

    agent = getattr(calls, "USER_AGENT", "codat-customers/unknown")
    return {"accept": "application/json", "authorization": auth, "user-agent": agent}


def loopback_url(base: str, op: str, company: str, customer: str) -> str:
    if op == "get":
        return f"{base}/companies/{company}/data/customers/{customer}"
    return f"{base}/companies/{company}/data/customers?page=1&pageSize=100"


def decoder_for(op: str) -> msgspec.json.Decoder[Any]:
    """The msgspec decoder of the operation's model, the one the core's parser uses."""
    return msgspec.json.Decoder(Customer if op == "get" else Customers)


def _checked(status: int, data: bytes, decoder: msgspec.json.Decoder[Any]) -> object:
    if status != 200:
        raise RuntimeError(f"status {status}")
    return decoder.decode(data)


def urllib3_floor(
    url: str, headers: dict[str, str], decoder: msgspec.json.Decoder[Any]
) -> Callable[[], object]:
    """Bare urllib3: one ``PoolManager`` shared by every thread, sized as our adapter's."""
    pool = urllib3.PoolManager(maxsize=16, block=False, retries=False)

    def call() -> object:
        response = pool.request("GET", url, headers=headers, retries=False)
        return _checked(response.status, response.data, decoder)

    return call


def stdlib_floor(
    url: str, headers: dict[str, str], decoder: msgspec.json.Decoder[Any]
) -> Callable[[], object]:
    """Bare ``http.client``: one kept-alive ``HTTPConnection`` per thread."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    local = threading.local()

    def call() -> object:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection(host, port)
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        return _checked(response.status, response.read(), decoder)

    return call


def httpx_floor(
    url: str, headers: dict[str, str], decoder: msgspec.json.Decoder[Any]
) -> Callable[[], object]:
    """Bare httpx: one ``httpx.Client`` shared by every thread."""
    import httpx  # noqa: PLC0415

    client = httpx.Client(timeout=None)

    def call() -> object:
        response = client.get(url, headers=headers)
        return _checked(response.status_code, response.content, decoder)

    return call


AsyncCall = Callable[[], Awaitable[object]]
AsyncParts = tuple[Callable[[], Awaitable[object]], AsyncCall, Callable[[], Awaitable[object]]]


def async_contenders(
    base: str,
    auth: str,
    op: str,
    request: dict[str, Any],
    url: str,
    decoder: msgspec.json.Decoder[Any],
    async_adapters: dict[str, type],
) -> dict[str, Callable[[], AsyncParts]]:
    """Each async adapter of ours and its own floor: ``make()`` gives setup, call, teardown."""
    headers = request_headers(auth)
    from codat_customers.adapters.urllib3 import Urllib3Transport  # noqa: PLC0415

    from codat_customers.adapters.threaded import ThreadedAsyncTransport  # noqa: PLC0415

    ours: dict[str, Callable[[], object]] = {
        "threaded(urllib3)": lambda: ThreadedAsyncTransport(Urllib3Transport())
    }
    ours.update(async_adapters)
    floors: dict[str, Callable[[], AsyncParts]] = {
        "threaded(urllib3)": lambda: threaded_floor(url, headers, decoder),
        "aiohttp": lambda: aiohttp_floor(url, headers, decoder),
        "httpx": lambda: httpx_async_floor(url, headers, decoder),
    }
    contenders: dict[str, Callable[[], AsyncParts]] = {}
    for label in ours:
        if label in floors:
            contenders[f"floor/{label}"] = floors[label]
    for label, make_transport in ours.items():
        contenders[f"ours result/{label}"] = lambda m=make_transport: ours_async(
            base, auth, op, request, m
        )
    return contenders


def ours_async(
    base: str, auth: str, op: str, request: dict[str, Any], make_transport: Callable[[], object]
) -> AsyncParts:
    state: dict[str, Any] = {}
    operation = GET if op == "get" else LIST

    async def setup() -> None:
        client = CodatCustomers(auth, server_url=base, async_transport=make_transport())  # type: ignore[arg-type]
        state["client"], state["call"] = client, client.call_async
        await call()

    async def call() -> object:
        result = await state["call"](operation, request)
        return result.unwrap()

    async def teardown() -> None:
        await state["client"].aclose()
        state["client"].close()

    return setup, call, teardown


def threaded_floor(
    url: str, headers: dict[str, str], decoder: msgspec.json.Decoder[Any]
) -> AsyncParts:
    """Bare urllib3 (as ``floor/urllib3``) run in the loop's default thread pool, the pool
    our threaded transport uses, and decoded back on the loop as our parser is."""
    pool = urllib3.PoolManager(maxsize=16, block=False, retries=False)

    def fetch() -> tuple[int, bytes]:
        response = pool.request("GET", url, headers=headers, retries=False)
        return response.status, response.data

    async def setup() -> None:
        await call()

    async def call() -> object:
        status, data = await asyncio.get_running_loop().run_in_executor(None, fetch)
        return _checked(status, data, decoder)

    async def teardown() -> None:
        pool.clear()

    return setup, call, teardown


def aiohttp_floor(
    url: str, headers: dict[str, str], decoder: msgspec.json.Decoder[Any]
) -> AsyncParts:
    """Bare aiohttp: one ``ClientSession`` (default connector) shared by every task."""
    import aiohttp  # noqa: PLC0415

    state: dict[str, Any] = {}

    async def setup() -> None:
        state["session"] = aiohttp.ClientSession()
        await call()

    async def call() -> object:
        async with state["session"].get(url, headers=headers) as response:
            return _checked(response.status, await response.read(), decoder)

    async def teardown() -> None:
        await state["session"].close()

    return setup, call, teardown


def httpx_async_floor(
    url: str, headers: dict[str, str], decoder: msgspec.json.Decoder[Any]
) -> AsyncParts:
    """Bare httpx: one ``httpx.AsyncClient`` (default limits) shared by every task."""
    import httpx  # noqa: PLC0415

    state: dict[str, Any] = {}

    async def setup() -> None:
        state["client"] = httpx.AsyncClient(timeout=None)
        await call()

    async def call() -> object:
        response = await state["client"].get(url, headers=headers)
        return _checked(response.status_code, response.content, decoder)

    async def teardown() -> None:
        await state["client"].aclose()

    return setup, call, teardown


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


# --- case 6: concurrent paging and many companies (issue 14) ----------------------------


def case_concurrent_paging(opts: dict[str, Any]) -> list[Record]:
    """``iter_all(concurrency=N)`` through a sandbox with added latency, by
    ``bench/paging_concurrency.py``'s own functions (imported, so both measure the same)."""
    import paging_concurrency  # noqa: PLC0415

    customers, page_size = opts["customers"], opts["page_size"]
    latency, levels = opts["latency_ms"], opts["concurrency"]
    paging_concurrency.expected_count = customers
    proc, info = paging_concurrency.start_sandbox(customers, latency)
    times: dict[int, list[float]] = {level: [] for level in levels}
    try:
        sdk = CodatAccounting(security=info["API key"], server_url=info["base_url"])
        company = info["Company"]
        paging_concurrency.read_all(sdk, company, 1, page_size)  # connections, SQLite cache
        for _ in range(opts["repeats"]):
            for level in levels:  # in turns, so every level sees the machine's moods
                times[level].append(paging_concurrency.read_all(sdk, company, level, page_size))
        sdk.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    op = f"{customers:,} customers, pages of {page_size:,}, {latency:g} ms latency"
    return [
        record(
            "concurrent paging",
            op,
            "ours seed iter_all",
            "s",
            values,
            mode=f"concurrency {level}",
            baseline_mode=f"concurrency {levels[0]}",
        )
        for level, values in times.items()
    ]


def case_many_companies(opts: dict[str, Any]) -> list[Record]:
    """``gather_customers_sync`` over many sandbox companies, on the async default and on
    the threaded transport, with one request at a time and with more."""
    from codat_customers.adapters.urllib3 import Urllib3Transport  # noqa: PLC0415

    from codat_customers.adapters.threaded import ThreadedAsyncTransport  # noqa: PLC0415
    from codat_customers.async_default import default_async_adapter  # noqa: PLC0415
    from codat_customers.concurrency import gather_customers_sync  # noqa: PLC0415

    base, auth, companies = opts["base_url"], opts["auth_header"], opts["companies"]
    expected, page_size, per_company = opts["customers"], opts["page_size"], opts["per_company"]
    levels = opts["max_in_flight"]
    clients = {
        f"ours result/{default_async_adapter()} (default)": CodatCustomers(auth, server_url=base),
        "ours result/threaded(urllib3)": CodatCustomers(
            auth,
            server_url=base,
            async_transport=ThreadedAsyncTransport(Urllib3Transport(maxsize=max(levels))),
        ),
    }

    def gather(client: CodatCustomers, level: int) -> float:
        started = time.perf_counter()
        results = gather_customers_sync(
            client, companies, max_in_flight=level, per_company=per_company, page_size=page_size
        )
        elapsed = time.perf_counter() - started
        counts = {len(result.unwrap()) for result in results.values()}
        assert counts == {expected}, counts
        return elapsed

    times: dict[tuple[str, int], list[float]] = {}
    for client in clients.values():
        gather(client, max(levels))  # warm-up
    for _ in range(opts["repeats"]):
        for level in levels:
            for name, client in clients.items():
                times.setdefault((name, level), []).append(gather(client, level))
    for client in clients.values():
        client.close()
    op = f"{len(companies)} companies x {expected} customers, pages of {page_size}"
    return [
        record(
            "many companies",
            op,
            name,
            "s",
            values,
            mode=f"max_in_flight {level}",
            baseline_mode=f"max_in_flight {levels[0]}",
        )
        for (name, level), values in times.items()
    ]


def case_adapters(opts: dict[str, Any]) -> list[Record]:
    from codat_customers.async_default import default_async_adapter  # noqa: PLC0415

    sync_adapters, async_adapters, notes = discover_adapters()
    return [
        {
            "sync": sorted(sync_adapters),
            "async": sorted(async_adapters),
            "async_default": default_async_adapter(),
            "problems": notes,
        }
    ]


CASES = {
    "memory": case_memory,
    "loopback": case_loopback,
    "paging": case_paging,
    "download": case_download,
    "adapters": case_adapters,
    "concurrent_paging": case_concurrent_paging,
    "many_companies": case_many_companies,
}


def main() -> None:
    emit(CASES[sys.argv[1]](settings()))


if __name__ == "__main__":
    main()
