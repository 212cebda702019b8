"""Transports over httpx: :class:`HttpxTransport` (sync) and :class:`HttpxAsyncTransport`.

Pass your own ``httpx.Client`` / ``httpx.AsyncClient`` to reuse its pool, proxies, mounts,
TLS settings and event hooks; it is used as it is and left open by ``close``; once you
close it, or its event loop ends, sending raises
:class:`~codat_customers.core.TransportUnavailableError`. Without one, the adapter makes a
client with no timeout of its own (the call's ``timeout_ms`` applies) and redirects off,
and makes a new one after ``close`` / ``aclose`` (and, async, in each new event loop).
Either way each request is sent with ``follow_redirects=False``: following redirects and
retrying are the SDK's decisions, not the transport's.

For a private CA, pass ``ssl_context=`` (the transport's own clients get it as httpx's
``verify=``) or a client made with ``verify=`` your context.

A transport that makes its own client pickles (the other side makes a new client) and, in
a forked child, makes a new one instead of reusing the parent's connections. One built on
your client, or given an ``ssl_context``, cannot be pickled, and your client is used as it
is in every process.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import threading
from functools import partial
from typing import Any, NoReturn

from codat_customers.core import (
    AsyncGuardedStream,
    CertificateVerificationError,
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
# httpcore's asyncio backend maps a TLS error of the handshake to httpx.ConnectError but
# lets one raised while reading the answer (a broken record) escape as ssl.SSLError.
_ASYNC_FAILURES = (httpx.HTTPError, ssl.SSLError)


def _verification_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate check's error behind an ``httpx.ConnectError``, if that is what failed.

    httpx raises its error ``from`` httpcore's, which carries the ``ssl`` module's error as
    its argument (httpcore's pool re-raises it ``from None``, so not as its cause).
    """
    layer: BaseException | None = exc
    for _ in range(4):
        if layer is None or isinstance(layer, ssl.SSLCertVerificationError):
            return layer
        below = [e for e in (layer.__cause__, *layer.args) if isinstance(e, BaseException)]
        layer = below[0] if below else None
    return None


def transport_error(exc: BaseException) -> TransportError:
    """Map an httpx exception onto the core's transport errors."""
    verification = _verification_failure(exc) if isinstance(exc, httpx.ConnectError) else None
    if verification is not None:
        return CertificateVerificationError(str(verification))
    if isinstance(exc, _NOT_SENT):
        return ConnectError(f"could not connect: {type(exc).__name__}: {exc}")
    if isinstance(exc, ssl.SSLError):
        return ProtocolError(f"TLS error after the request was sent: {exc}")
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


def _new_client(ssl_context: ssl.SSLContext | None) -> httpx.Client:
    verify: ssl.SSLContext | bool = True if ssl_context is None else ssl_context
    return httpx.Client(timeout=None, follow_redirects=False, verify=verify)


# httpx's default pool size, which the clients made here keep.
_POOL_SIZE = 100


class _Gated:
    """An ``httpx.AsyncClient`` and the slots that keep its pool's queue short.

    httpcore rescans every waiting request whenever a connection frees up, so hundreds of
    tasks queued inside one pool make each request cost time in proportion to the queue
    (encode/httpx#3215): 500 tasks on a pool of 100 ran about ten times slower than the
    same tasks let in 100 at a time. The slots queue the rest in an ``asyncio.Semaphore``,
    which wakes one waiter at a time.
    """

    __slots__ = ("client", "slots")

    def __init__(self, client: httpx.AsyncClient, size: int | None) -> None:
        self.client = client
        self.slots = None if size is None else asyncio.Semaphore(size)


def _new_async_client(ssl_context: ssl.SSLContext | None, in_flight: int | None) -> _Gated:
    verify: ssl.SSLContext | bool = True if ssl_context is None else ssl_context
    client = httpx.AsyncClient(timeout=None, follow_redirects=False, verify=verify)
    return _Gated(client, in_flight)


def _check_tls(client: object, ssl_context: ssl.SSLContext | None, name: str) -> None:
    if client is not None and ssl_context is not None:
        raise ValueError(
            f"pass ssl_context to your {name} ({name}(verify=ssl_context)) or to the "
            "transport, not both"
        )


def _no_context_pickles(transport: str, ssl_context: ssl.SSLContext | None) -> None:
    if ssl_context is not None:
        raise TypeError(
            f"a {transport} given an ssl_context cannot be pickled (an SSLContext does not "
            "pickle): build the transport where it is used"
        )


class HttpxTransport:
    """Sends requests through an ``httpx.Client`` (yours, or one made for this transport).

    ``ssl_context`` sets the TLS settings (a private CA) of the clients the transport
    makes; certificates and host names are verified either way.
    """

    def __init__(
        self, client: httpx.Client | None = None, *, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        _check_tls(client, ssl_context, "httpx.Client")
        self._owns_client = client is None
        self._user_client = client
        self._ssl_context = ssl_context
        self._owned = (
            None
            if client is not None
            else ProcessLocal(partial(_new_client, ssl_context), os.getpid())
        )
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
        _no_context_pickles("HttpxTransport", self._ssl_context)
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


async def _close_async_client(owned: _Gated) -> None:
    await owned.client.aclose()


class HttpxAsyncTransport:
    """Sends requests through an ``httpx.AsyncClient`` (yours, or one made for this transport).

    A client the transport makes belongs to the event loop it is first used in: the
    transport makes another in each new loop (a second ``asyncio.run()``), and the old one
    is closed by its own loop when that ends. ``ssl_context`` sets the TLS settings (a
    private CA) of the clients the transport makes.

    ``max_in_flight`` bounds the requests handed to the client at once; the others wait
    in the transport. It defaults to the pool size (100) of the clients the transport makes,
    and to no bound for your own client: give it your ``httpx.Limits.max_connections``
    when many tasks share that client, since httpx slows down sharply when hundreds of
    requests queue inside its pool.
    """

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_in_flight: int | None = None,
    ) -> None:
        _check_tls(client, ssl_context, "httpx.AsyncClient")
        if max_in_flight is not None and (
            isinstance(max_in_flight, bool)
            or not isinstance(max_in_flight, int)
            or max_in_flight < 1
        ):
            raise ValueError(f"max_in_flight must be a positive int, got {max_in_flight!r}")
        in_flight = max_in_flight if max_in_flight is not None or client else _POOL_SIZE
        self._client = client
        self._ssl_context = ssl_context
        self._max_in_flight = max_in_flight
        self._in_flight = in_flight
        # Your client is bound to one loop, and so are the slots made with it on first use.
        self._yours = None if client is None else _Gated(client, in_flight)
        self._owned = LoopBoundResource(
            partial(_new_async_client, ssl_context, in_flight), _close_async_client
        )

    def __getstate__(self) -> dict[str, Any]:
        if self._client is not None:
            _unpicklable("HttpxAsyncTransport", "httpx.AsyncClient")
        _no_context_pickles("HttpxAsyncTransport", self._ssl_context)
        return {"max_in_flight": self._max_in_flight}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(max_in_flight=state.get("max_in_flight"))  # type: ignore[misc]

    @property
    def max_in_flight(self) -> int | None:
        """The most requests handed to the client at once (``None``: no bound)."""
        return self._in_flight

    @property
    def client(self) -> httpx.AsyncClient | None:
        """The client in use: yours, or this transport's latest (``None`` before first use)."""
        if self._client is not None:
            return self._client
        owned = self._owned.current
        return None if owned is None else owned.client

    async def send(
        self, request: HttpRequest, *, base_url: str, timeout: float | None
    ) -> HttpResponse:
        """Send one request; raise a core ``TransportError`` on network failure."""
        gated = self._yours or await self._owned.get(asyncio.get_running_loop())
        if gated.slots is None:
            return await self._send(gated.client, request, base_url, timeout)
        # The slot is held until the answer is read (a download's, until its headers).
        async with gated.slots:
            return await self._send(gated.client, request, base_url, timeout)

    @staticmethod
    async def _send(
        client: httpx.AsyncClient, request: HttpRequest, base_url: str, timeout: float | None
    ) -> HttpResponse:
        try:
            raw = await client.send(
                _build(client, request, base_url, timeout), stream=True, follow_redirects=False
            )
        except _ASYNC_FAILURES as exc:
            raise transport_error(exc) from exc
        except RuntimeError as exc:  # a closed client, or one whose event loop has ended
            raise unavailable("the httpx.AsyncClient you passed", exc) from exc
        body = AsyncGuardedStream(
            raw.aiter_bytes, raw.aread, raw.aclose, _ASYNC_FAILURES, transport_error
        )
        return await afinish_response(request, raw.status_code, raw.headers.multi_items(), body)

    async def aclose(self) -> None:
        """Close the client if this transport made it; the next request makes a new one."""
        await self._owned.aclose(asyncio.get_running_loop())
