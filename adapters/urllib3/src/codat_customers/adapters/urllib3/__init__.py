"""The default transport: urllib3 with one pooled, thread-safe ``PoolManager`` per client.

A thin translation: :class:`~codat_customers.core.HttpRequest` in, ``urllib3`` call,
:class:`~codat_customers.core.HttpResponse` out, urllib3's exceptions mapped onto the core's
transport errors. urllib3's own retries and redirects are off: the retry policy is ours.

The transport pickles as its settings (``verify``, ``maxsize``) and makes its pool again on
the other side; a forked child makes its own pool on first use, never touching the
parent's connections. A ``PoolManager`` you pass is used as it is, in every process, and
cannot be pickled; nor can a transport given an ``ssl_context`` (an ``SSLContext`` does not
pickle).

A TLS failure is classified by where it happened: in the handshake (an untrusted
certificate, a wrong host name, a server that does not speak TLS) nothing of the request
was sent, so it is a ``ConnectError``; once the request was on its way (a broken TLS record
in the answer or its body) the server may have acted, so it is a ``ProtocolError``.
urllib3 raises the same ``SSLError`` for both, so the traceback tells them apart.
"""

from __future__ import annotations

import os
import ssl
from types import TracebackType
from typing import Any

from codat_customers.core import (
    CertificateVerificationError,
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
import urllib3.connection
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


# The code of every urllib3 ``connect``: the TCP connect, the TLS handshake and the host name
# check all run inside it, and the request is written only after it returns.
_CONNECT_CODE = frozenset(
    cls.connect.__code__
    for cls in (urllib3.connection.HTTPConnection, urllib3.connection.HTTPSConnection)
)


def _ran_through_connect(traceback: TracebackType | None) -> bool:
    while traceback is not None:
        if traceback.tb_frame.f_code in _CONNECT_CODE:
            return True
        traceback = traceback.tb_next
    return False


def _raised_while_connecting(exc: BaseException) -> bool:
    """True when the TLS error ``exc`` wraps was raised before the request was written.

    urllib3 wraps the ``ssl`` module's error in its own ``SSLError``, raised in the
    ``except`` around the failing step, so the original is the wrapper's ``__context__``
    (or ``__cause__``). Only that one level is looked at: deeper ``__context__`` links can
    be unrelated exceptions the caller was handling.
    """
    wrapped = [exc, exc.__cause__, exc.__context__]
    return any(_ran_through_connect(e.__traceback__) for e in wrapped if e is not None)


def _verification_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate check's error that urllib3's ``SSLError`` wraps, if that is what failed."""
    for wrapped in (exc.__cause__, exc.__context__, *exc.args):
        if isinstance(wrapped, ssl.SSLCertVerificationError):
            return wrapped
    return None


def transport_error(exc: BaseException) -> TransportError:
    """Map a urllib3 exception onto the core's transport errors."""
    if isinstance(exc, SSLError):
        # Unproven means "may have been sent": retrying an update on a guess could apply it
        # twice, while the opposite mistake only costs an update a retry it could have had.
        if _raised_while_connecting(exc):
            verification = _verification_failure(exc)
            if verification is not None:
                return CertificateVerificationError(str(verification))
            return ConnectError(f"could not connect: TLS handshake failed: {exc}")
        return ProtocolError(f"TLS error after the request was sent: {exc}")
    # A ProxyError means the proxy (or the tunnel through it) could not be reached: the
    # request never got to the API.
    if isinstance(exc, ConnectTimeoutError | NewConnectionError | NameResolutionError | ProxyError):
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

    :param pool: your own manager (proxies, client certificates), used as it is.
    :param ssl_context: the TLS settings of the pool this transport makes, for a private
        CA: ``ssl.create_default_context(cafile="ca.pem")``. Certificates and host names
        are verified unless the context itself turns that off.
    :param verify: ``False`` turns certificate verification off when no ``ssl_context`` is
        given (local test servers only).
    :param maxsize: connections kept per host.
    """

    def __init__(
        self,
        pool: urllib3.PoolManager | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        verify: bool = True,
        maxsize: int = 16,
    ) -> None:
        if pool is not None and ssl_context is not None:
            raise ValueError(
                "pass ssl_context to your PoolManager (urllib3.PoolManager(ssl_context=...)) "
                "or to Urllib3Transport, not both"
            )
        self._owns_pool = pool is None
        self._settings: dict[str, Any] | None = (
            {"verify": verify, "maxsize": maxsize} if ssl_context is None else None
        )
        self._user_pool = pool
        tls: dict[str, Any] = (
            # urllib3 takes the verification mode from the context when cert_reqs is unset.
            {"ssl_context": ssl_context}
            if ssl_context is not None
            else {"cert_reqs": "CERT_REQUIRED" if verify else "CERT_NONE"}
        )
        self._pools = (
            None
            if pool is not None
            else ProcessLocal(
                lambda: urllib3.PoolManager(maxsize=maxsize, block=False, retries=False, **tls),
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
        if self._settings is None:
            raise TypeError(
                "a Urllib3Transport given an ssl_context cannot be pickled (an SSLContext "
                "does not pickle): build the transport where it is used"
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
