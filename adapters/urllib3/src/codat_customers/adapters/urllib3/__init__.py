"""The default transport: urllib3 with one pooled, thread-safe ``PoolManager`` per client.

A thin translation: :class:`~codat_customers.core.HttpRequest` in, ``urllib3`` call,
:class:`~codat_customers.core.HttpResponse` out, urllib3's exceptions mapped onto the core's
transport errors. urllib3's own retries and redirects are off: the retry policy is ours.

The transport pickles as its settings (``verify``, ``maxsize``) and makes its pool again on
the other side; a forked child makes its own pool on first use, never touching the
parent's connections. A ``PoolManager`` you pass is used as it is, in every process, and
cannot be pickled.
"""

from __future__ import annotations

import os
from typing import Any

from codat_customers.core import (
    ConnectError,
    GuardedStream,
    HttpRequest,
    HttpResponse,
    ProcessLocal,
    ProtocolError,
    ReadTimeoutError,
    TransportError,
    build_url,
    finish_response,
)

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ProxyError,
    SSLError,
)
from urllib3.exceptions import ProtocolError as _Urllib3ProtocolError
from urllib3.exceptions import ReadTimeoutError as _Urllib3ReadTimeoutError

__all__ = ["Urllib3Transport", "transport_error"]


def transport_error(exc: BaseException) -> TransportError:
    """Map a urllib3 exception onto the core's transport errors."""
    # A ProxyError means the proxy (or the tunnel through it) could not be reached: the
    # request never got to the API.
    if isinstance(
        exc, ConnectTimeoutError | NewConnectionError | NameResolutionError | SSLError | ProxyError
    ):
        return ConnectError(f"could not connect: {exc}")
    if isinstance(exc, _Urllib3ReadTimeoutError):
        return ReadTimeoutError(f"timed out waiting for the response: {exc}")
    if isinstance(exc, _Urllib3ProtocolError):
        return ProtocolError(f"connection broken: {exc}")
    return ProtocolError(f"{type(exc).__name__}: {exc}")


def _release(response: urllib3.BaseHTTPResponse) -> None:
    """Give the connection back, or drop it if the body was not read to the end."""
    if not response.closed and response.length_remaining:
        # Draining a large unread body would cost as much as reading it: drop it.
        response.close()
    response.release_conn()


class Urllib3Transport:
    """Sends requests through one shared ``urllib3.PoolManager`` (keep-alive, thread-safe).

    Pass ``pool`` to reuse your own manager (proxies, custom TLS); otherwise one is made
    with certificate verification on, unless ``verify=False``.
    """

    def __init__(
        self,
        pool: urllib3.PoolManager | None = None,
        *,
        verify: bool = True,
        maxsize: int = 16,
    ) -> None:
        self._owns_pool = pool is None
        self._settings = {"verify": verify, "maxsize": maxsize}
        self._user_pool = pool
        self._pools = (
            None
            if pool is not None
            else ProcessLocal(
                lambda: urllib3.PoolManager(
                    maxsize=maxsize,
                    block=False,
                    cert_reqs="CERT_REQUIRED" if verify else "CERT_NONE",
                    retries=False,
                ),
                os.getpid(),
            )
        )

    @property
    def pool(self) -> urllib3.PoolManager:
        """The pool in use: yours, or this transport's own in this process."""
        if self._pools is None:
            assert self._user_pool is not None
            return self._user_pool
        return self._pools.get(os.getpid())

    def __getstate__(self) -> dict[str, Any]:
        if not self._owns_pool:
            raise TypeError(
                "a Urllib3Transport built on your own urllib3.PoolManager cannot be pickled "
                "(a pool holds locks and sockets): build the transport where it is used, or "
                "let it make its own pool (Urllib3Transport(verify=..., maxsize=...))"
            )
        return dict(self._settings)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def send(self, request: HttpRequest, *, base_url: str, timeout: float | None) -> HttpResponse:
        """Send one request; raise a core ``TransportError`` on network failure."""
        try:
            raw = self.pool.urlopen(
                request.method,
                build_url(base_url, request),
                body=request.body,
                headers=dict(request.headers),
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
                retries=False,
                redirect=False,
                # Always opened as a stream: finish_response reads it whole unless it is a
                # download, which stays on the wire.
                preload_content=False,
            )
        except HTTPError as exc:
            raise transport_error(exc) from exc
        body = GuardedStream(
            raw.stream, raw.read, lambda: _release(raw), (HTTPError,), transport_error
        )
        return finish_response(request, raw.status, raw.headers.items(), body)

    def close(self) -> None:
        """Close pooled connections if the pool is ours; the next request reconnects.

        A connection still streaming a download is closed when that download is released.
        """
        if self._pools is not None:
            pool = self._pools.current
            pools = pool.pools
            # PoolManager.clear() only forgets its host pools (urllib3 2.8 no longer closes
            # them): close each one, so idle sockets go now rather than at garbage collection.
            hosts = [pools.get(key) for key in pools.keys()]  # noqa: SIM118 (no __iter__)
            pool.clear()
            for host in hosts:
                if host is not None:
                    host.close()
