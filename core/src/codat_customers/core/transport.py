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

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Protocol

from .errors import TransportError
from .http import AsyncByteStream, ByteStream, HttpRequest, HttpResponse, lowercase_headers

__all__ = [
    "AsyncGuardedStream",
    "AsyncTransport",
    "GuardedStream",
    "Transport",
    "afinish_response",
    "finish_response",
    "keeps_stream",
]

ErrorMapper = Callable[[BaseException], TransportError]
"""Maps one of a library's exceptions onto the core's transport errors."""


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


class _Guard:
    """What both guarded streams keep: which exceptions to map, how, and whether released."""

    def __init__(self, failures: tuple[type[BaseException], ...], to_error: ErrorMapper) -> None:
        self._failures = failures
        self._to_error = to_error
        self._closed = False


class GuardedStream(_Guard):
    """A library's unread response body as a :class:`~codat_customers.core.ByteStream`.

    Adapters pass three callables over their library's response, the exceptions it raises
    and how to map them (``GuardedStream(r.iter, r.read, r.close, (LibError,), mapper)``);
    the stream maps those exceptions with ``to_error`` and releases the connection
    exactly once, when the body is read to the end, breaks, or is closed early. So the
    "map, then release" rule lives here instead of in every adapter.
    """

    def __init__(
        self,
        chunks: Callable[[int], Iterator[bytes]],
        read: Callable[[], bytes],
        release: Callable[[], None],
        failures: tuple[type[BaseException], ...],
        to_error: ErrorMapper,
    ) -> None:
        _Guard.__init__(self, failures, to_error)
        self._chunks, self._read, self._release = chunks, read, release

    def iter_bytes(self, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        """Yield the body in chunks of at most ``chunk_size`` bytes, then release."""
        try:
            yield from self._chunks(chunk_size)
        except self._failures as exc:
            raise self._to_error(exc) from exc
        finally:
            self.close()

    def read(self) -> bytes:
        """Read the rest of the body, then release."""
        try:
            return self._read()
        except self._failures as exc:
            raise self._to_error(exc) from exc
        finally:
            self.close()

    def close(self) -> None:
        """Release the connection; safe to call twice."""
        if not self._closed:
            self._closed = True
            self._release()


class AsyncGuardedStream(_Guard):
    """:class:`GuardedStream` for async libraries: an ``AsyncByteStream`` over their response."""

    def __init__(
        self,
        chunks: Callable[[int], AsyncIterator[bytes]],
        read: Callable[[], Awaitable[bytes]],
        release: Callable[[], Awaitable[None]],
        failures: tuple[type[BaseException], ...],
        to_error: ErrorMapper,
    ) -> None:
        _Guard.__init__(self, failures, to_error)
        self._chunks, self._read, self._release = chunks, read, release

    async def aiter_bytes(self, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """Yield the body in chunks of at most ``chunk_size`` bytes, then release."""
        try:
            async for chunk in self._chunks(chunk_size):
                yield chunk
        except self._failures as exc:
            raise self._to_error(exc) from exc
        finally:
            await self.aclose()

    async def aread(self) -> bytes:
        """Read the rest of the body, then release."""
        try:
            return await self._read()
        except self._failures as exc:
            raise self._to_error(exc) from exc
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Release the connection; safe to call twice."""
        if not self._closed:
            self._closed = True
            await self._release()


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
