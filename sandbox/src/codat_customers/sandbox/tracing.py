"""Server spans for the sandbox, so a client's trace continues into the server.

Needs the ``tracing`` extra (``pip install "codat-customers-sandbox[tracing]"``, which brings
``opentelemetry-instrumentation-asgi`` and ``opentelemetry-sdk``); nothing here is imported
unless tracing is asked for. Each request gets one SERVER span, a child of the span named by
the request's W3C ``traceparent`` header (the ``OpenTelemetryPlugin`` of
``codat_customers.plugins.opentelemetry`` sends its attempt span's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider
    from starlette.applications import Starlette

__all__ = ["console_tracer_provider", "trace_app"]


def trace_app(app: Starlette, tracer_provider: TracerProvider | None = None) -> Starlette:
    """Add OpenTelemetry's ASGI middleware to ``app`` (before it serves); return ``app``.

    ``tracer_provider`` defaults to the global one. Only the SERVER span of each request is
    made (not one per ASGI message), and no header is recorded.
    """
    try:
        from opentelemetry.instrumentation.asgi import (  # noqa: PLC0415 - only when asked
            OpenTelemetryMiddleware,
        )
    except ImportError as exc:
        raise ImportError(
            "sandbox tracing needs opentelemetry-instrumentation-asgi:"
            ' pip install "codat-customers-sandbox[tracing]"'
        ) from exc
    app.add_middleware(
        OpenTelemetryMiddleware,
        tracer_provider=tracer_provider,
        exclude_spans=["receive", "send"],
    )
    return app


def console_tracer_provider() -> TracerProvider:
    """An SDK tracer provider that prints each finished span as JSON on standard output."""
    try:
        from opentelemetry.sdk.resources import Resource  # noqa: PLC0415 - only when asked
        from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider  # noqa: PLC0415
        from opentelemetry.sdk.trace.export import (  # noqa: PLC0415
            ConsoleSpanExporter,
            SimpleSpanProcessor,
        )
    except ImportError as exc:
        raise ImportError(
            "printing server spans needs opentelemetry-sdk:"
            ' pip install "codat-customers-sandbox[tracing]"'
        ) from exc
    provider = SdkTracerProvider(resource=Resource.create({"service.name": "codat-sandbox"}))
    provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    return provider
