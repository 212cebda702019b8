"""The OpenTelemetry plugin against a traced sandbox: spans, attributes, metrics, one trace."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from codat_customers.adapters.httpx import HttpxAsyncTransport
from codat_customers.core import HttpRequest, HttpResponse, TransportError
from codat_customers.core.operations import OPERATIONS, PUSH_OPERATIONS
from codat_customers.plugins import CachePlugin, CallContext, hookimpl
from codat_customers.plugins.opentelemetry import (
    OPERATION_ID,
    RETRIES_METRIC,
    RETRY_DELAY,
    RETRY_REASON,
    OpenTelemetryPlugin,
)
from codat_customers.sandbox import SandboxServer
from opentelemetry.trace import SpanKind, StatusCode
from otel_support import QUICK_RETRIES, TEMPLATE, Metrics, Traces, call_and_attempts
from returns.unsafe import unsafe_perform_io

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import shared


def _client(
    sandbox: SandboxServer, traces: Traces, metrics: Metrics | None = None, **options: Any
) -> CodatCustomers:
    plugin = OpenTelemetryPlugin(
        traces.provider,
        metrics.provider if metrics else None,
        propagate=options.pop("propagate", True),
    )
    options.setdefault("retry_config", None)
    plugins = [plugin, *options.pop("plugins", ())]
    return CodatCustomers(
        options.pop("security", sandbox.auth_header),
        server_url=options.pop("server_url", sandbox.base_url),
        plugins=plugins,
        **options,
    )


def _get(sandbox: SandboxServer, customer_id: str | None = None) -> dict[str, str]:
    return {"company_id": sandbox.company_id, "customer_id": customer_id or sandbox.customer_id}


def _download(sandbox: SandboxServer) -> dict[str, str]:
    return {
        "company_id": sandbox.company_id,
        "connection_id": sandbox.connection_id,
        "customer_id": sandbox.customer_id,
        "attachment_id": sandbox.attachment_id,
    }


class ClearFaultsAfterFirstAttempt:
    """Lets the first attempt meet the sandbox's faults, and the next ones not."""

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


def test_success_is_one_trace_from_the_call_through_the_attempt_into_the_server(
    sandbox: SandboxServer, traces: Traces
) -> None:
    with _client(sandbox, traces) as client:
        assert client.get(_get(sandbox)).unwrap().id == sandbox.customer_id
    (server,) = traces.wait_for(SpanKind.SERVER, 1)
    call, (attempt,) = call_and_attempts(traces.spans())
    assert call.name == "get-customer"
    assert call.parent is None
    assert attempt.name == f"GET {TEMPLATE}"
    assert dict(attempt.attributes or {}) == {
        OPERATION_ID: "get-customer",
        "http.request.method": "GET",
        "url.template": TEMPLATE,
        "server.address": "127.0.0.1",
        "server.port": int(sandbox.base_url.rsplit(":", 1)[1]),
        "http.response.status_code": 200,
    }
    assert call.status.status_code is StatusCode.UNSET
    assert attempt.status.status_code is StatusCode.UNSET
    # The server span continues the trace, as a child of the attempt (W3C traceparent).
    assert server.context.trace_id == call.context.trace_id == attempt.context.trace_id
    assert server.parent is not None
    assert server.parent.span_id == attempt.context.span_id
    assert call.start_time <= attempt.start_time <= attempt.end_time <= call.end_time  # type: ignore[operator]


def test_the_call_span_is_a_child_of_the_callers_span(
    sandbox: SandboxServer, traces: Traces
) -> None:
    tracer = traces.provider.get_tracer("test")
    with tracer.start_as_current_span("job") as job, _client(sandbox, traces) as client:
        client.get(_get(sandbox)).unwrap()
    call = next(span for span in traces.spans() if span.name == "get-customer")
    assert call.parent is not None
    assert call.parent.span_id == job.get_span_context().span_id


def test_not_found_sets_the_error_status_and_type(sandbox: SandboxServer, traces: Traces) -> None:
    with _client(sandbox, traces) as client:
        assert client.get(_get(sandbox, "no-such-customer")).failure().status == 404  # type: ignore[attr-defined]
    call, (attempt,) = call_and_attempts(traces.spans())
    for span in (call, attempt):
        assert span.attributes is not None
        assert span.attributes["http.response.status_code"] == 404
        assert span.attributes["error.type"] == "404"
        assert span.status.status_code is StatusCode.ERROR
    # The filled-in path (with the customer id) is never recorded.
    assert "no-such-customer" not in json.dumps([dict(s.attributes or {}) for s in (call, attempt)])


def test_a_retried_503_then_success(
    sandbox: SandboxServer, traces: Traces, metrics: Metrics
) -> None:
    sandbox.set_faults(error_rate=1.0, error_statuses=[503], operations=["get-customer"])
    client = _client(
        sandbox,
        traces,
        metrics,
        retry_config=QUICK_RETRIES,
        plugins=[ClearFaultsAfterFirstAttempt(sandbox)],
    )
    with client:
        assert client.get(_get(sandbox)).unwrap().id == sandbox.customer_id
    servers = traces.wait_for(SpanKind.SERVER, 2)
    call, attempts = call_and_attempts(traces.spans())
    assert [a.attributes["http.response.status_code"] for a in attempts] == [503, 200]  # type: ignore[index]
    first, second = attempts
    assert first.attributes is not None and second.attributes is not None
    assert first.attributes["error.type"] == "503"
    assert first.status.status_code is StatusCode.ERROR
    assert "http.request.resend_count" not in first.attributes
    assert second.attributes["http.request.resend_count"] == 1
    assert 0 <= second.attributes[RETRY_DELAY] <= 0.002  # type: ignore[operator]
    assert second.status.status_code is StatusCode.UNSET
    assert call.status.status_code is StatusCode.UNSET
    assert call.attributes is not None and call.attributes["http.response.status_code"] == 200
    # Each attempt's own server span, each under its attempt.
    assert sorted(s.parent.span_id for s in servers if s.parent) == sorted(
        a.context.span_id for a in attempts
    )
    (retried,) = metrics.points(RETRIES_METRIC)
    assert retried.value == 1
    assert dict(retried.attributes) == {OPERATION_ID: "get-customer", RETRY_REASON: "503"}
    durations = metrics.points("http.client.request.duration")
    assert sorted(p.attributes.get("http.response.status_code") for p in durations) == [200, 503]
    assert sum(p.count for p in durations) == 2
    failed = next(p for p in durations if p.attributes.get("error.type") == "503")
    assert dict(failed.attributes) == {
        "http.request.method": "GET",
        "url.template": TEMPLATE,
        "server.address": "127.0.0.1",
        "server.port": int(sandbox.base_url.rsplit(":", 1)[1]),
        "http.response.status_code": 503,
        "error.type": "503",
    }


def test_retries_exhausted(sandbox: SandboxServer, traces: Traces, metrics: Metrics) -> None:
    sandbox.set_faults(error_rate=1.0, error_statuses=[503], operations=["get-customer"])
    with _client(sandbox, traces, metrics, retry_config=QUICK_RETRIES) as client:
        assert client.get(_get(sandbox)).failure().status == 503  # type: ignore[attr-defined]
    call, attempts = call_and_attempts(traces.spans())
    assert len(attempts) >= 2
    for number, attempt in enumerate(attempts):
        assert attempt.attributes is not None
        assert attempt.attributes.get("http.request.resend_count", 0) == number
        assert attempt.attributes["error.type"] == "503"
        assert attempt.status.status_code is StatusCode.ERROR
    assert call.attributes is not None and call.attributes["error.type"] == "503"
    assert call.status.status_code is StatusCode.ERROR
    (retried,) = metrics.points(RETRIES_METRIC)
    assert retried.value == len(attempts) - 1


def test_a_transport_error_names_the_exception_class(traces: Traces, metrics: Metrics) -> None:
    traces.clear()
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    client = CodatCustomers(
        "Basic eA==",
        server_url=f"http://127.0.0.1:{port}",
        retry_config=None,
        plugins=[OpenTelemetryPlugin(traces.provider, metrics.provider)],
    )
    with client:
        error = client.get({"company_id": "c", "customer_id": "x"}).failure()
    assert type(error).__name__ == "ConnectError"
    call, (attempt,) = call_and_attempts(traces.spans())
    for span in (call, attempt):
        assert span.attributes is not None
        assert span.attributes["error.type"] == "ConnectError"
        assert "http.response.status_code" not in span.attributes
        assert span.status.status_code is StatusCode.ERROR
    (point,) = metrics.points("http.client.request.duration")
    assert point.attributes["error.type"] == "ConnectError"


def test_a_download_ends_its_spans_when_read_not_when_returned(
    sandbox: SandboxServer, traces: Traces
) -> None:
    with _client(sandbox, traces) as client:
        download = client.download_attachment(_download(sandbox)).unwrap()
        assert traces.of_kind(SpanKind.INTERNAL) == []
        assert traces.of_kind(SpanKind.CLIENT) == []
        body = download.read()
    assert body.startswith(b"%PDF")
    call, (attempt,) = call_and_attempts(traces.spans())
    assert call.name == "download-customer-attachment"
    assert attempt.attributes is not None
    assert attempt.attributes["http.response.status_code"] == 200
    assert call.status.status_code is StatusCode.UNSET


def test_a_download_closed_unread_ends_its_spans(sandbox: SandboxServer, traces: Traces) -> None:
    with _client(sandbox, traces) as client:
        download = client.download_attachment(_download(sandbox)).unwrap()
        assert traces.of_kind(SpanKind.INTERNAL) == []
        download.close()
    call, (attempt,) = call_and_attempts(traces.spans())
    assert call.end_time is not None and attempt.end_time is not None


def test_a_download_cut_short_is_an_error(sandbox: SandboxServer, traces: Traces) -> None:
    sandbox.set_faults(drop_connection_rate=1.0, operations=["download-customer-attachment"])
    with _client(sandbox, traces) as client:
        download = client.download_attachment(_download(sandbox)).unwrap()
        with pytest.raises(Exception, match=r".") as raised:
            download.read()
    call, (attempt,) = call_and_attempts(traces.spans())
    for span in (call, attempt):
        assert span.attributes is not None
        assert span.attributes["error.type"] == type(raised.value).__name__
        assert span.status.status_code is StatusCode.ERROR


def test_async_calls_and_downloads(sandbox: SandboxServer, traces: Traces) -> None:
    async def scenario() -> None:
        client = _client(sandbox, traces, async_transport=HttpxAsyncTransport())
        async with client:
            got = unsafe_perform_io(await client.get_async(_get(sandbox)))
            assert got.unwrap().id == sandbox.customer_id
            download = unsafe_perform_io(
                await client.download_attachment_async(_download(sandbox))
            ).unwrap()
            assert [s.name for s in traces.of_kind(SpanKind.INTERNAL)] == ["get-customer"]
            chunks = [chunk async for chunk in download.aiter_bytes(1024)]
            assert chunks

    asyncio.run(scenario())
    traces.wait_for(SpanKind.SERVER, 2)
    names = sorted(span.name for span in traces.of_kind(SpanKind.INTERNAL))
    assert names == ["download-customer-attachment", "get-customer"]
    servers = traces.of_kind(SpanKind.SERVER)
    attempts = {span.context.span_id for span in traces.of_kind(SpanKind.CLIENT)}
    assert {span.parent.span_id for span in servers if span.parent} == attempts


def test_propagation_can_be_switched_off(sandbox: SandboxServer, traces: Traces) -> None:
    with _client(sandbox, traces, propagate=False) as client:
        client.get(_get(sandbox)).unwrap()
    (server,) = traces.wait_for(SpanKind.SERVER, 1)
    call, _ = call_and_attempts(traces.spans())
    assert server.parent is None
    assert server.context.trace_id != call.context.trace_id


def test_a_cache_hit_is_a_call_span_without_attempts(
    sandbox: SandboxServer, traces: Traces
) -> None:
    with _client(sandbox, traces, cache=CachePlugin(ttl=60)) as client:
        client.get(_get(sandbox)).unwrap()
        traces.wait_for(SpanKind.SERVER, 1)
        traces.clear()
        client.get(_get(sandbox)).unwrap()
    (call,) = traces.spans()
    assert call.name == "get-customer"
    assert call.status.status_code is StatusCode.UNSET


def test_no_span_event_or_metric_carries_the_api_key(
    sandbox: SandboxServer, traces: Traces, metrics: Metrics
) -> None:
    sandbox.set_faults(error_rate=1.0, error_statuses=[503], operations=["get-customer"])
    client = _client(
        sandbox,
        traces,
        metrics,
        retry_config=QUICK_RETRIES,
        plugins=[ClearFaultsAfterFirstAttempt(sandbox)],
    )
    with client:
        client.get(_get(sandbox)).unwrap()
        listing = {"company_id": sandbox.company_id, "query": "customerName=SecretValue"}
        client.list(listing).unwrap()
        client.get(_get(sandbox, "missing")).failure()
        client.download_attachment(_download(sandbox)).unwrap().read()
    traces.wait_for(SpanKind.SERVER, 5)
    key = sandbox.api_key
    header = sandbox.auth_header
    encoded = base64.b64encode(key.encode()).decode()
    recorded = []
    for span in traces.spans():
        recorded.append(span.to_json())
    data = metrics.reader.get_metrics_data()
    assert data is not None
    recorded.append(data.to_json())
    text = "\n".join(recorded)
    assert len(traces.of_kind(SpanKind.CLIENT)) == 5
    for secret in (key, header, encoded):
        assert secret not in text
    # The sandbox's own server spans may show the query; the client's never do.
    ours = [s.to_json() for s in traces.spans() if s.kind is not SpanKind.SERVER]
    assert "SecretValue" not in "\n".join([*ours, data.to_json()])
    # What the client spans record is a fixed set of names.
    client_keys = {
        name
        for span in traces.spans()
        if span.kind in (SpanKind.CLIENT, SpanKind.INTERNAL)
        for name in (span.attributes or {})
    }
    assert client_keys <= {
        OPERATION_ID,
        RETRY_DELAY,
        "http.request.method",
        "http.request.resend_count",
        "http.response.status_code",
        "error.type",
        "url.template",
        "server.address",
        "server.port",
    }
    assert all(not span.events for span in traces.spans() if span.kind is not SpanKind.SERVER)


def test_every_operation_has_its_contract_path_template() -> None:
    specs = [
        json.loads((Path(__file__).parents[2] / "spec" / name).read_text("utf-8"))
        for name in ("customers.openapi.json", "push-operations.openapi.json")
    ]
    ids = {
        operation["operationId"]: path
        for spec in specs
        for path, item in spec["paths"].items()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    source = (
        Path(__file__).parents[2] / "core" / "src" / "codat_customers" / "core" / "operations.py"
    ).read_text("utf-8")
    for operation in (*OPERATIONS, *PUSH_OPERATIONS):
        if operation.id not in ids:
            continue  # an operation of another contract file
        assert f'path_template="{ids[operation.id]}"' in source, operation.id


_NO_OTEL = """
import sys
import codat_customers, codat_customers.plugins, codat_customers.sdk
from codat_customers import CodatAccounting, CodatCustomers
import codat_customers.adapters.urllib3, codat_customers.sandbox
loaded = sorted(name for name in sys.modules if name.startswith("opentelemetry"))
assert not loaded, loaded
"""

_WITHOUT_EXTRA = """
import sys
sys.modules["opentelemetry"] = None  # as if opentelemetry-api were not installed
try:
    import codat_customers.plugins.opentelemetry
except ImportError as exc:
    print(exc)
"""


def test_without_the_plugin_nothing_of_opentelemetry_is_imported() -> None:
    subprocess.run([sys.executable, "-c", _NO_OTEL], check=True)


def test_without_the_extra_the_import_error_names_it() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXTRA], check=True, capture_output=True, text=True
    )
    assert 'pip install "codat-customers[opentelemetry]"' in done.stdout


def test_registered_later_on_the_seed_style_client(sandbox: SandboxServer, traces: Traces) -> None:
    s = CodatAccounting(
        security=shared.Security(auth_header=sandbox.auth_header), server_url=sandbox.base_url
    )
    s.register_plugin(OpenTelemetryPlugin(traces.provider))
    s.customers.get(request=_get(sandbox))
    call, (attempt,) = call_and_attempts(traces.spans())
    assert call.name == "get-customer"
    assert attempt.attributes is not None
    assert attempt.attributes["http.response.status_code"] == 200
