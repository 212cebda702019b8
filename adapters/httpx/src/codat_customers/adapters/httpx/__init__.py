"""Transports over httpx: :class:`HttpxTransport` (sync) and :class:`HttpxAsyncTransport`.

Pass your own ``httpx.Client`` / ``httpx.AsyncClient`` to reuse its pool, proxies, mounts,
TLS settings and event hooks; it is used as it is and left open by ``close``; once you
close it, or its event loop ends, sending raises
:class:`~codat_customers.core.TransportUnavailableError`. Without one, the adapter makes a
client with no timeout of its own (the call's ``timeout_ms`` applies) and redirects off,
and makes a new one after ``close`` / ``aclose`` (and, async, in each new event loop).
Either way each request is sent with ``follow_redirects=False``: following redirects and
retrying are the SDK's decisions, not the transport's.

A transport that makes its own client pickles (the other side makes a new client) and, in
a forked child, makes a new one instead of reusing the parent's connections. One built on
your client cannot be pickled, and your client is used as it is in every process.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any, NoReturn

from codat_customers.core import (
    AsyncGuardedStream,
    ConnectError,
    GuardedStream,
    HttpRequest,
    HttpResponse,
    LoopBoundResource,
    ProcessLocal,
    ProtocolError,
    ReadTimeoutError,
    TransportError,
    afinish_response,
    build_url,
    finish_response,
    unavailable,
)

try:
    import httpx
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        'codat_customers.adapters.httpx needs httpx: pip install "codat-customers[httpx]"'
    ) from exc

__all__ = ["HttpxAsyncTransport", "HttpxTransport", "transport_error"]

# Failures where the request never reached the server.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)


_FAILURES = (httpx.HTTPError,)


def transport_error(exc: BaseException) -> TransportError:
    """Map an httpx exception onto the core's transport errors."""
    if isinstance(exc, _NOT_SENT):
        return ConnectError(f"could not connect: {type(exc).__name__}: {exc}")
    if isinstance(exc, httpx.TimeoutException):
        # Read and write timeouts alike: the server may already have acted.
        return ReadTimeoutError(f"timed out waiting for the response: {exc}")
    return ProtocolError(f"connection broken: {type(exc).__name__}: {exc}")


def _build(
    client: httpx.Client | httpx.AsyncClient,
    request: HttpRequest,
    base_url: str,
    timeout: float | None,
) -> httpx.Request:
    """The httpx request for ``request``; the same for the sync and the async client."""
    return client.build_request(
        request.method,
        build_url(base_url, request),
        headers=list(request.headers),
        content=request.body,
        # Without a per-call timeout, a user-supplied client keeps its own default.
        timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else httpx.Timeout(timeout),
    )


def _unpicklable(transport: str, client: str) -> NoReturn:
    raise TypeError(
        f"a {transport} built on your own {client} cannot be pickled (a client holds locks "
        f"and sockets): build it where it is used, or let the transport make its own client "
        f"({transport}())"
    )


def _new_client() -> httpx.Client:
    return httpx.Client(timeout=None, follow_redirects=False)


def _new_async_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=None, follow_redirects=False)


class HttpxTransport:
    """Sends requests through an ``httpx.Client`` (yours, or one made for this transport)."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._owns_client = client is None
        self._user_client = client
        self._owned = None if client is not None else ProcessLocal(_new_client, os.getpid())
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        """The client in use: yours, or this transport's (made again after :meth:`close`)."""
        if self._owned is None:
            assert self._user_client is not None
            return self._user_client
        pid = os.getpid()
        client = self._owned.get(pid)
        if client.is_closed:
            with self._lock:
                client = self._owned.get(pid)
                if client.is_closed:
                    client = self._owned.renew(pid)
        return client

    def __getstate__(self) -> dict[str, Any]:
        if self._owned is None:
            _unpicklable("HttpxTransport", "httpx.Client")
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def send(self, request: HttpRequest, *, base_url: str, timeout: float | None) -> HttpResponse:
        """Send one request; raise a core ``TransportError`` on network failure."""
        client = self.client
        try:
            raw = client.send(
                _build(client, request, base_url, timeout), stream=True, follow_redirects=False
            )
        except _FAILURES as exc:
            raise transport_error(exc) from exc
        except RuntimeError as exc:  # httpx: "the client has been closed"
            raise unavailable("the httpx.Client you passed", exc) from exc
        # httpx drops the connection on close if the body was not read to the end.
        body = GuardedStream(raw.iter_bytes, raw.read, raw.close, _FAILURES, transport_error)
        return finish_response(request, raw.status_code, raw.headers.multi_items(), body)

    def close(self) -> None:
        """Close the client if this transport made it; the next request makes a new one."""
        if self._owned is not None:
            self._owned.current.close()


async def _close_async_client(client: httpx.AsyncClient) -> None:
    await client.aclose()


class HttpxAsyncTransport:
    """Sends requests through an ``httpx.AsyncClient`` (yours, or one made for this transport).

    A client the transport makes belongs to the event loop it is first used in: the
    transport makes another in each new loop (a second ``asyncio.run()``), and the old one
    is closed by its own loop when that ends.
    """

    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._client = client
        self._owned = LoopBoundResource(_new_async_client, _close_async_client)

    def __getstate__(self) -> dict[str, Any]:
        if self._client is not None:
            _unpicklable("HttpxAsyncTransport", "httpx.AsyncClient")
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    @property
    def client(self) -> httpx.AsyncClient | None:
        """The client in use: yours, or this transport's latest (``None`` before first use)."""
        return self._client if self._client is not None else self._owned.current

    async def send(
        self, request: HttpRequest, *, base_url: str, timeout: float | None
    ) -> HttpResponse:
        """Send one request; raise a core ``TransportError`` on network failure."""
        client = self._client or await self._owned.get(asyncio.get_running_loop())
        try:
            raw = await client.send(
                _build(client, request, base_url, timeout), stream=True, follow_redirects=False
            )
        except _FAILURES as exc:
            raise transport_error(exc) from exc
        except RuntimeError as exc:  # a closed client, or one whose event loop has ended
            raise unavailable("the httpx.AsyncClient you passed", exc) from exc
        body = AsyncGuardedStream(
            raw.aiter_bytes, raw.aread, raw.aclose, _FAILURES, transport_error
        )
        return await afinish_response(request, raw.status_code, raw.headers.multi_items(), body)

    async def aclose(self) -> None:
        """Close the client if this transport made it; the next request makes a new one."""
        await self._owned.aclose(asyncio.get_running_loop())
