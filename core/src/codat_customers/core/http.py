"""Transport-neutral descriptions of an HTTP exchange.

The core builds :class:`HttpRequest` values and parses :class:`HttpResponse` values; an
adapter turns the first into bytes on a wire and the wire's answer into the second. Nothing
here performs I/O.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any, Literal, Protocol
from urllib.parse import quote, urlencode

import msgspec

__all__ = [
    "AsyncByteStream",
    "ByteStream",
    "HttpRequest",
    "HttpResponse",
    "MemoryByteStream",
    "ResponseKind",
    "STREAMED_STATUS",
    "build_url",
    "header",
    "lowercase_headers",
]

ResponseKind = Literal["json", "stream"]
"""``json``: the body is read whole and parsed; ``stream``: a success body is handed over unread."""

STREAMED_STATUS = 200
"""The one status whose body a ``stream`` request hands over unread.

It is the only success the contract documents for a download. Transports (which keep the
stream) and the download parser (which accepts it) both read this constant, so an answer
is never kept on the wire by one and rejected by the other: any other status, 2xx
included, is read whole and parsed as an error.
"""


class HttpRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One request, ready for any transport.

    ``path`` is already percent-encoded; ``query`` holds raw (unencoded) pairs in order;
    header names are lower-case. ``company_id`` names the company the request touches so
    plugins (the cache) can group entries without parsing paths. ``path_template`` is the
    contract's path with its parameters unfilled (``/companies/{companyId}/data/customers``),
    for telemetry that must not record identifiers (``""`` when unknown).
    """

    operation_id: str
    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    response_kind: ResponseKind = "json"
    company_id: str = ""
    path_template: str = ""

    def with_headers(self, extra: Mapping[str, str]) -> HttpRequest:
        """Return a copy with ``extra`` headers set (replacing same-named ones)."""
        if not extra:
            return self
        lowered = {k.lower(): v for k, v in extra.items()}
        kept = tuple((k, v) for k, v in self.headers if k not in lowered)
        return msgspec.structs.replace(self, headers=kept + tuple(lowered.items()))

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (lower-case), or ``None``."""
        return header(self.headers, name)

    def __repr__(self) -> str:
        # Header values may hold credentials: a repr shows names only.
        names = ", ".join(k for k, _ in self.headers)
        size = "none" if self.body is None else f"{len(self.body)} bytes"
        return (
            f"HttpRequest({self.operation_id}: {self.method} {self.path}"
            f" query={list(self.query)!r} headers=[{names}] body={size})"
        )

    __str__ = __repr__

    def __rich_repr__(self) -> list[tuple[str, Any]]:
        # msgspec's default would hand rich (pretty printing, tracebacks with locals)
        # every header value, credentials included; names only, as in ``__repr__``.
        return [
            ("operation_id", self.operation_id),
            ("method", self.method),
            ("path", self.path),
            ("query", self.query),
            ("headers", tuple(k for k, _ in self.headers)),
            ("body", None if self.body is None else f"{len(self.body)} bytes"),
            ("response_kind", self.response_kind),
            ("company_id", self.company_id),
            ("path_template", self.path_template),
        ]


def header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    """Look up ``name`` (lower-case) in a header tuple."""
    for key, value in headers:
        if key == name:
            return value
    return None


def lowercase_headers(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Response header pairs as a dict with lower-case names, as ``HttpResponse`` expects.

    A name that appears more than once keeps every value, joined with ``", "`` (RFC 9110
    5.3), so no adapter silently drops a repeated header.
    """
    merged: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def build_url(base_url: str, request: HttpRequest) -> str:
    """Join a server URL and a request's path and query into one absolute URL."""
    url = base_url.rstrip("/") + request.path
    if request.query:
        url += "?" + urlencode(request.query, quote_via=quote, safe="")
    return url


class ByteStream(Protocol):
    """A response body still on the wire; adapters provide one for streamed responses."""

    def iter_bytes(self, chunk_size: int) -> Iterator[bytes]:
        """Yield the body in chunks of at most ``chunk_size`` bytes."""
        ...

    def read(self) -> bytes:
        """Read the rest of the body."""
        ...

    def close(self) -> None:
        """Release the connection; safe to call twice."""
        ...


class AsyncByteStream(Protocol):
    """A response body still on the wire, read with ``await``; async adapters provide one."""

    def aiter_bytes(self, chunk_size: int) -> AsyncIterator[bytes]:
        """Yield the body in chunks of at most ``chunk_size`` bytes."""
        ...

    async def aread(self) -> bytes:
        """Read the rest of the body."""
        ...

    async def aclose(self) -> None:
        """Release the connection; safe to call twice."""
        ...


class HttpResponse:
    """One response: status, lower-case headers and either a read body or a stream.

    For ``json`` requests ``body`` holds the whole body. For ``stream`` requests answered
    :data:`STREAMED_STATUS`, ``stream`` (sync adapters) or ``astream`` (async adapters)
    holds the unread body and ``body`` is empty; adapters read any other body in full, so
    parsers never touch the stream of an error.
    """

    __slots__ = ("astream", "body", "headers", "status", "stream")

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str],
        body: bytes = b"",
        stream: ByteStream | None = None,
        astream: AsyncByteStream | None = None,
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
        self.astream = astream

    @property
    def is_streamed(self) -> bool:
        """True when the body is still on the wire."""
        return self.stream is not None or self.astream is not None

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case ('' when absent)."""
        value = self.headers.get("content-type", "")
        return value.split(";", 1)[0].strip().lower()

    def close(self) -> None:
        """Release a synchronous stream, if any."""
        if self.stream is not None:
            self.stream.close()

    async def aclose(self) -> None:
        """Release the stream, if any, whichever kind it is."""
        if self.astream is not None:
            await self.astream.aclose()
        self.close()

    def __repr__(self) -> str:
        kind = "stream" if self.is_streamed else f"{len(self.body)} bytes"
        return f"HttpResponse({self.status} {self.content_type or '-'} {kind})"


class MemoryByteStream:
    """A body already in memory, usable wherever a sync or async stream is expected.

    Lets transports that read whole bodies (in-process adapters, caches, tests) serve
    downloads through the same interface as a body still on the wire.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    def iter_bytes(self, chunk_size: int) -> Iterator[bytes]:
        """Yield the remaining bytes in chunks."""
        while self._offset < len(self._data):
            start = self._offset
            self._offset = min(len(self._data), start + chunk_size)
            yield self._data[start : self._offset]

    def read(self) -> bytes:
        """Return the remaining bytes."""
        rest = self._data[self._offset :]
        self._offset = len(self._data)
        return rest

    def close(self) -> None:
        """Nothing to release."""

    async def aiter_bytes(self, chunk_size: int) -> AsyncIterator[bytes]:
        """Async :meth:`iter_bytes`."""
        for chunk in self.iter_bytes(chunk_size):
            yield chunk

    async def aread(self) -> bytes:
        """Async :meth:`read`."""
        return self.read()

    async def aclose(self) -> None:
        """Nothing to release."""
