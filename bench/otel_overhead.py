"""What the OpenTelemetry plugin costs per call (issue 13: < 10 us with a no-op provider).

One ``get`` is timed under three set-ups, interleaved so drift hits them alike:

* ``none``: no OpenTelemetry plugin;
* ``noop``: ``OpenTelemetryPlugin`` on the API's no-op tracer and meter providers (what a
  library user gets when the application has not configured OpenTelemetry);
* ``sdk``: the SDK's real ``TracerProvider`` (a ``BatchSpanProcessor`` to an exporter that
  drops the spans) and ``MeterProvider`` (an in-memory reader), so spans and metrics are
  really made.

In memory (a canned transport: the call without I/O, where the plugin's share is largest)
and over loopback (a keep-alive HTTP/1.1 server on 127.0.0.1, in a process of its own so it
does not share the client's GIL, answering every request with the same customer). Prints
the median of ``--repeats`` runs of ``--calls`` calls, per call, and the overhead over
``none``::

    uv run --all-extras python bench/otel_overhead.py
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from codat_customers.plugins.opentelemetry import OpenTelemetryPlugin
from fixtures import COMPANY_ID, one_customer
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import NoOpTracerProvider
from our_cases import CannedTransport

from codat_customers import CodatCustomers

REQUEST = {"company_id": COMPANY_ID, "customer_id": "cust-000001"}
BODY = one_customer()


class _Dropped(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def _plugins(setup: str) -> list[object]:
    if setup == "none":
        return []
    if setup == "noop":
        return [OpenTelemetryPlugin(NoOpTracerProvider(), NoOpMeterProvider())]
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(_Dropped()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    return [OpenTelemetryPlugin(tracer_provider, meter_provider)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed ACK

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(ports: multiprocessing.Queue[int]) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    ports.put(server.server_address[1])
    server.serve_forever()


def _per_call(call: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls


def measure(where: str, server_url: str, calls: int, repeats: int) -> dict[str, float]:
    clients = {}
    for setup in ("none", "noop", "sdk"):
        transport: dict[str, Any] = (
            {"transport": CannedTransport(BODY)} if where == "memory" else {}
        )
        client = CodatCustomers(
            "Basic YmVuY2g6", server_url=server_url, plugins=_plugins(setup), **transport
        )
        assert client.get(REQUEST).unwrap().id
        clients[setup] = client
    samples: dict[str, list[float]] = {setup: [] for setup in clients}
    order = list(clients.items())
    for repeat in range(repeats):
        # A different set-up goes first in each run, so none gains from going first.
        for setup, client in order[repeat % 3 :] + order[: repeat % 3]:
            samples[setup].append(_per_call(lambda c=client: c.get(REQUEST), calls))  # type: ignore[misc]
    for client in clients.values():
        client.close()
    return {setup: statistics.median(values) for setup, values in samples.items()}


def report(where: str, medians: dict[str, float]) -> None:
    base = medians["none"]
    for setup, value in medians.items():
        extra = "" if setup == "none" else f"  (+{(value - base) * 1e6:6.2f} us)"
        print(f"{where:8} {setup:5} {value * 1e6:8.2f} us/call{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per run (in memory)")
    parser.add_argument("--loopback-calls", type=int, default=500, help="calls per loopback run")
    parser.add_argument("--repeats", type=int, default=15, help="runs per set-up")
    options = parser.parse_args()
    report("memory", measure("memory", "http://bench.invalid", options.calls, options.repeats))
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(ports,), daemon=True)
    server.start()
    try:
        url = f"http://127.0.0.1:{ports.get(timeout=30)}"
        report("loopback", measure("loopback", url, options.loopback_calls, options.repeats))
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
