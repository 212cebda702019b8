"""The OpenTelemetry plugin sees the same calls, attempts and downloads over every adapter."""

from __future__ import annotations

import socket
from typing import Any

from codat_customers.core import HttpRequest, HttpResponse, TransportError
from codat_customers.plugins import BackoffStrategy, CallContext, RetryConfig, hookimpl
from codat_customers.plugins.opentelemetry import OpenTelemetryPlugin
from codat_customers.sandbox import SandboxServer
from conformance_support import Driver
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

QUICK_RETRIES = RetryConfig("backoff", BackoffStrategy(1, 2, 1.5, 300), True)


class Traced:
    """A plugin writing to an in-memory exporter."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.plugin = OpenTelemetryPlugin(provider)

    def call(self) -> tuple[ReadableSpan, list[ReadableSpan]]:
        spans = self.exporter.get_finished_spans()
        (call,) = [span for span in spans if span.kind is SpanKind.INTERNAL]
        attempts = [span for span in spans if span.kind is SpanKind.CLIENT]
        assert all(
            a.parent is not None and a.parent.span_id == call.context.span_id for a in attempts
        )
        attempts.sort(key=lambda span: span.start_time or 0)
        return call, attempts


class ClearFaultsAfterFirstAttempt:
    def __init__(self, sandbox: SandboxServer) -> None:
        self.sandbox = sandbox

    @hookimpl
    def codat_observe_attempt(
        self,
        request: HttpRequest,
        context: CallContext,
        attempt: int,
        response: HttpResponse | None,
        error: TransportError | None,
        elapsed: float,
    ) -> None:
        if attempt == 1:
            self.sandbox.clear_faults()


def _get(sandbox: SandboxServer, customer_id: str | None = None) -> dict[str, Any]:
    return {"company_id": sandbox.company_id, "customer_id": customer_id or sandbox.customer_id}


def test_success_and_not_found(driver: Driver) -> None:
    traced = Traced()
    client = driver.client(plugins=[traced.plugin])
    assert driver.invoke("result", client, "get", _get(driver.sandbox)).unwrap()
    call, (attempt,) = traced.call()
    assert call.name == "get-customer"
    assert attempt.attributes is not None
    assert attempt.attributes["http.response.status_code"] == 200
    assert attempt.attributes["url.template"] == (
        "/companies/{companyId}/data/customers/{customerId}"
    )
    traced.exporter.clear()
    driver.invoke("result", client, "get", _get(driver.sandbox, "missing")).failure()
    call, (attempt,) = traced.call()
    for span in (call, attempt):
        assert span.attributes is not None and span.attributes["error.type"] == "404"
        assert span.status.status_code is StatusCode.ERROR


def test_a_retried_503_is_two_attempt_spans(driver: Driver, faults: SandboxServer) -> None:
    faults.set_faults(error_rate=1.0, error_statuses=[503], operations=["get-customer"])
    traced = Traced()
    client = driver.client(
        plugins=[traced.plugin, ClearFaultsAfterFirstAttempt(faults)], retry_config=QUICK_RETRIES
    )
    assert driver.invoke("result", client, "get", _get(faults)).unwrap()
    call, attempts = traced.call()
    statuses = [a.attributes["http.response.status_code"] for a in attempts]  # type: ignore[index]
    assert statuses == [503, 200]
    assert attempts[1].attributes is not None
    assert attempts[1].attributes["http.request.resend_count"] == 1
    assert call.status.status_code is StatusCode.UNSET


def test_a_transport_error(driver: Driver) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    traced = Traced()
    client = driver.client(plugins=[traced.plugin], server_url=f"http://127.0.0.1:{port}")
    error = driver.invoke("result", client, "get", _get(driver.sandbox)).failure()
    call, (attempt,) = traced.call()
    for span in (call, attempt):
        assert span.attributes is not None
        assert span.attributes["error.type"] == type(error).__name__
        assert span.status.status_code is StatusCode.ERROR


def test_a_download_ends_its_spans_once_read(driver: Driver) -> None:
    sandbox = driver.sandbox
    traced = Traced()
    client = driver.client(plugins=[traced.plugin])
    request = {
        "company_id": sandbox.company_id,
        "connection_id": sandbox.connection_id,
        "customer_id": sandbox.customer_id,
        "attachment_id": sandbox.attachment_id,
    }
    download = driver.invoke("result", client, "download_attachment", request).unwrap()
    assert traced.exporter.get_finished_spans() == ()
    size, _, _ = driver.consume(download)
    assert size > 0
    call, (attempt,) = traced.call()
    assert call.name == "download-customer-attachment"
    assert attempt.end_time is not None and call.end_time is not None
    assert attempt.end_time <= call.end_time
