"""Run any synchronous transport from async code without blocking the event loop.

Each send (and each chunk of a streamed body) runs in a worker thread of the loop's default
executor. It is the async clients' default when no native async adapter (httpx, aiohttp)
is given: it needs nothing beyond the synchronous adapter, which must be thread-safe (the
urllib3 and stdlib adapters are).

A worker thread cannot be interrupted, so cancelling the awaiting task does not stop it.
Whatever it produces after the task gave up (a response, a chunk of a download) is
released as soon as it exists: a cancelled call never keeps a connection checked out.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import AsyncIterator, Callable, Generator
from functools import partial
from typing import Any, Generic, TypeVar

from codat_customers.core import ByteStream, HttpRequest, HttpResponse, Transport

__all__ = ["ThreadedAsyncByteStream", "ThreadedAsyncTransport"]

T = TypeVar("T")
_DONE = object()


class _Handoff(Generic[T]):
    """One blocking call, whose result goes to its awaiter or, if that gave up, to ``abandon``.

    The worker thread and the event loop check under one lock whether the other side got
    there first, so after :meth:`give_up` ``abandon`` runs exactly once: in the worker when
    the call was still running (never concurrently with it), on the loop when it had ended.
    ``abandon`` gets the call's result, or ``None`` when it raised.
    """

    def __init__(self, call: Callable[[], T], abandon: Callable[[T | None], None]) -> None:
        self._call = call
        self._abandon = abandon
        self._lock = threading.Lock()
        self._given_up = False
        self._finished = False
        self._value: T | None = None

    @property
    def running(self) -> bool:
        """True while the call is still running in its worker."""
        with self._lock:
            return not self._finished

    def work(self) -> T:
        """Run the call (in the worker thread); release its result if nobody waits for it."""
        value: T | None = None
        try:
            value = self._call()
            return value
        finally:
            with self._lock:
                self._finished, self._value = True, value
                given_up = self._given_up
            if given_up:
                self._abandon(value)

    def give_up(self) -> None:
        """Nobody will take the result: release it now, or as soon as the call ends."""
        with self._lock:
            if self._given_up:
                return
            self._given_up = True
            finished, value = self._finished, self._value
        if finished:
            self._abandon(value)


def _retrieve(future: asyncio.Future[Any]) -> None:
    # The awaiter is gone; marking the outcome as retrieved keeps asyncio from logging an
    # exception nobody can handle (the handoff already released what needed releasing).
    if not future.cancelled():
        future.exception()


async def _in_worker(handoff: _Handoff[T]) -> T:
    """Run ``handoff`` in a worker thread; if this await is cancelled, give its result up.

    The executor future is shielded, so a cancellation never withdraws a call that has not
    started yet (a queued close would otherwise never run): the call always runs, and its
    result goes to the awaiter or to the handoff's ``abandon``.
    """
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()  # as asyncio.to_thread does
    future = loop.run_in_executor(None, context.run, handoff.work)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        handoff.give_up()
        future.add_done_callback(_retrieve)
        raise


def _ignore(_: object) -> None:
    """Nothing to release."""


def _close_response(response: HttpResponse | None) -> None:
    if response is not None:
        response.close()


class ThreadedAsyncByteStream:
    """An async view of a synchronous stream; every blocking read happens in a thread.

    A read and a close never overlap: closing while a read is still running in its worker
    (the reading task was cancelled) leaves the release to that worker, right after the
    read returns, so neither waits for a stalled server nor touches the stream from two
    threads at once.
    """

    def __init__(self, stream: ByteStream) -> None:
        self._stream = stream
        self._reading: _Handoff[object] | None = None

    async def _read(self, call: Callable[[], object]) -> object:
        handoff: _Handoff[object] = _Handoff(call, self._release)
        self._reading = handoff
        value = await _in_worker(handoff)
        self._reading = None  # kept while a cancelled read still runs (see close)
        return value

    def _release(self, _: object = None) -> None:
        self._stream.close()

    async def aiter_bytes(self, chunk_size: int = 64 * 1024) -> AsyncIterator[bytes]:
        """Yield chunks, reading each one in a worker thread; release at the end or on exit."""
        # ByteStream.iter_bytes is a generator in every adapter (GuardedStream, memory).
        chunks = self._stream.iter_bytes(chunk_size)
        try:
            while True:
                chunk = await self._read(partial(next, chunks, _DONE))
                if chunk is _DONE:
                    return
                assert isinstance(chunk, bytes)
                yield chunk
        finally:
            await self.aclose()
            if self._reading is None and isinstance(chunks, Generator):
                chunks.close()  # nothing runs it now: finish the generator here

    async def aread(self) -> bytes:
        """Read the rest of the body in a worker thread (released even if cancelled)."""
        data = await self._read(self._stream.read)
        assert isinstance(data, bytes)
        return data

    async def aclose(self) -> None:
        """Release the connection in a worker thread; it happens even if this is cancelled."""
        if not self._hand_close_to_reader():
            await _in_worker(_Handoff(self._stream.close, _ignore))

    def release_now(self) -> bool:
        """Release from synchronous code (a short blocking call); always possible here."""
        if not self._hand_close_to_reader():
            self._stream.close()
        return True

    def _hand_close_to_reader(self) -> bool:
        reading = self._reading
        if reading is None or not reading.running:
            return False
        reading.give_up()
        return True


class ThreadedAsyncTransport:
    """Adapts a synchronous :class:`~codat_customers.core.Transport` to the async protocol."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    async def send(
        self, request: HttpRequest, *, base_url: str, timeout: float | None
    ) -> HttpResponse:
        """Send in a worker thread; a streamed body becomes an async stream.

        If the awaiting task is cancelled while the worker is still sending, the response
        it gets afterwards is closed in that worker.
        """
        send = partial(self.transport.send, request, base_url=base_url, timeout=timeout)
        response = await _in_worker(_Handoff(send, _close_response))
        if response.stream is not None:
            response.astream = ThreadedAsyncByteStream(response.stream)
            response.stream = None
        return response

    async def aclose(self) -> None:
        """Release the wrapped transport's pooled connections; it reconnects lazily."""
        await _in_worker(_Handoff(self.transport.close, _ignore))
