"""How far past its timeout or deadline does a call end? (issue 10: p99 overshoot < 100 ms)

A local server accepts each connection, reads the request and never answers. Every adapter
then makes ``--calls`` calls with ``timeout_ms`` (retries off) and with ``deadline_ms``
(retries on, so the deadline is what ends the call), and the overshoot (elapsed minus the
bound) is reported as p50 / p99 / max in milliseconds. Figures, not assertions::

    uv run --all-extras python bench/deadlines.py --calls 40 --bound-ms 200
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from codat_customers.adapters.aiohttp import AiohttpTransport
from codat_customers.adapters.httpx import HttpxAsyncTransport, HttpxTransport
from codat_customers.adapters.stdlib import StdlibTransport
from codat_customers.adapters.urllib3 import Urllib3Transport

from codat_customers import CodatCustomers
from codat_customers.utils import BackoffStrategy, RetryConfig

REQUEST = {"company_id": "8a210b68-6988-11ed-a1eb-0242ac120002", "customer_id": "C-1"}
RETRIES = RetryConfig("backoff", BackoffStrategy(10, 50, 1.5, 60_000), True)


def silent_server() -> tuple[str, Callable[[], None]]:
    """A server that reads requests and never answers; returns its URL and a stop function."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)  # kept open, never answered

    threading.Thread(target=accept, daemon=True).start()

    def stop() -> None:
        stopping.set()
        listener.close()
        for conn in held:
            conn.close()

    return f"http://127.0.0.1:{listener.getsockname()[1]}", stop


SYNC: dict[str, Callable[[], Any]] = {
    "urllib3": Urllib3Transport,
    "stdlib": StdlibTransport,
    "httpx": HttpxTransport,
}
ASYNC: dict[str, Callable[[], Any]] = {
    "threaded": lambda: None,
    "httpx-async": HttpxAsyncTransport,
    "aiohttp": AiohttpTransport,
}


def percentiles(overshoots: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max of ``overshoots`` (seconds), in milliseconds."""
    ms = sorted(x * 1000 for x in overshoots)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return statistics.median(ms), p99, ms[-1]


def _options(kind: str, bound_ms: float) -> dict[str, Any]:
    if kind == "timeout":
        return {"timeout_ms": bound_ms, "retries": None}
    return {"deadline_ms": bound_ms, "retries": RETRIES}


def measure(url: str, calls: int, bound_ms: float) -> Iterator[tuple[str, str, list[float]]]:
    """``(adapter, "timeout" | "deadline", overshoots in seconds)`` for every adapter, each
    after ``calls`` calls bounded by ``bound_ms`` against the silent server at ``url``.

    Each client makes one call first that is not measured: it pays what happens once per
    client (the library's lazy imports, its TLS context, the pool), about 150 ms for
    httpx's async client, which would otherwise be the p99 of every short run.
    """
    bound = bound_ms / 1000
    for name, make in SYNC.items():
        for kind in ("timeout", "deadline"):
            client = CodatCustomers("key", server_url=url, transport=make())
            options = _options(kind, bound_ms)
            client.get(REQUEST, **options)  # warm-up, not measured
            overshoots = []
            for _ in range(calls):
                started = time.monotonic()
                assert client.get(REQUEST, **options).failure()
                overshoots.append(time.monotonic() - started - bound)
            client.close()
            yield name, kind, overshoots
    for name, make in ASYNC.items():
        for kind in ("timeout", "deadline"):
            client = CodatCustomers("key", server_url=url, async_transport=make())
            options = _options(kind, bound_ms)

            async def run(c: CodatCustomers = client, o: dict[str, Any] = options) -> list[float]:
                await c.get_async(REQUEST, **o)  # warm-up, not measured
                found = []
                for _ in range(calls):
                    started = time.monotonic()
                    await c.get_async(REQUEST, **o)
                    found.append(time.monotonic() - started - bound)
                await c.aclose()
                return found

            yield name, kind, asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--bound-ms", type=float, default=200)
    args = parser.parse_args()
    url, stop = silent_server()
    print(f"overshoot in ms past a {args.bound_ms:g} ms bound, {args.calls} calls each")
    print(f"{'adapter':12} {'bound':9} {'p50':>7} {'p99':>7} {'max':>7}")
    try:
        for name, kind, overshoots in measure(url, args.calls, args.bound_ms):
            p50, p99, top = percentiles(overshoots)
            print(f"{name:12} {kind:9} {p50:7.1f} {p99:7.1f} {top:7.1f}")
    finally:
        stop()


if __name__ == "__main__":
    main()
