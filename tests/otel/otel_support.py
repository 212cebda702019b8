"""In-memory OpenTelemetry pipelines for the tests, and helpers to read what they caught."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from codat_customers.plugins import BackoffStrategy, RetryConfig
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

# Quick retries: a wait of at most 2 ms, no attempt after 300 ms.
QUICK_RETRIES = RetryConfig("backoff", BackoffStrategy(1, 2, 1.5, 300), True)
TEMPLATE = "/companies/{companyId}/data/customers/{customerId}"


class Traces:
    """A tracer provider whose finished spans are kept in memory."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))

    def spans(self) -> tuple[ReadableSpan, ...]:
        return tuple(self.exporter.get_finished_spans())

    def of_kind(self, kind: SpanKind) -> list[ReadableSpan]:
        return [span for span in self.spans() if span.kind is kind]

    def wait_for(self, kind: SpanKind, count: int, timeout: float = 5.0) -> list[ReadableSpan]:
        """The spans of ``kind`` once there are ``count`` (server spans end on their thread)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.of_kind(kind)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.01)

    def clear(self) -> None:
        self.exporter.clear()


class Metrics:
    """A meter provider read on demand."""

    def __init__(self) -> None:
        self.reader = InMemoryMetricReader()
        self.provider = MeterProvider(metric_readers=[self.reader])

    def points(self, name: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        if data is None:
            return []
        return [
            point
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == name
            for point in metric.data.data_points
        ]


def call_and_attempts(
    spans: Sequence[ReadableSpan],
) -> tuple[ReadableSpan, list[ReadableSpan]]:
    """The one INTERNAL call span and its CLIENT attempt spans, in attempt order."""
    calls = [span for span in spans if span.kind is SpanKind.INTERNAL]
    assert len(calls) == 1, [span.name for span in spans]
    call = calls[0]
    attempts = [
        span
        for span in spans
        if span.kind is SpanKind.CLIENT
        and span.parent is not None
        and span.parent.span_id == call.context.span_id
    ]
    attempts.sort(key=lambda span: span.attributes.get("http.request.resend_count", 0))  # type: ignore[union-attr]
    return call, attempts
