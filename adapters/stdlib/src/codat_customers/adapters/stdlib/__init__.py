"""A transport on ``http.client`` alone, for environments where only the standard library goes.

:class:`StdlibTransport` keeps a small thread-safe pool of idle keep-alive connections per
``(scheme, host, port)``, verifies TLS certificates by default, applies the call's timeout to
connecting and to every read, streams downloads, and maps socket, TLS and ``http.client``
failures onto the core's transport errors. It has no dependency beyond
``codat-customers-core``.

It pickles as its settings and opens new connections on the other side; a forked child
starts with an empty pool of its own, never reusing the parent's connections. A transport
given its own ``ssl_context`` cannot be pickled (an ``SSLContext`` does not pickle).
"""

from __future__ import annotations

import http.client
import os
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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

__all__ = ["StdlibTransport", "transport_error"]

_REPLAY_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Failures that, on a reused connection and before any response byte, mean the server had
# already closed it while it sat idle in the pool.
_STALE_ERRORS = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    ConnectionAbortedError,
)


def transport_error(exc: BaseException) -> TransportError:
    """Map a failure raised after the connection was made onto the core's transport errors."""
    if isinstance(exc, socket.timeout | TimeoutError):
        return ReadTimeoutError(f"timed out waiting for the response: {exc}")
    if isinstance(exc, http.client.IncompleteRead):
        return ProtocolError(f"response body cut short: {exc!r}")
    if isinstance(exc, http.client.HTTPException | OSError):
        return ProtocolError(f"connection broken: {type(exc).__name__}: {exc}")
    return ProtocolError(f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True)
class _Origin:
    scheme: str
    host: str
    port: int


def _is_dropped(connection: http.client.HTTPConnection) -> bool:
    """True when an idle pooled connection can no longer carry a request.

    An idle keep-alive socket should have nothing to read; if it is readable, the server
    closed it (EOF) or sent something unsolicited. Either way it must not be reused.
    """
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class _Pool:
    """Idle connections per origin; a connection is used by one thread at a time."""

    def __init__(self, max_idle_per_origin: int) -> None:
        self._lock = threading.Lock()
        self._idle: dict[_Origin, list[http.client.HTTPConnection]] = {}
        self._max_idle = max_idle_per_origin

    def take(self, origin: _Origin) -> http.client.HTTPConnection | None:
        """An idle connection that still looks alive, or ``None``."""
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                if not idle:
                    return None
                connection = idle.pop()
            if not _is_dropped(connection):
                return connection
            connection.close()

    def give_back(self, origin: _Origin, connection: http.client.HTTPConnection) -> None:
        """Keep ``connection`` for the next request to ``origin``, unless the pool is full."""
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < self._max_idle:
                idle.append(connection)
                return
        connection.close()

    def clear(self) -> None:
        """Close every idle connection."""
        with self._lock:
            connections = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for connection in connections:
            connection.close()


class _Body:
    """Reads one response for a :class:`~codat_customers.core.GuardedStream`.

    ``http.client`` does not complain when a ``Content-Length`` body ends early under
    ``read(amt)``, so the promised length is checked here and a truncated body raises
    :class:`~codat_customers.core.ProtocolError`. The connection goes back to the pool only
    after a complete body; otherwise it is closed.
    """

    def __init__(
        self,
        response: http.client.HTTPResponse,
        pool: _Pool,
        origin: _Origin,
        connection: http.client.HTTPConnection,
    ) -> None:
        self._response = response
        self._pool = pool
        self._origin = origin
        self._connection = connection
        self._complete = False

    def stream(self) -> GuardedStream:
        """The body as a stream that maps failures and releases the connection once."""
        failures = (OSError, http.client.HTTPException)
        return GuardedStream(self._chunks, self._read, self._release, failures, transport_error)

    def _chunk(self, size: int) -> bytes:
        response = self._response
        data = b"" if response.isclosed() else response.read(size)
        if not data:
            if response.length:
                raise ProtocolError(f"response body cut short: {response.length} bytes missing")
            self._complete = True
        return data

    def _chunks(self, size: int) -> Iterator[bytes]:
        return iter(lambda: self._chunk(size), b"")

    def _read(self) -> bytes:
        return b"".join(self._chunks(256 * 1024))

    def _release(self) -> None:
        if self._complete and not self._response.will_close:
            self._pool.give_back(self._origin, self._connection)
        else:
            self._connection.close()


class StdlibTransport:
    """Sends requests with ``http.client``, keeping connections alive per host.

    :param ssl_context: the TLS settings for ``https`` URLs (default:
        ``ssl.create_default_context()``, which verifies certificates and host names).
    :param verify: ``False`` turns certificate verification off when no ``ssl_context`` is
        given (local test servers only).
    :param max_idle_per_host: idle connections kept per ``(scheme, host, port)``.

    Safe to share between threads. Proxies are not supported: use the urllib3 or httpx
    adapter when you need one.
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        verify: bool = True,
        max_idle_per_host: int = 10,
    ) -> None:
        self._settings: dict[str, Any] | None = (
            {"verify": verify, "max_idle_per_host": max_idle_per_host}
            if ssl_context is None
            else None
        )
        if ssl_context is None:
            ssl_context = ssl.create_default_context()
            if not verify:
                ssl_context.check_hostname = False
                ssl_context.verify_mode = ssl.CERT_NONE
        self.ssl_context = ssl_context
        self._pools = ProcessLocal(lambda: _Pool(max_idle_per_host), os.getpid())

    @property
    def _pool(self) -> _Pool:
        """This process's idle connections."""
        return self._pools.get(os.getpid())

    def __getstate__(self) -> dict[str, Any]:
        if self._settings is None:
            raise TypeError(
                "a StdlibTransport given its own ssl_context cannot be pickled (an SSLContext "
                "does not pickle): build the transport where it is used"
            )
        return dict(self._settings)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def send(self, request: HttpRequest, *, base_url: str, timeout: float | None) -> HttpResponse:
        """Send one request; raise a core ``TransportError`` on network failure."""
        url = urlsplit(build_url(base_url, request))
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ConnectError(f"unsupported URL: {base_url!r}")
        default_port = 443 if url.scheme == "https" else 80
        origin = _Origin(url.scheme, url.hostname, url.port or default_port)
        target = url.path + (f"?{url.query}" if url.query else "")
        connection = self._pool.take(origin)
        if connection is not None:
            try:
                return self._exchange(connection, origin, request, target, timeout)
            except TransportError:
                raise  # already mapped (a body that broke while being read)
            except _STALE_ERRORS as exc:
                # The server closed the idle connection just as we reused it. Nothing was
                # answered; only a request that is safe to replay goes again, and only once.
                # Anything else surfaces, so the retry policy decides (it never resends an
                # update whose fate is unknown).
                if request.method not in _REPLAY_SAFE_METHODS:
                    raise transport_error(exc) from exc
            except Exception as exc:
                raise transport_error(exc) from exc
        connection = self._connect(origin, timeout)
        try:
            return self._exchange(connection, origin, request, target, timeout)
        except TransportError:
            raise
        except Exception as exc:
            raise transport_error(exc) from exc

    def close(self) -> None:
        """Close the idle connections; connections still streaming close when released."""
        self._pools.current.clear()

    def _connect(self, origin: _Origin, timeout: float | None) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection
        if origin.scheme == "https":
            connection = http.client.HTTPSConnection(
                origin.host, origin.port, timeout=timeout, context=self.ssl_context
            )
        else:
            connection = http.client.HTTPConnection(origin.host, origin.port, timeout=timeout)
        try:
            # Connect (and shake hands) now, so a failure here is known to be a ConnectError:
            # not a byte of the request has been sent.
            connection.connect()
        except ssl.SSLCertVerificationError as exc:
            connection.close()
            raise CertificateVerificationError(str(exc)) from exc
        except (OSError, ssl.SSLError) as exc:
            connection.close()
            raise ConnectError(f"could not connect to {origin.host}:{origin.port}: {exc}") from exc
        return connection

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        origin: _Origin,
        request: HttpRequest,
        target: str,
        timeout: float | None,
    ) -> HttpResponse:
        """Send on ``connection`` and open the response; the connection is closed on failure."""
        try:
            if connection.sock is not None:
                connection.sock.settimeout(timeout)
            connection.timeout = timeout
            connection.request(
                request.method, target, body=request.body, headers=dict(request.headers)
            )
            raw = connection.getresponse()
        except BaseException:
            connection.close()
            raise
        body = _Body(raw, self._pool, origin, connection).stream()
        return finish_response(request, raw.status, raw.getheaders(), body)
