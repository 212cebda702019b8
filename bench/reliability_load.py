"""The load scenario of the reliability report (issue 10): many callers sharing one client.

``uv run --all-extras python bench/reliability_load.py [--quick] [--calls N]`` prints a
table; ``bench/reliability.py`` calls :func:`run_load` for its rows.

Each contender runs in a fresh subprocess against one sandbox process on 127.0.0.1, so the
measured process is only the client: 16 threads sharing a sync client (the seed-style
``CodatAccounting`` and the Result API's ``CodatCustomers``, default urllib3 transport), and
500 asyncio tasks sharing one ``CodatCustomers`` over each async adapter. When
``bench/run.py`` has made ``bench/.venvs/peer``, the peer codat-accounting 0.36.0 runs the
same load from its own virtualenv (this file's child part needs only the standard library
there).

Every call is distinguishable, so a response delivered to the wrong caller is caught: a
``get`` of a random seeded customer must return that id; a ``list`` with ``query=id=X``
must return exactly ``[X]``; a ``list`` of a random page (random size 1..5) ordered by id
must return exactly that slice of the ids. Each call's kind and arguments come from a
generator seeded with the call's index.

Per contender: crossed responses and failed calls; attempts on the wire (a plugin on our
clients, an httpx event hook on the peer's); file descriptors, sockets and the client's
pooled connections before the first call and after closing the client; RSS sampled about
400 times during the run, the mean of the last quarter minus the mean of the second
quarter (the first is warm-up) as the memory growth; the peak RSS (``VmHWM``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from harness import peak_rss_bytes, rss_bytes  # noqa: E402

PEER_PYTHON = BENCH / ".venvs" / "peer" / "bin" / "python"
PEER_LABEL = "codat-accounting 0.36.0"
THREADS = 16
TASKS = 500
FULL_CALLS = 100_000
QUICK_CALLS = 2_000
SANDBOX_CUSTOMERS = 1_000
FULL_BUDGET = 600.0
PEER_FULL_BUDGET = 300.0
QUICK_BUDGET = 20.0
"""Seconds after which a contender starts no more calls. httpx's pool slows down
sharply with hundreds of requests waiting for a connection (encode/httpx#3215): the peer
cannot do 100,000 calls in any reasonable time at 500 tasks, so its runs stop after 300 s.
Our httpx transport queues the waiting requests itself (``max_in_flight``) and gets 600 s,
enough for all 100,000."""
RSS_SAMPLES = 400
RSS_GROWTH_LIMIT_MB = 2.0
"""Growth (last quarter minus second quarter) above which memory is not called flat: at
100,000 calls it is about 40 bytes kept per call."""

MB = 1024 * 1024


# --- the contenders -----------------------------------------------------------------------


@dataclass(frozen=True)
class Contender:
    """One row: how the child process builds its client and drives it."""

    key: str
    label: str
    peer: bool = False


def contenders(peer: bool) -> list[Contender]:
    """Ours on every async adapter that imports, then the peer's if its venv exists."""
    from our_cases import discover_adapters  # noqa: PLC0415 - needs our venv

    sync_adapters, async_adapters, _ = discover_adapters()
    found = [
        Contender("seed-threads", f"ours seed, {THREADS} threads (urllib3)"),
        Contender("result-threads", f"ours result, {THREADS} threads (urllib3)"),
        Contender(
            "result-tasks:threaded-urllib3", f"ours result async, {TASKS} tasks (threaded urllib3)"
        ),
    ]
    for label in sorted(async_adapters):
        # httpx's async transport sits in the same package as its sync one.
        name = f"{label}-async" if label in sync_adapters else label
        found.append(
            Contender(f"result-tasks:{name}", f"ours result async, {TASKS} tasks ({name})")
        )
    if peer:
        found.append(Contender("peer-threads", f"{PEER_LABEL}, {THREADS} threads (httpx)", True))
        found.append(Contender("peer-tasks", f"{PEER_LABEL}, {TASKS} tasks (httpx)", True))
    return found


# --- the workload: calls whose answers are known --------------------------------------------


@dataclass(frozen=True)
class Workload:
    """The seeded company and its customer ids in id order; makes and checks call ``i``."""

    company_id: str
    ids: list[str]

    def call(self, index: int) -> tuple[str, dict[str, Any], str | list[str]]:
        """Operation (``get``/``list``), request and expected answer of call ``index``."""
        rng = random.Random(index)
        kind = rng.random()
        if kind < 0.5:
            wanted = rng.choice(self.ids)
            return "get", {"company_id": self.company_id, "customer_id": wanted}, wanted
        if kind < 0.75:
            wanted = rng.choice(self.ids)
            return "list", {"company_id": self.company_id, "query": f"id={wanted}"}, [wanted]
        size = rng.randint(1, 5)
        page = rng.randint(1, -(-len(self.ids) // size))
        request = {"company_id": self.company_id, "page": page, "page_size": size}
        request["order_by"] = "id"
        return "list", request, self.ids[(page - 1) * size : page * size]

    @staticmethod
    def matches(op: str, value: Any, expected: str | list[str]) -> bool:
        """True when ``value`` (a customer or a page of them) is the answer expected."""
        if op == "get":
            return bool(value.id == expected)
        return [customer.id for customer in value.results or []] == expected


@dataclass
class Tally:
    """What the callers saw, updated under a lock from every thread or task."""

    every: int
    done: int = 0
    crossed: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(
        self, op: str, value: Any, expected: str | list[str], error: Exception | None
    ) -> None:
        """Record one completed call; sample the RSS every ``every`` calls."""
        with self.lock:
            self.done += 1
            if error is not None:
                self.errors += 1
                if len(self.error_samples) < 3:
                    self.error_samples.append(f"{type(error).__name__}: {error}"[:200])
            elif not Workload.matches(op, value, expected):
                self.crossed += 1
            sample = self.done % self.every == 0
        if sample:
            self.rss.append(rss_bytes())


# --- process resources ------------------------------------------------------------------------


def open_fds() -> tuple[int, int]:
    """(file descriptors, of which sockets) open in this process."""
    fds = sockets = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the directory's own descriptor, closed by now
            continue
        fds += 1
        sockets += target.startswith("socket:")
    return fds, sockets


def pooled_connections(transport: Any) -> int | None:
    """Connections a client's pool holds open (idle or lent out); None for an unknown pool.

    It reads the pools' internals by duck typing (urllib3, httpx, aiohttp, and our threaded
    wrapper) because none of them has a public count, and the peer's venv has none of ours.
    """
    kind = type(transport).__name__
    if kind == "ThreadedAsyncTransport":
        return pooled_connections(transport.transport)
    if kind == "Urllib3Transport":
        manager = transport.pool
        total = 0
        for key in list(manager.pools.keys()):
            host = manager.pools.get(key)
            if host is not None and host.pool is not None:
                idle = [c for c in list(host.pool.queue) if c is not None]
                total += sum(1 for c in idle if getattr(c, "sock", None) is not None)
        return total
    if kind == "HttpxTransport":
        client = transport._owned.current  # not .client: that makes a new one after close
        return 0 if client is None else pooled_connections(client)
    if kind == "HttpxAsyncTransport":
        client = transport.client  # the latest client it made; never makes one
        return 0 if client is None else pooled_connections(client)
    if kind in ("Client", "AsyncClient"):  # httpx
        pool = getattr(transport._transport, "_pool", None)
        return None if pool is None else sum(not c.is_closed() for c in pool.connections)
    if kind == "AiohttpTransport":
        session = transport.session
        connector = None if session is None else session.connector
        if connector is None:
            return 0
        kept = sum(len(conns) for conns in connector._conns.values())
        return int(kept + len(connector._acquired))
    return None


def rss_growth_mb(samples: list[int]) -> float | None:
    """Mean RSS of the last quarter of the samples minus that of the second quarter, in MB."""
    n = len(samples)
    if n < 8:
        return None
    second, last = samples[n // 4 : n // 2], samples[3 * n // 4 :]
    return (sum(last) / len(last) - sum(second) / len(second)) / MB


async def settle_async() -> None:
    """Let closed transports finish closing their sockets (they do it a loop turn later)."""
    for _ in range(5):
        await asyncio.sleep(0.05)
    gc.collect()


# --- the child: one contender, one process ---------------------------------------------------


class Attempts:
    """Counts requests sent on the wire, from any thread."""

    def __init__(self) -> None:
        self.value = 0
        self.lock = threading.Lock()

    def add(self, *_: object, **__: object) -> None:
        """Count one request (a plugin hook or an httpx event hook calls this)."""
        with self.lock:
            self.value += 1

    async def add_async(self, *_: object) -> None:
        """:meth:`add` for an ``httpx.AsyncClient`` event hook."""
        self.add()


def drive_threads(
    call: Callable[[str, dict[str, Any]], Any], work: Workload, tally: Tally, opts: dict[str, Any]
) -> None:
    """``THREADS`` threads take call indices from one counter until ``calls`` are done.

    No call starts after the time budget (``budget`` seconds); those under way finish.
    """
    indices = itertools.count()  # next() on it is atomic under the GIL
    calls, deadline = opts["calls"], time.monotonic() + opts["budget"]

    def worker() -> None:
        while time.monotonic() < deadline and (index := next(indices)) < calls:
            op, request, expected = work.call(index)
            try:
                value, error = call(op, request), None
            except Exception as exc:
                value, error = None, exc
            tally.count(op, value, expected, error)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


async def drive_tasks(
    call: Callable[[str, dict[str, Any]], Awaitable[Any]],
    work: Workload,
    tally: Tally,
    opts: dict[str, Any],
) -> None:
    """``TASKS`` tasks take call indices from one counter, as :func:`drive_threads`."""
    indices = itertools.count()
    calls, deadline = opts["calls"], time.monotonic() + opts["budget"]

    async def worker() -> None:
        while time.monotonic() < deadline and (index := next(indices)) < calls:
            op, request, expected = work.call(index)
            try:
                value, error = await call(op, request), None
            except Exception as exc:
                value, error = None, exc
            tally.count(op, value, expected, error)

    await asyncio.gather(*(worker() for _ in range(TASKS)))


def ours_threads(key: str, opts: dict[str, Any], work: Workload, tally: Tally) -> dict[str, Any]:
    """Our sync clients (seed or Result) on the default urllib3 transport, 16 threads."""
    from codat_customers.plugins import hookimpl  # noqa: PLC0415

    from codat_customers import CodatAccounting, CodatCustomers  # noqa: PLC0415

    attempts = Attempts()

    class AttemptPlugin:
        @hookimpl
        def codat_observe_attempt(self) -> None:
            attempts.add()

    before = open_fds()
    call: Callable[[str, dict[str, Any]], Any]
    if key == "seed-threads":
        seed = CodatAccounting(security=opts["auth_header"], server_url=opts["base_url"])
        seed.register_plugin(AttemptPlugin())
        transport, close = seed.results.transport, seed.close
        methods: dict[str, Callable[..., Any]] = {
            "get": seed.customers.get,
            "list": seed.customers.list,
        }

        def call(op: str, request: dict[str, Any]) -> Any:
            return methods[op](request=request)
    else:
        result = CodatCustomers(
            opts["auth_header"], server_url=opts["base_url"], plugins=[AttemptPlugin()]
        )
        transport, close = result.transport, result.close
        result_methods: dict[str, Callable[..., Any]] = {"get": result.get, "list": result.list}

        def call(op: str, request: dict[str, Any]) -> Any:
            return result_methods[op](request).unwrap()

    pool_before = pooled_connections(transport)
    start = time.perf_counter()
    drive_threads(call, work, tally, opts)
    seconds = time.perf_counter() - start
    pool_loaded = pooled_connections(transport)
    close()
    gc.collect()
    time.sleep(0.2)
    return resources(before, open_fds(), pool_before, pool_loaded, transport, seconds, attempts)


def ours_tasks(label: str, opts: dict[str, Any], work: Workload, tally: Tally) -> dict[str, Any]:
    """Our Result client's async face on one async adapter, 500 tasks in one event loop."""
    from codat_customers.core import GET, LIST  # noqa: PLC0415
    from codat_customers.plugins import hookimpl  # noqa: PLC0415

    from codat_customers import CodatCustomers  # noqa: PLC0415

    attempts = Attempts()

    class AttemptPlugin:
        @hookimpl
        def codat_observe_attempt(self) -> None:
            attempts.add()

    if label == "threaded-urllib3":
        from codat_customers.adapters.urllib3 import Urllib3Transport  # noqa: PLC0415

        from codat_customers.adapters.threaded import ThreadedAsyncTransport  # noqa: PLC0415

        transport: Any = ThreadedAsyncTransport(Urllib3Transport())
    else:
        from our_cases import discover_adapters  # noqa: PLC0415

        async_adapters = discover_adapters()[1]
        name = label if label in async_adapters else label.removesuffix("-async")
        transport = async_adapters[name]()
    operations: dict[str, Any] = {"get": GET, "list": LIST}

    async def run() -> dict[str, Any]:
        # Measured inside the loop, so that the loop's own descriptors are in both counts.
        before = open_fds()
        client = CodatCustomers(
            opts["auth_header"],
            server_url=opts["base_url"],
            async_transport=transport,
            plugins=[AttemptPlugin()],
        )
        pool_before = pooled_connections(transport)

        async def call(op: str, request: dict[str, Any]) -> Any:
            return (await client.call_async(operations[op], request)).unwrap()

        start = time.perf_counter()
        await drive_tasks(call, work, tally, opts)
        seconds = time.perf_counter() - start
        pool_loaded = pooled_connections(transport)
        await client.aclose()
        client.close()
        await settle_async()
        after = open_fds()
        return resources(before, after, pool_before, pool_loaded, transport, seconds, attempts)

    return asyncio.run(run())


def peer(key: str, opts: dict[str, Any], work: Workload, tally: Tally) -> dict[str, Any]:
    """The peer SDK on its own httpx client, in the peer's venv."""
    import httpx  # noqa: PLC0415
    from codat_accounting import CodatAccounting  # type: ignore[import-not-found]  # noqa: PLC0415
    from codat_accounting.models import shared  # type: ignore[import-not-found]  # noqa: PLC0415

    attempts = Attempts()
    security = shared.Security(auth_header=opts["auth_header"])
    if key == "peer-threads":
        before = open_fds()
        client = httpx.Client(event_hooks={"request": [attempts.add]})
        sdk = CodatAccounting(security=security, server_url=opts["base_url"], client=client)
        methods = {"get": sdk.customers.get, "list": sdk.customers.list}
        pool_before = pooled_connections(client)
        start = time.perf_counter()
        drive_threads(lambda op, r: methods[op](request=r), work, tally, opts)
        seconds = time.perf_counter() - start
        pool_loaded = pooled_connections(client)
        client.close()
        gc.collect()
        time.sleep(0.2)
        return resources(before, open_fds(), pool_before, pool_loaded, client, seconds, attempts)

    async def run() -> dict[str, Any]:
        before = open_fds()
        client = httpx.AsyncClient(event_hooks={"request": [attempts.add_async]})
        sdk = CodatAccounting(security=security, server_url=opts["base_url"], async_client=client)
        methods = {"get": sdk.customers.get_async, "list": sdk.customers.list_async}
        pool_before = pooled_connections(client)

        async def call(op: str, request: dict[str, Any]) -> Any:
            return await methods[op](request=request)

        start = time.perf_counter()
        await drive_tasks(call, work, tally, opts)
        seconds = time.perf_counter() - start
        pool_loaded = pooled_connections(client)
        await client.aclose()
        await settle_async()
        after = open_fds()
        return resources(before, after, pool_before, pool_loaded, client, seconds, attempts)

    return asyncio.run(run())


def resources(
    before: tuple[int, int],
    after: tuple[int, int],
    pool_before: int | None,
    pool_loaded: int | None,
    transport: Any,
    seconds: float,
    attempts: Attempts,
) -> dict[str, Any]:
    """The child's measurements besides the tally."""
    leftover = []
    if after[0] != before[0]:
        for name in sorted(os.listdir("/proc/self/fd"), key=int):
            try:
                leftover.append(os.readlink(f"/proc/self/fd/{name}"))
            except OSError:
                continue
    return {
        "fds_before": before[0],
        "fds_after": after[0],
        "sockets_before": before[1],
        "sockets_after": after[1],
        "pool_before": pool_before,
        "pool_loaded": pool_loaded,
        "pool_after": pooled_connections(transport),
        "seconds": seconds,
        "attempts": attempts.value,
        "open_after": leftover[-12:],
    }


def child(key: str) -> None:
    """Run one contender with the settings in ``$LOAD_SETTINGS``; print JSON on the last line."""
    opts = json.loads(os.environ["LOAD_SETTINGS"])
    ids = json.loads(Path(opts["ids_file"]).read_text())
    work = Workload(opts["company_id"], ids)
    tally = Tally(every=max(1, opts["calls"] // RSS_SAMPLES))
    if key.startswith("peer"):
        measured = peer(key, opts, work, tally)
    elif key.startswith("result-tasks:"):
        measured = ours_tasks(key.split(":", 1)[1], opts, work, tally)
    else:
        measured = ours_threads(key, opts, work, tally)
    measured.update(
        done=tally.done,
        crossed=tally.crossed,
        errors=tally.errors,
        error_samples=tally.error_samples,
        rss_growth_mb=rss_growth_mb(tally.rss),
        rss_samples=len(tally.rss),
        peak_rss_mb=peak_rss_bytes() / MB,
    )
    sys.stdout.write("\n" + json.dumps(measured) + "\n")


# --- the parent: sandbox, children, rows -----------------------------------------------------


def sorted_ids(base_url: str, auth_header: str, company_id: str) -> list[str]:
    """Every customer id of the company in the sandbox's ``orderBy=id`` order."""
    import urllib.request  # noqa: PLC0415

    ids: list[str] = []
    page = 1
    while True:
        url = (
            f"{base_url}/companies/{company_id}/data/customers?page={page}&pageSize=5000&orderBy=id"
        )
        request = urllib.request.Request(url, headers={"Authorization": auth_header})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.load(response)
        ids += [customer["id"] for customer in body.get("results") or []]
        if len(ids) >= body["totalResults"] or not body.get("results"):
            return ids
        page += 1


def row(
    contender: Contender, calls: int, budget: float, measured: dict[str, Any] | None, error: str
) -> dict[str, object]:
    """The report's row for one contender (``measured`` is None when the child failed).

    ``calls`` is the number asked for; the row's ``calls`` is the number completed, fewer
    only when the time budget stopped the run (said in the notes, not a miss by itself).
    """
    base: dict[str, object] = {
        "scenario": "load",
        "contender": contender.label,
        "faults": "none",
        "calls": calls,
        "attempts": None,
        "duplicates": None,
        "unknown_outcomes": None,
        "amplification": None,
        "overshoot_p99_ms": None,
        "leaked_fds": None,
        "peak_rss_mb": None,
    }
    if measured is None:
        return {**base, "verdict": f"missed: did not run ({error})", "notes": error}
    leaked = measured["fds_after"] - measured["fds_before"]
    growth = measured["rss_growth_mb"]
    done, seconds = measured["done"], measured["seconds"]
    misses = []
    stopped = done < calls and seconds >= budget
    if done < calls and not stopped:
        misses.append(f"{done} of {calls} calls completed")
    if measured["crossed"]:
        misses.append(f"{measured['crossed']} crossed responses")
    if measured["errors"]:
        misses.append(f"{measured['errors']} failed calls")
    if leaked:
        misses.append(f"{leaked} fds leaked")
    if measured["pool_after"] not in (0, None):
        misses.append(f"{measured['pool_after']} pooled connections after close")
    if growth is not None and growth > RSS_GROWTH_LIMIT_MB:
        misses.append(f"RSS grew {growth:.1f} MB")
    notes = [
        f"{measured['crossed']} crossed responses, {measured['errors']} failed calls",
        f"{done / seconds:,.0f} calls/s ({seconds:.1f} s)",
        "RSS growth (last quarter - second quarter): "
        + ("n/a" if growth is None else f"{growth:+.2f} MB"),
        f"fds {measured['fds_before']} -> {measured['fds_after']}, sockets "
        f"{measured['sockets_before']} -> {measured['sockets_after']}",
        f"pool connections {measured['pool_before']} before, {measured['pool_loaded']} "
        f"after the run, {measured['pool_after']} after close",
    ]
    if stopped:
        notes.insert(
            0, f"stopped by the {budget:.0f} s time budget after {done:,} of {calls:,} calls"
        )
    if measured["error_samples"]:
        notes.append("first errors: " + " | ".join(measured["error_samples"]))
    if leaked:
        notes.append("open after close: " + ", ".join(measured["open_after"]))
    return {
        **base,
        "calls": done,
        "attempts": measured["attempts"],
        "leaked_fds": leaked,
        "peak_rss_mb": round(measured["peak_rss_mb"], 1),
        "verdict": "met" if not misses else "missed: " + "; ".join(misses),
        "notes": "; ".join(notes),
    }


def run_child(
    contender: Contender, settings: dict[str, Any], timeout: float
) -> tuple[dict[str, Any] | None, str]:
    """Run one contender's process; its measurements, or None and why."""
    python = str(PEER_PYTHON) if contender.peer else sys.executable
    env = {**os.environ, "LOAD_SETTINGS": json.dumps(settings)}
    try:
        done = subprocess.run(
            [python, __file__, "--child", contender.key],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s"
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"exit status {done.returncode}: {tail}"
    measured: dict[str, Any] = json.loads(lines[-1])
    return measured, ""


def run_load(
    quick: bool, calls: int | None = None, only: str | None = None, budget: float | None = None
) -> list[dict[str, object]]:
    """Run every contender of the load scenario; one row each (see the module docstring).

    ``calls`` overrides the calls per contender (100,000; 2,000 when ``quick``), ``budget``
    the seconds after which a contender starts no more calls (600, the peer 300; 20 when
    ``quick``);
    ``only`` keeps the contenders whose key contains it. Without ``bench/.venvs/peer`` the
    peer's row says ``not run``.
    """
    from run import start_sandbox  # noqa: PLC0415 - the benchmarks' sandbox starter

    total = calls or (QUICK_CALLS if quick else FULL_CALLS)
    given_budget = budget
    budget = budget or (QUICK_BUDGET if quick else FULL_BUDGET)
    chosen = [c for c in contenders(PEER_PYTHON.exists()) if only is None or only in c.key]
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="codat-load-") as work:
        server, info = start_sandbox(Path(work), 200 if quick else SANDBOX_CUSTOMERS, None)
        try:
            ids = sorted_ids(info["base_url"], info["auth_header"], info["company_id"])
            ids_file = Path(work) / "ids.json"
            ids_file.write_text(json.dumps(ids))
            settings = {**info, "ids_file": str(ids_file), "calls": total, "budget": budget}
            for contender in chosen:
                print(f"load: {contender.label} ...", file=sys.stderr, flush=True)
                seconds = budget
                if contender.peer and not quick and given_budget is None:
                    seconds = PEER_FULL_BUDGET
                child = {**settings, "budget": seconds}
                measured, error = run_child(contender, child, timeout=seconds * 2 + 120)
                rows.append(row(contender, total, seconds, measured, error))
        finally:
            server.stop()
    if not PEER_PYTHON.exists():
        missing = row(Contender("peer", PEER_LABEL), total, budget, None, "")
        missing.update(verdict="not run", notes="no bench/.venvs/peer: run bench/run.py first")
        rows.append(missing)
    return rows


def print_table(rows: list[dict[str, object]]) -> None:
    """The rows as a plain-text table, notes below each."""
    print(f"{'contender':<52} {'calls':>7} {'attempts':>8} {'fds':>4} {'peak MB':>8}  verdict")
    for r in rows:
        print(
            f"{r['contender']!s:<52} {r['calls']!s:>7} {r['attempts']!s:>8} "
            f"{r['leaked_fds']!s:>4} {r['peak_rss_mb']!s:>8}  {r['verdict']}"
        )
        print(f"    {r['notes']}")


def main() -> None:
    """Command line: the table, or (``--child KEY``) one contender's process."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CALLS:,} calls each")
    parser.add_argument("--calls", type=int, help="calls per contender")
    parser.add_argument(
        "--budget", type=float, help="seconds per contender (600, the peer 300; quick 20)"
    )
    parser.add_argument("--only", help="run only contenders whose key contains this")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print_table(run_load(args.quick, args.calls, args.only, args.budget))


if __name__ == "__main__":
    main()
