"""The streamed answer of ``download_attachment``.

It is used like the ``httpx.Response`` the peer SDK returns.
"""

from __future__ import annotations

import asyncio
import codecs
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager, suppress
from types import TracebackType
from typing import BinaryIO, Protocol, runtime_checkable

from codat_customers.core import AsyncByteStream, ByteStream, HttpResponse

__all__ = ["AttachmentDownload", "Headers"]

DEFAULT_CHUNK_SIZE = 64 * 1024


@runtime_checkable
class _ReleasesNow(Protocol):
    """An async stream that may be released from synchronous code (threaded, aiohttp)."""

    def release_now(self) -> bool: ...


def _charset(content_type: str) -> str:
    """The codec named by a Content-Type's charset, or UTF-8 when absent or unknown."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip().strip('"')).name
            except LookupError:
                break  # as httpx does: an unknown charset decodes as UTF-8
    return "utf-8"


def _retrieve(task: asyncio.Task[None]) -> None:
    # Marks a scheduled release's failure as seen; aclose() re-raises it to whoever awaits.
    if not task.cancelled():
        task.exception()


@contextmanager
def _atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Open ``path.part`` for writing; rename it to ``path`` only if the block succeeds."""
    target = os.fspath(path)
    partial = target + ".part"
    try:
        with open(partial, "wb") as handle:
            yield handle
        os.replace(partial, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.remove(partial)
        raise


class Headers(Mapping[str, str]):
    """Response headers with case-insensitive lookup."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str]) -> None:
        self._items = {k.lower(): v for k, v in items.items()}

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class AttachmentDownload:
    """An attachment's bytes, still on the wire until you read them.

    Iterate with :meth:`iter_bytes` (memory bounded by the chunk size), read it all with
    :meth:`read`, or write it to disk with :meth:`save`. Reading to the end releases the
    connection; use it as a context manager (or call :meth:`close`) so a download you stop
    early releases it too.

    Downloads made by the ``*_async`` methods are read with :meth:`aiter_bytes`,
    :meth:`aread` and :meth:`asave` and closed with :meth:`aclose` or ``async with``; a
    cancelled read releases the connection as well. :meth:`close` and a plain ``with``
    work on them too: see :meth:`close` for when that release is immediate.
    """

    def __init__(self, response: HttpResponse) -> None:
        self._response = response
        self.status_code = response.status
        self.headers = Headers(response.headers)
        self._content: bytes | None = None
        self._released = False
        self._releasing: asyncio.Task[None] | None = None

    @property
    def is_closed(self) -> bool:
        """True once the connection is released (the body read to the end, or closed).

        After :meth:`close` on an async download from inside a running event loop, the
        release is scheduled on that loop; this turns true once it has run (``await``
        :meth:`aclose` to wait for it).
        """
        releasing = self._releasing
        return self._released or (releasing is not None and releasing.done())

    @property
    def content_type(self) -> str:
        """The attachment's media type."""
        return self._response.content_type

    @property
    def content(self) -> bytes:
        """The whole body (read on first use)."""
        return self.read()

    @property
    def text(self) -> str:
        """The whole body decoded as text.

        The charset comes from Content-Type; without one, or when Python knows no codec by
        that name, the body is decoded as UTF-8 (as httpx does). Undecodable bytes become
        U+FFFD rather than raising.
        """
        return self.read().decode(_charset(self.headers.get("content-type", "")), "replace")

    def iter_bytes(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
        """Yield the body in chunks of at most ``chunk_size`` bytes, then close."""
        if self._content is not None:
            for start in range(0, len(self._content), chunk_size):
                yield self._content[start : start + chunk_size]
            return
        stream = self._stream()
        try:
            yield from stream.iter_bytes(chunk_size)
        finally:
            self.close()

    def read(self) -> bytes:
        """Read the rest of the body into memory and close."""
        if self._content is None:
            try:
                self._content = self._stream().read()
            finally:
                self.close()
        return self._content

    def save(self, path: str | os.PathLike[str], chunk_size: int = DEFAULT_CHUNK_SIZE) -> int:
        """Write the body to ``path`` chunk by chunk; return the number of bytes written.

        The file is written under a temporary name and renamed when complete, so a broken
        download never leaves a truncated file at ``path``.
        """
        written = 0
        try:
            with _atomic_write(path) as handle:
                for chunk in self.iter_bytes(chunk_size):
                    written += handle.write(chunk)
        finally:
            # A failed write (a full disk) must not keep the connection until the chunk
            # iterator happens to be collected.
            self.close()
        return written

    def close(self) -> None:
        """Release the connection; safe to call more than once.

        A download from a sync method is released at once. One from a ``*_async`` method is
        released at once too when its transport can do that without awaiting (the default
        threaded transport and aiohttp can); otherwise (httpx) the release is scheduled on
        the running event loop, and :attr:`is_closed` turns true once it has run. With no
        running loop such a download cannot be released from synchronous code, and this
        raises ``RuntimeError``: use ``await download.aclose()`` or ``async with``.
        """
        if self._released or self._releasing is not None:
            return
        response = self._response
        astream = response.astream
        if response.stream is not None or astream is None:
            self._released = True
            response.close()
        elif isinstance(astream, _ReleasesNow) and astream.release_now():
            self._released = True
        else:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                raise RuntimeError(
                    "this download came from an *_async method and its transport can only"
                    " release it with await: use `await download.aclose()` or `async with`"
                ) from None
            # Keep the task: the loop holds only a weak reference to it.
            self._releasing = loop.create_task(response.aclose())
            self._releasing.add_done_callback(_retrieve)

    async def aiter_bytes(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        """Async :meth:`iter_bytes`."""
        if self._content is not None:
            for chunk in self.iter_bytes(chunk_size):
                yield chunk
            return
        stream = self._astream()
        try:
            async for chunk in stream.aiter_bytes(chunk_size):
                yield chunk
        finally:
            await self.aclose()

    async def aread(self) -> bytes:
        """Async :meth:`read`."""
        if self._content is None:
            try:
                self._content = await self._astream().aread()
            finally:
                await self.aclose()
        return self._content

    async def asave(
        self, path: str | os.PathLike[str], chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> int:
        """Async :meth:`save`; local file writes are short, so they stay synchronous."""
        written = 0
        try:
            with _atomic_write(path) as handle:
                async for chunk in self.aiter_bytes(chunk_size):
                    written += handle.write(chunk)
        finally:
            # An async generator left by an exception is closed only when the event loop
            # gets round to it; release the connection now.
            await self.aclose()
        return written

    async def aclose(self) -> None:
        """Release the connection (or wait for a release :meth:`close` scheduled)."""
        if self._releasing is not None:
            await self._releasing
        elif not self._released:
            self._released = True
            await self._response.aclose()

    def _stream(self) -> ByteStream:
        if self._released or self._releasing or self._response.stream is None:
            raise RuntimeError("the download was already consumed, closed, or is async-only")
        return self._response.stream

    def _astream(self) -> AsyncByteStream:
        if self._released or self._releasing or self._response.astream is None:
            raise RuntimeError("the download was already consumed, closed, or is sync-only")
        return self._response.astream

    async def __aenter__(self) -> AttachmentDownload:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __enter__(self) -> AttachmentDownload:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<AttachmentDownload [{self.status_code}] {self.content_type or '-'}>"
