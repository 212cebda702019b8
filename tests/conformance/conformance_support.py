"""The adapters under test and a driver that runs one test body over sync or async clients.

Every adapter is listed once in :data:`ADAPTERS`. A test written against :class:`Driver`
runs unchanged over each: sync adapters are called directly, async ones on an event loop
kept running in a background thread for the whole test (an aiohttp session belongs to the
loop it was made in, so the loop must outlive single calls).
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from codat_customers.adapters.aiohttp import AiohttpTransport
from codat_customers.adapters.httpx import HttpxAsyncTransport, HttpxTransport
from codat_customers.adapters.stdlib import StdlibTransport
from codat_customers.adapters.urllib3 import Urllib3Transport
from codat_customers.core import AsyncTransport, HttpRequest, HttpResponse, Transport
from codat_customers.core.errors import TransportError
from codat_customers.plugins import CallContext, hookimpl
from codat_customers.sandbox import SandboxServer
from returns.io import IOResult
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

from codat_customers import AttachmentDownload, CodatCustomers, CustomersResource
from codat_customers.adapters.threaded import ThreadedAsyncTransport

T = TypeVar("T")
BIG_ATTACHMENT_SIZE = 64 * 1024 * 1024
Style = Literal["result", "seed"]


@dataclass(frozen=True)
class Adapter:
    """One adapter: a sync transport factory, or an async one.

    Each factory takes the adapter's documented keyword ``ssl_context`` (a private CA).
    """

    id: str
    make_sync: Callable[..., Transport] | None = None
    make_async: Callable[..., AsyncTransport] | None = None

    @property
    def is_async(self) -> bool:
        return self.make_async is not None


ADAPTERS = [
    Adapter("urllib3", make_sync=Urllib3Transport),
    Adapter("stdlib", make_sync=StdlibTransport),
    Adapter("httpx", make_sync=HttpxTransport),
    Adapter(
        "threaded-urllib3",
        make_async=lambda **tls: ThreadedAsyncTransport(Urllib3Transport(**tls)),
    ),
    Adapter("httpx-async", make_async=HttpxAsyncTransport),
    Adapter("aiohttp", make_async=AiohttpTransport),
]


class AttemptCounter:
    """A plugin that records every attempt (status or error class) through the public hook."""

    def __init__(self) -> None:
        self.attempts: list[int | str] = []
        self._lock = threading.Lock()

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
        with self._lock:
            self.attempts.append(response.status if response else type(error).__name__)


class LoopThread:
    """An event loop running in a daemon thread; coroutines are submitted to it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable


class Driver:
    """Builds clients on one adapter and runs calls in the adapter's style (sync or async)."""

    def __init__(self, adapter: Adapter, sandbox: SandboxServer) -> None:
        self.adapter = adapter
        self.sandbox = sandbox
        self.loop = LoopThread() if adapter.is_async else None
        self._clients: list[CodatCustomers] = []

    @property
    def is_async(self) -> bool:
        return self.adapter.is_async

    def client(
        self,
        *,
        server_url: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        **kwargs: Any,
    ) -> CodatCustomers:
        """A Result-API client on this adapter (retries off unless ``retry_config`` given).

        ``ssl_context`` goes to the adapter as its documented ``ssl_context=`` keyword.
        """
        kwargs.setdefault("retry_config", None)
        tls = {} if ssl_context is None else {"ssl_context": ssl_context}
        transports: dict[str, Any] = {}
        if self.adapter.make_sync is not None:
            transports["transport"] = self.adapter.make_sync(**tls)
        else:
            assert self.adapter.make_async is not None
            # The sync transport is never used by async calls; stdlib keeps it dependency-free.
            transports["transport"] = StdlibTransport()
            transports["async_transport"] = self.adapter.make_async(**tls)
        client = CodatCustomers(
            kwargs.pop("security", self.sandbox.auth_header),
            server_url=server_url or self.sandbox.base_url,
            **transports,
            **kwargs,
        )
        self._clients.append(client)
        return client

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        assert self.loop is not None
        return self.loop.run(coroutine)

    def invoke(
        self, style: Style, client: CodatCustomers, name: str, request: object, **options: Any
    ) -> Result[Any, Exception]:
        """Run operation ``name`` through the public API of ``style``, as a ``Result``.

        ``result``: ``client.<name>`` (or ``<name>_async``, a ``FutureResult``);
        ``seed``: ``CustomersResource.<name>`` (or ``<name>_async``), whose exceptions
        become ``Failure`` values here so both styles share one assertion path.
        """
        suffix = "_async" if self.is_async else ""
        if style == "result":
            outcome = getattr(client, name + suffix)(request, **options)
            if self.is_async:
                io: IOResult[Any, Exception] = self.run(_await(outcome))
                return unsafe_perform_io(io)
            return outcome  # type: ignore[no-any-return]
        method = getattr(CustomersResource(client), name + suffix)
        try:
            value = (
                self.run(method(request, **options))
                if self.is_async
                else method(request, **options)
            )
        except Exception as exc:
            return Failure(exc)
        return Success(value)

    def consume(
        self, download: AttachmentDownload, chunk_size: int = 64 * 1024
    ) -> tuple[int, str, int]:
        """Read a download chunk by chunk: (size, sha256, largest chunk)."""
        digest = hashlib.sha256()
        size = largest = 0

        def take(chunk: bytes) -> None:
            nonlocal size, largest
            digest.update(chunk)
            size += len(chunk)
            largest = max(largest, len(chunk))

        if self.is_async:

            async def drain() -> None:
                async for chunk in download.aiter_bytes(chunk_size):
                    take(chunk)

            self.run(drain())
        else:
            for chunk in download.iter_bytes(chunk_size):
                take(chunk)
        return size, digest.hexdigest(), largest

    def close(self) -> None:
        for client in self._clients:
            if self.loop is not None:
                self.loop.run(client.aclose())
            client.close()
        if self.loop is not None:
            self.loop.stop()
