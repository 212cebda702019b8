"""OpenTelemetry: a span per call, a CLIENT span per attempt, and HTTP client metrics.

Install with ``pip install "codat-customers[opentelemetry]"`` (it needs ``opentelemetry-api``
only; the SDK and exporters are the application's choice) and register it like any plugin::

    client = CodatAccounting(security=..., plugins=[OpenTelemetryPlugin()])

Spans follow the OpenTelemetry semantic conventions for HTTP clients: one INTERNAL span per
logical call, named after the operation (``get-customer``), and under it one CLIENT span per
attempt (``GET /companies/{companyId}/data/customers/{customerId}``), each re-send with
``http.request.resend_count``. The W3C ``traceparent`` of the attempt's span goes out with
the attempt (``propagate=False`` turns that off). Only the path *template* is recorded:
never the filled-in path, query values, headers or bodies, so no identifier or credential
reaches a span. Metrics: the ``http.client.request.duration`` histogram (one record per
attempt) and ``codat.client.retries``, a counter of re-sends by reason.

A streamed download's spans end when its body has been read to the end or closed, not when
the call returns the download.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

try:
    from opentelemetry import metrics, propagate, trace
    from opentelemetry.context import Context
    from opentelemetry.trace import Span, SpanKind, StatusCode
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "codat_customers.plugins.opentelemetry needs opentelemetry-api:"
        ' pip install "codat-customers[opentelemetry]"'
    ) from exc

from codat_customers.core import (
    AsyncByteStream,
    ByteStream,
    CodatError,
    HttpRequest,
    HttpResponse,
    ResponseError,
    TransportError,
)

from .calls import USER_AGENT
from .context import CallContext
from .markers import hookimpl

__all__ = [
    "OPERATION_ID",
    "RETRIES_METRIC",
    "RETRY_DELAY",
    "RETRY_REASON",
    "OpenTelemetryPlugin",
]

OPERATION_ID = "codat.operation.id"
"""Attribute: the operation's id in the contract (``get-customer``)."""
RETRY_DELAY = "codat.retry.delay"
"""Attribute of a re-sent attempt's span: the seconds the retry policy waited before it."""
RETRY_REASON = "codat.retry.reason"
"""Attribute of the retry counter: the ``error.type`` of the attempt that was retried."""
RETRIES_METRIC = "codat.client.retries"
"""The counter of re-sent attempts, by operation and :data:`RETRY_REASON`."""

_SCOPE = "codat_customers"
_VERSION = USER_AGENT.partition("/")[2]
# The semantic conventions' advice for http.client.request.duration (seconds).
_DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _server(base_url: str) -> tuple[str, int | None]:
    parts = urlsplit(base_url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.hostname or "", port if port is not None else _DEFAULT_PORTS.get(parts.scheme)


_Attributes = tuple[dict[str, Any], dict[str, Any]]


def _attributes(base_url: str, operation_id: str, method: str, template: str) -> _Attributes:
    """The spans' attributes and the duration metric's, before the outcome is known."""
    host, port = _server(base_url)
    measured: dict[str, Any] = {"http.request.method": method, "server.address": host}
    if port is not None:
        measured["server.port"] = port
    if template:
        measured["url.template"] = template
    return {OPERATION_ID: operation_id, **measured}, measured


class _Call:
    """What the plugin keeps about one call between its hooks."""

    __slots__ = (
        "attempt",
        "attempt_started",
        "attributes",
        "error_type",
        "measured",
        "parent",
        "span",
        "status",
    )

    def __init__(self, span: Span, attributes: dict[str, Any], measured: dict[str, Any]) -> None:
        self.span = span
        self.attributes = attributes
        self.measured = measured
        # The attempts' parent; None when the call span is invalid (no tracer configured):
        # then there is nothing to make attempt spans under, nor to propagate.
        self.parent: Context | None = (
            trace.set_span_in_context(span) if span.get_span_context().is_valid else None
        )
        self.attempt: Span | None = None
        self.attempt_started = 0.0
        self.status: int | None = None
        self.error_type: str | None = None


class OpenTelemetryPlugin:
    """Traces and measures every call through OpenTelemetry.

    ``tracer_provider`` and ``meter_provider`` default to the global ones (set by the
    application, or no-ops). ``propagate`` injects the attempt span's context into each
    attempt's headers with the global propagator (W3C ``traceparent`` by default), so a
    traced server continues the trace. One plugin may serve many clients and threads.
    """

    def __init__(
        self,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        *,
        propagate: bool = True,
    ) -> None:
        self._tracer = trace.get_tracer(_SCOPE, _VERSION, tracer_provider=tracer_provider)
        meter = metrics.get_meter(_SCOPE, _VERSION, meter_provider=meter_provider)
        self._duration = meter.create_histogram(
            "http.client.request.duration",
            unit="s",
            description="Duration of HTTP client requests (one per attempt).",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self._retries = meter.create_counter(
            RETRIES_METRIC, unit="{retry}", description="Attempts re-sent, by reason."
        )
        self._propagate = propagate
        self._calls: dict[int, _Call] = {}
        # Attributes per (server, operation, method, template): a handful of values, made
        # once and shared (read-only) by every call's spans.
        self._attributes: dict[tuple[str, str, str, str], _Attributes] = {}

    # --- hooks ---------------------------------------------------------------------------

    @hookimpl
    def codat_call_started(self, request: HttpRequest, context: CallContext) -> None:
        """Open the call's span (a child of the caller's current span)."""
        key = (context.base_url, context.operation_id, request.method, request.path_template)
        known = self._attributes.get(key)
        if known is None:
            known = self._attributes[key] = _attributes(*key)
        attributes, measured = known
        span = self._tracer.start_span(
            context.operation_id, kind=SpanKind.INTERNAL, attributes=attributes
        )
        self._calls[context.call_id] = _Call(span, attributes, measured)

    @hookimpl
    def codat_attempt_started(
        self, request: HttpRequest, context: CallContext, attempt: int, delay: float
    ) -> Mapping[str, str] | None:
        """Open the attempt's CLIENT span; return its ``traceparent``."""
        call = self._calls.get(context.call_id)
        if call is None:
            return None
        if attempt > 1:
            self._retries.add(
                1, {OPERATION_ID: context.operation_id, RETRY_REASON: call.error_type or "_OTHER"}
            )
        if call.parent is None:
            call.attempt = trace.INVALID_SPAN
            call.attempt_started = time.perf_counter()
            return None
        template = request.path_template
        span = self._tracer.start_span(
            f"{request.method} {template}" if template else request.method,
            context=call.parent,
            kind=SpanKind.CLIENT,
            attributes=call.attributes,
        )
        if attempt > 1 and span.is_recording():
            span.set_attribute("http.request.resend_count", attempt - 1)
            span.set_attribute(RETRY_DELAY, delay)
        call.attempt = span
        carrier: dict[str, str] | None = None
        if self._propagate:
            carrier = {}
            propagate.inject(carrier, context=trace.set_span_in_context(span))
        call.attempt_started = time.perf_counter()
        return carrier

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
        """Record the attempt's outcome; end its span unless its body is still to be read."""
        call = self._calls.get(context.call_id)
        if call is None or call.attempt is None:
            return
        duration = time.perf_counter() - call.attempt_started
        if response is not None:
            call.status = response.status
            call.error_type = str(response.status) if response.status >= 400 else None
        else:
            call.status = None
            call.error_type = type(error).__name__
        measured = dict(call.measured)
        if call.status is not None:
            measured["http.response.status_code"] = call.status
        if call.error_type is not None:
            measured["error.type"] = call.error_type
        self._duration.record(duration, measured)
        span = call.attempt
        _outcome(span, call.status, call.error_type)
        if response is None or not response.is_streamed:
            span.end()
            call.attempt = None

    @hookimpl
    def codat_call_finished(
        self,
        request: HttpRequest,
        context: CallContext,
        error: CodatError | None,
        download: HttpResponse | None,
    ) -> None:
        """Close the call's span, or hand it to the download's stream to close."""
        call = self._calls.pop(context.call_id, None)
        if call is None:
            return
        if error is not None and call.error_type is None:
            # Failed without a failing attempt: a rejected credential, a body the core refused.
            status = error.status if isinstance(error, ResponseError) else None
            call.status = status or call.status
            call.error_type = str(status) if status and status >= 400 else type(error).__name__
        _outcome(call.span, call.status, call.error_type)
        if download is not None:
            ending = _Ending(call)
            if download.stream is not None:
                download.stream = _TracedStream(download.stream, ending)
            if download.astream is not None:
                download.astream = _TracedAsyncStream(download.astream, ending)
            return
        # An attempt still open: the call was stopped mid-send (a cancelled task).
        # (error.type "_OTHER": the conventions' value for an error without a better name).
        _end(call, None if call.attempt is None else "_OTHER")


def _outcome(span: Span, status: int | None, error_type: str | None) -> None:
    if not span.is_recording():
        return
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if error_type is not None:
        span.set_attribute("error.type", error_type)
        span.set_status(StatusCode.ERROR, error_type)


def _end(call: _Call, error_type: str | None) -> None:
    """End the call's open spans; ``error_type`` names an error met at the very end."""
    spans = (call.span,) if call.attempt is None else (call.attempt, call.span)
    for span in spans:
        if error_type is not None:
            _outcome(span, None, error_type)
        span.end()
    call.attempt = None


class _Ending:
    """Ends a download's spans once, whichever of its streams gets there first."""

    __slots__ = ("_call",)

    def __init__(self, call: _Call) -> None:
        self._call: _Call | None = call

    def __call__(self, failure: BaseException | None = None) -> None:
        call, self._call = self._call, None
        if call is not None:
            _end(call, None if failure is None else type(failure).__name__)


class _TracedStream:
    """A download's sync stream that ends the call's spans when read to the end or closed."""

    def __init__(self, inner: ByteStream, ending: _Ending) -> None:
        self._inner = inner
        self._ending = ending

    def iter_bytes(self, chunk_size: int) -> Iterator[bytes]:
        """The inner stream's chunks; the spans end after the last one."""
        try:
            yield from self._inner.iter_bytes(chunk_size)
        except Exception as exc:
            self._ending(exc)
            raise
        self._ending()

    def read(self) -> bytes:
        """The rest of the body; the spans end with it."""
        try:
            data = self._inner.read()
        except Exception as exc:
            self._ending(exc)
            raise
        self._ending()
        return data

    def close(self) -> None:
        """Release the connection and end the spans."""
        try:
            self._inner.close()
        finally:
            self._ending()


class _TracedAsyncStream:
    """:class:`_TracedStream` for async streams."""

    def __init__(self, inner: AsyncByteStream, ending: _Ending) -> None:
        self._inner = inner
        self._ending = ending

    async def aiter_bytes(self, chunk_size: int) -> AsyncIterator[bytes]:
        """The inner stream's chunks; the spans end after the last one."""
        try:
            async for chunk in self._inner.aiter_bytes(chunk_size):
                yield chunk
        except Exception as exc:
            self._ending(exc)
            raise
        self._ending()

    async def aread(self) -> bytes:
        """The rest of the body; the spans end with it."""
        try:
            data = await self._inner.aread()
        except Exception as exc:
            self._ending(exc)
            raise
        self._ending()
        return data

    async def aclose(self) -> None:
        """Release the connection and end the spans."""
        try:
            await self._inner.aclose()
        finally:
            self._ending()

    def release_now(self) -> bool:
        """Release from synchronous code when the inner stream can (threaded, aiohttp)."""
        release = getattr(self._inner, "release_now", None)
        released = bool(release()) if release is not None else False
        if released:
            self._ending()
        return released
