"""The one protocol every adapter implements: a transport-neutral request in, a response out.

An adapter maps its library's failures onto :class:`~codat_customers.core.errors.TransportError`
subclasses and never raises anything else for network trouble. For ``stream`` requests it
returns the body unread in ``HttpResponse.stream`` only for 2xx statuses; for any other
status it reads the (small) error body into ``HttpResponse.body`` and releases the
connection, so parsers never see the stream of an error.

:func:`finish_response` and :func:`afinish_response` apply that rule once for every
adapter: an adapter opens each response as a stream and hands it over; they decide whether
to keep it unread or to read it whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from .http import AsyncByteStream, ByteStream, HttpRequest, HttpResponse, lowercase_headers

__all__ = ["AsyncTransport", "Transport", "afinish_response", "finish_response", "keeps_stream"]


class Transport(Protocol):
    """A synchronous transport."""

    def send(self, request: HttpRequest, *, base_url: str, timeout: float | None) -> HttpResponse:
        """Send ``request`` to ``base_url``; ``timeout`` (seconds) bounds connect and each read."""
        ...

    def close(self) -> None:
        """Release pooled connections."""
        ...


class AsyncTransport(Protocol):
    """An asynchronous transport."""

    async def send(
        self, request: HttpRequest, *, base_url: str, timeout: float | None
    ) -> HttpResponse:
        """Send ``request`` to ``base_url``; ``timeout`` (seconds) bounds connect and each read."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...


def keeps_stream(request: HttpRequest, status: int) -> bool:
    """Whether the answer to ``request`` with ``status`` is handed over unread.

    Only a 2xx answer to a ``stream`` request is: error bodies are small and the parsers
    need them whole.
    """
    return request.response_kind == "stream" and 200 <= status < 300


def finish_response(
    request: HttpRequest, status: int, headers: Iterable[tuple[str, str]], body: ByteStream
) -> HttpResponse:
    """The ``HttpResponse`` a synchronous adapter returns for a response opened as ``body``.

    The stream is kept unread when :func:`keeps_stream` says so; otherwise it is read in full
    and closed (giving the connection back). Errors raised by ``body.read()`` propagate, so
    the adapter's stream must already raise the core's transport errors.
    """
    fields = lowercase_headers(headers)
    if keeps_stream(request, status):
        return HttpResponse(status, fields, stream=body)
    try:
        data = body.read()
    finally:
        body.close()
    return HttpResponse(status, fields, data)


async def afinish_response(
    request: HttpRequest, status: int, headers: Iterable[tuple[str, str]], body: AsyncByteStream
) -> HttpResponse:
    """:func:`finish_response` for asynchronous adapters (``HttpResponse.astream``)."""
    fields = lowercase_headers(headers)
    if keeps_stream(request, status):
        return HttpResponse(status, fields, astream=body)
    try:
        data = await body.aread()
    finally:
        await body.aclose()
    return HttpResponse(status, fields, data)
