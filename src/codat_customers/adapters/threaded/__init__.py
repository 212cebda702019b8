"""Run any synchronous transport from async code without blocking the event loop.

Each send (and each chunk of a streamed body) runs in a worker thread via
``asyncio.to_thread``. It is the async clients' default when no native async adapter
(httpx, aiohttp) is given: it needs nothing beyond the synchronous adapter, which must be
thread-safe (the urllib3 and stdlib adapters are).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

from codat_customers.core import ByteStream, HttpRequest, HttpResponse, Transport

__all__ = ["ThreadedAsyncByteStream", "ThreadedAsyncTransport"]

_DONE = object()


class ThreadedAsyncByteStream:
    """An async view of a synchronous stream; every blocking read happens in a thread."""

    def __init__(self, stream: ByteStream) -> None:
        self._stream = stream

    async def aiter_bytes(self, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """Yield chunks, reading each one in a worker thread."""
        chunks: Iterator[bytes] = self._stream.iter_bytes(chunk_size)
        try:
            while True:
                chunk = await asyncio.to_thread(next, chunks, _DONE)
                if chunk is _DONE:
                    return
                assert isinstance(chunk, bytes)
                yield chunk
        finally:
            await self.aclose()

    async def aread(self) -> bytes:
        """Read the rest of the body in a worker thread."""
        return await asyncio.to_thread(self._stream.read)

    async def aclose(self) -> None:
        """Release the connection."""
        await asyncio.to_thread(self._stream.close)


class ThreadedAsyncTransport:
    """Adapts a synchronous :class:`~codat_customers.core.Transport` to the async protocol."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def send(
        self, request: HttpRequest, *, base_url: str, timeout: float | None
    ) -> HttpResponse:
        """Send in a worker thread; a streamed body becomes an async stream."""
        response = await asyncio.to_thread(
            self.transport.send, request, base_url=base_url, timeout=timeout
        )
        if response.stream is not None:
            response.astream = ThreadedAsyncByteStream(response.stream)
            response.stream = None
        return response

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await asyncio.to_thread(self.transport.close)
