"""Timing and memory helpers shared by every contender script.

Standard library only: the peer's script imports this module from the peer's own
virtualenv, where neither msgspec nor our package is installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

Record = dict[str, Any]


# --- settings passed down by run.py ---------------------------------------------------


def settings() -> dict[str, Any]:
    """The JSON settings run.py passes in ``$BENCH_SETTINGS``."""
    return json.loads(os.environ.get("BENCH_SETTINGS", "{}"))


def emit(records: list[Record]) -> None:
    """Hand the records back to run.py: one JSON document on the last line of stdout."""
    sys.stdout.write("\n" + json.dumps(records) + "\n")
    sys.stdout.flush()


def read_body(directory: str, name: str) -> bytes:
    """A fixture body written by run.py (the same bytes for every contender)."""
    return (Path(directory) / name).read_bytes()


# --- latency of an in-memory call -------------------------------------------------------


def per_call_seconds(
    func: Callable[[], object], *, repeats: int, min_time: float, warmup: float
) -> list[float]:
    """Seconds per call of ``func``, one value per repeat, after ``warmup`` seconds of calls.

    The number of calls per repeat is calibrated so that one repeat lasts about
    ``min_time`` seconds.
    """
    clock = time.perf_counter
    end = clock() + warmup
    calls = 0
    while True:
        func()
        calls += 1
        if clock() >= end:
            break
    number = 1
    while True:
        start = clock()
        for _ in range(number):
            func()
        elapsed = clock() - start
        if elapsed >= min_time / 4 or number >= 1 << 24:
            break
        number *= 2
    number = max(1, int(number * min_time / max(elapsed, 1e-9)))
    results = []
    for _ in range(repeats):
        start = clock()
        for _ in range(number):
            func()
        results.append((clock() - start) / number)
    return results


def per_call_seconds_interleaved(
    funcs: dict[str, Callable[[], object]], *, repeats: int, min_time: float, warmup: float
) -> dict[str, list[float]]:
    """:func:`per_call_seconds` for several contenders, their repeats taken in turns.

    On a shared machine the load changes from second to second; taking one repeat of each
    contender in turn exposes them all to the same conditions.
    """
    numbers = {}
    for name, func in funcs.items():
        per_call = min(per_call_seconds(func, repeats=1, min_time=min_time / 4, warmup=warmup))
        numbers[name] = max(1, int(min_time / max(per_call, 1e-9)))
    results: dict[str, list[float]] = {name: [] for name in funcs}
    clock = time.perf_counter
    for _ in range(repeats):
        for name, func in funcs.items():
            number = numbers[name]
            start = clock()
            for _ in range(number):
                func()
            results[name].append((clock() - start) / number)
    return results


# --- throughput of calls over a socket --------------------------------------------------


def calls_per_second_sync(
    func: Callable[[], object], *, threads: int, duration: float, repeats: int, warmup: float
) -> list[float]:
    """Completed calls per second with ``threads`` threads calling ``func`` in a loop."""

    def window(seconds: float) -> float:
        counts = [0] * threads
        start_line = threading.Barrier(threads + 1)
        deadline = [0.0]

        def worker(index: int) -> None:
            start_line.wait()
            end = deadline[0]
            done = 0
            while time.perf_counter() < end:
                func()
                done += 1
            counts[index] = done

        workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for thread in workers:
            thread.start()
        begin = time.perf_counter()
        deadline[0] = begin + seconds
        start_line.wait()
        for thread in workers:
            thread.join()
        elapsed = time.perf_counter() - begin
        return sum(counts) / elapsed

    if threads == 1:
        return _sequential(func, duration=duration, repeats=repeats, warmup=warmup)
    window(warmup)
    return [window(duration) for _ in range(repeats)]


def _sequential(
    func: Callable[[], object], *, duration: float, repeats: int, warmup: float
) -> list[float]:
    clock = time.perf_counter

    def window(seconds: float) -> float:
        begin = clock()
        end = begin + seconds
        done = 0
        while True:
            func()
            done += 1
            now = clock()
            if now >= end:
                return done / (now - begin)

    window(warmup)
    return [window(duration) for _ in range(repeats)]


def calls_per_second_async(
    make_call: Callable[[], Awaitable[object]],
    *,
    tasks: int,
    duration: float,
    repeats: int,
    warmup: float,
    setup: Callable[[], Awaitable[object]] | None = None,
    teardown: Callable[[], Awaitable[object]] | None = None,
) -> list[float]:
    """Completed calls per second with ``tasks`` asyncio tasks awaiting calls in a loop."""

    async def window(seconds: float) -> float:
        loop = asyncio.get_running_loop()
        begin = loop.time()
        end = begin + seconds
        done = [0]

        async def worker() -> None:
            while loop.time() < end:
                await make_call()
                done[0] += 1

        await asyncio.gather(*(worker() for _ in range(tasks)))
        return done[0] / (loop.time() - begin)

    async def main() -> list[float]:
        if setup is not None:
            await setup()
        try:
            await window(warmup)
            return [await window(duration) for _ in range(repeats)]
        finally:
            if teardown is not None:
                await teardown()

    return asyncio.run(main())


# --- memory ----------------------------------------------------------------------------


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS counter of this process (Linux); False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def rss_bytes() -> int:
    """Resident set size now."""
    kib = _status_kib("VmRSS")
    return (kib or 0) * 1024


def peak_rss_bytes() -> int:
    """Peak resident set size (since start, or since :func:`reset_peak`)."""
    kib = _status_kib("VmHWM")
    if kib is None:
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib * 1024


class MemoryWatch:
    """Peak RSS growth over a block: ``baseline`` when entered, ``growth`` after it."""

    def __enter__(self) -> MemoryWatch:
        self.reset = reset_peak()
        self.baseline = rss_bytes()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.peak = peak_rss_bytes()
        self.growth = max(0, self.peak - self.baseline)


# --- summaries -------------------------------------------------------------------------


def summary(values: list[float]) -> dict[str, float]:
    """Min, median and max of the repeats."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def record(
    case: str, op: str, contender: str, unit: str, values: list[float], **extra: Any
) -> Record:
    """One result row as run.py expects it."""
    return {
        "case": case,
        "op": op,
        "contender": contender,
        "unit": unit,
        "values": values,
        **summary(values),
        **extra,
    }


def list_request(company: str, size: int, page: int = 1) -> dict[str, Any]:
    """A list request in the peer SDK's dict form, the same for every contender."""
    return {"company_id": company, "page": page, "page_size": size}


def get_request(company: str, customer: str) -> dict[str, Any]:
    """A get request in the peer SDK's dict form, the same for every contender."""
    return {"company_id": company, "customer_id": customer}
