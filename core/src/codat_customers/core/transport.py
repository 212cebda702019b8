"""The one protocol every adapter implements: a transport-neutral request in, a response out.

An adapter maps its library's failures onto :class:`~codat_customers.core.errors.TransportError`
subclasses and never raises anything else for network trouble. For ``stream`` requests it
returns the body unread in ``HttpResponse.stream`` only for
:data:`~codat_customers.core.http.STREAMED_STATUS` (200, the download's one documented
success); for any other status it reads the (small) error body into ``HttpResponse.body``
and releases the connection, so parsers never see the stream of an error.

:func:`finish_response` and :func:`afinish_response` apply that rule once for every
adapter: an adapter opens each response as a stream and hands it over; they decide whether
to keep it unread or to read it whole.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Generic, Protocol, TypeVar

from .errors import TransportError, TransportUnavailableError
from .http import (
    STREAMED_STATUS,
    AsyncByteStream,
    ByteStream,
    HttpRequest,
    HttpResponse,
    lowercase_headers,
)

__all__ = [
    "AsyncGuardedStream",
    "AsyncTransport",
    "GuardedStream",
    "LoopBoundResource",
    "ProcessLocal",
    "Transport",
    "afinish_response",
    "finish_response",
    "keeps_stream",
    "unavailable",
]

R = TypeVar("R")

ErrorMapper = Callable[[BaseException], TransportError]
"""Maps one of a library's exceptions onto the core's transport errors."""


class Transport(Protocol):
    """A synchronous transport."""

    def send(self, request: HttpRequest, *, base_url: str, timeout: float | None) -> HttpResponse:
        """Send ``request`` to ``base_url``; ``timeout`` (seconds) bounds connect and each read."""
        ...

    def close(self) -> None:
        """Release pooled connections; the transport stays usable and reconnects lazily."""
        ...


class AsyncTransport(Protocol):
    """An asynchronous transport."""

    async def send(
        self, request: HttpRequest, *, base_url: str, timeout: float | None
    ) -> HttpResponse:
        """Send ``request`` to ``base_url``; ``timeout`` (seconds) bounds connect and each read."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections; the transport stays usable and reconnects lazily."""
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
    """:class:`GuardedStream` for async libraries: an ``AsyncByteStream`` over their response.

    ``release_now``, when the library can release a connection without awaiting (aiohttp
    can, httpx cannot), lets :meth:`release_now` serve a synchronous ``close()``.
    """

    def __init__(
        self,
        chunks: Callable[[int], AsyncIterator[bytes]],
        read: Callable[[], Awaitable[bytes]],
        release: Callable[[], Awaitable[None]],
        failures: tuple[type[BaseException], ...],
        to_error: ErrorMapper,
        *,
        release_now: Callable[[], None] | None = None,
    ) -> None:
        _Guard.__init__(self, failures, to_error)
        self._chunks, self._read, self._release = chunks, read, release
        self._release_now = release_now

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

    def release_now(self) -> bool:
        """Release without awaiting if the library allows it; ``False`` if only ``aclose`` can."""
        if self._closed:
            return True
        if self._release_now is None:
            return False
        self._closed = True
        self._release_now()
        return True


def keeps_stream(request: HttpRequest, status: int) -> bool:
    """Whether the answer to ``request`` with ``status`` is handed over unread.

    Only a :data:`~codat_customers.core.http.STREAMED_STATUS` answer to a ``stream``
    request is, the status ``parse_download`` accepts. Anything else, a ``204`` or ``206``
    included, is an error for the parser, which needs its body whole (so the error carries
    it) and the connection released.
    """
    return request.response_kind == "stream" and status == STREAMED_STATUS


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


def unavailable(what: str, exc: BaseException) -> TransportUnavailableError:
    """The error for a library client that refuses to send at all.

    ``what`` names the object the user passed (``"the httpx.Client you passed"``); ``exc``
    is the library's complaint, usually a ``RuntimeError`` about a closed client or an
    event loop that has ended. Every adapter words it the same way through this function.
    """
    return TransportUnavailableError(
        f"{what} cannot send: {exc}. It was closed by its owner, or it belongs to an event"
        " loop that has ended; pass a client that is open in the loop that uses it, or none"
        " (the adapter then makes and reopens its own)."
    )


async def _lifetime(
    resource: R, close: Callable[[R], Awaitable[None]]
) -> AsyncGenerator[None, None]:
    """Suspended for as long as ``resource`` lives; closing the generator closes it."""
    try:
        yield
    finally:
        await close(resource)


class LoopBoundResource(Generic[R]):
    """A client or session an async adapter made for itself, one per event loop.

    An ``httpx.AsyncClient`` or an ``aiohttp.ClientSession`` belongs to the loop it was
    first used in. :meth:`get` makes one lazily inside the running loop, and makes a new one
    after :meth:`aclose` or when called from another loop (a second ``asyncio.run()``), so
    an adapter that owns its client never fails because a loop ended.

    Each resource is closed in its own loop. It is tied to an async generator registered
    with that loop, so when the loop ends first, ``asyncio.run`` (like any runner calling
    ``loop.shutdown_asyncgens()``) closes the resource before closing the loop; a
    resource left behind by a loop that is still alive is closed there, by the loop's
    async-generator finalizer, once it is replaced. Nothing here imports ``asyncio``: the
    adapter passes the running loop in.
    """

    def __init__(self, make: Callable[[], R], close: Callable[[R], Awaitable[None]]) -> None:
        self._make = make
        self._close = close
        self._loop: object | None = None
        self._current: R | None = None
        self._lifetime: AsyncGenerator[None, None] | None = None

    @property
    def current(self) -> R | None:
        """The resource made for the latest loop, or ``None`` before the first or after close."""
        return self._current

    async def get(self, loop: object) -> R:
        """The resource for ``loop`` (the running event loop), made on first use there."""
        if self._current is not None and self._loop is loop:
            return self._current
        # The previous resource, if any, belongs to another loop: dropping its generator
        # leaves closing it to that loop (see the class docstring).
        resource = self._make()
        lifetime = _lifetime(resource, self._close)
        self._loop, self._current, self._lifetime = loop, resource, lifetime
        # Runs up to the ``yield`` without suspending; the first step registers the
        # generator with the running loop, which will close it if it ends first.
        await anext(lifetime)
        return resource

    async def aclose(self, loop: object) -> None:
        """Close the resource if it belongs to ``loop``; the next :meth:`get` makes a new one."""
        lifetime, owner = self._lifetime, self._loop
        self._loop = self._current = self._lifetime = None
        if lifetime is not None and owner is loop:
            await lifetime.aclose()


class ProcessLocal(Generic[R]):
    """A resource an adapter made for itself (its connection pool), never shared across a fork.

    A forked child inherits its parent's open sockets; if both processes used one kept-alive
    connection, their requests and responses would interleave on the wire. :meth:`get`
    returns the resource made in the calling process and makes a new one the first time it
    is asked from another (the adapter passes ``os.getpid()``: the core reads no process
    state). The parent's resource is dropped in the child, never used or shut down there
    (closing a descriptor in the child leaves the parent's connection as it was).
    """

    def __init__(self, make: Callable[[], R], pid: int) -> None:
        self._make = make
        self._pid = pid
        self._resource = make()

    @property
    def current(self) -> R:
        """The latest resource, without the process check (to close it)."""
        return self._resource

    def get(self, pid: int) -> R:
        """The resource of process ``pid`` (the caller's), made there on first use."""
        if pid != self._pid:
            self._resource, self._pid = self._make(), pid
        return self._resource

    def renew(self, pid: int) -> R:
        """Replace the resource with a new one (the old one was closed) and return it."""
        self._resource, self._pid = self._make(), pid
        return self._resource
