"""An async transport over aiohttp: :class:`AiohttpTransport`.

Pass your own ``aiohttp.ClientSession`` to reuse its connector (pool limits, TLS, DNS
cache), proxy settings and trace configs; it is used as it is and left open by ``aclose``;
once you close it, or its event loop ends, sending raises
:class:`~codat_customers.core.TransportUnavailableError`. Without one, the transport creates
its session lazily on the first request, inside the running event loop (a ``ClientSession``
belongs to the loop it was made in), makes a new one in each new loop and after ``aclose``,
and closes each in its own loop. Redirects are never followed: that, like retrying, is the
SDK's decision.

For a private CA, pass ``ssl_context=`` (the transport's own sessions get a
``TCPConnector(ssl=ssl_context)``) or a session whose connector has it.

A transport that makes its own sessions pickles (the other side makes new ones, in its own
loops); one built on your session, or given an ``ssl_context``, cannot be pickled. A
forked child runs its own event loop, so it never reuses a session (or a connection) of
its parent's loop.
"""

from __future__ import annotations

import asyncio
import ssl
from functools import partial
from typing import Any

from codat_customers.core import (
    AsyncGuardedStream,
    CertificateVerificationError,
    ConnectError,
    HttpRequest,
    HttpResponse,
    LoopBoundResource,
    ProtocolError,
    ReadTimeoutError,
    TransportError,
    afinish_response,
    build_url,
    unavailable,
)

try:
    import yarl

    import aiohttp
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        'codat_customers.adapters.aiohttp needs aiohttp: pip install "codat-customers[aiohttp]"'
    ) from exc

__all__ = ["AiohttpTransport", "transport_error"]


def transport_error(exc: BaseException) -> TransportError:
    """Map an aiohttp (or asyncio timeout) exception onto the core's transport errors."""
    # Connector errors (refused, DNS, TLS) and connect timeouts happen before any byte of
    # the request is written.
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return CertificateVerificationError(str(exc.certificate_error))
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return ConnectError(f"could not connect: {type(exc).__name__}: {exc}")
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return ConnectError(f"could not connect: {type(exc).__name__}: {exc}")
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return ReadTimeoutError(f"timed out waiting for the response: {exc}")
    return ProtocolError(f"connection broken: {type(exc).__name__}: {exc}")


_FAILURES = (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError)


def _astream(response: aiohttp.ClientResponse) -> AsyncGuardedStream:
    def release_now() -> None:
        # Back to the pool after a complete body; a half-read one would poison the pool.
        if response.content.at_eof():
            response.release()
        else:
            response.close()

    async def release() -> None:
        release_now()

    return AsyncGuardedStream(
        response.content.iter_chunked,
        response.read,
        release,
        _FAILURES,
        transport_error,
        release_now=release_now,
    )


def _new_session(ssl_context: ssl.SSLContext | None) -> aiohttp.ClientSession:
    # No per-session time limit: the call's timeout_ms bounds connect and each read, and a
    # total limit would cut long downloads short.
    timeout = aiohttp.ClientTimeout(total=None)
    session = (
        aiohttp.ClientSession(timeout=timeout)
        if ssl_context is None
        else aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(ssl=ssl_context))
    )
    # aiohttp re-sends a GET, PUT or DELETE once by itself when the connection breaks before
    # the answer, an update included, though the server may have acted on it. Whether to
    # re-send is the retry policy's decision; aiohttp has no public switch for this, only
    # the attribute its own test client turns off.
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False
    return session


async def _close_session(session: aiohttp.ClientSession) -> None:
    await session.close()


class AiohttpTransport:
    """Sends requests through an ``aiohttp.ClientSession`` (yours, or one made lazily).

    ``ssl_context`` sets the TLS settings (a private CA) of the sessions the transport
    makes; certificates and host names are verified either way.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if session is not None and ssl_context is not None:
            raise ValueError(
                "pass ssl_context to your session's connector "
                "(aiohttp.TCPConnector(ssl=ssl_context)) or to AiohttpTransport, not both"
            )
        self._session = session
        self._ssl_context = ssl_context
        self._owned = LoopBoundResource(partial(_new_session, ssl_context), _close_session)

    def __getstate__(self) -> dict[str, Any]:
        if self._session is not None:
            raise TypeError(
                "an AiohttpTransport built on your own aiohttp.ClientSession cannot be "
                "pickled (a session belongs to one event loop): build it where it is used, "
                "or let the transport make its own sessions (AiohttpTransport())"
            )
        if self._ssl_context is not None:
            raise TypeError(
                "an AiohttpTransport given an ssl_context cannot be pickled (an SSLContext "
                "does not pickle): build the transport where it is used"
            )
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The session in use: yours, or this transport's latest (``None`` before first use)."""
        return self._session if self._session is not None else self._owned.current

    async def send(
        self, request: HttpRequest, *, base_url: str, timeout: float | None
    ) -> HttpResponse:
        """Send one request; raise a core ``TransportError`` on network failure."""
        session = self._session or await self._owned.get(asyncio.get_running_loop())
        try:
            raw = await session.request(
                request.method,
                # Already percent-encoded by the core: stop yarl from quoting it again.
                yarl.URL(build_url(base_url, request), encoded=True),
                headers=dict(request.headers),
                data=request.body,
                allow_redirects=False,
                # Without a per-call timeout, a user-supplied session keeps its own.
                timeout=session.timeout
                if timeout is None
                else aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout),
            )
        except _FAILURES as exc:
            raise transport_error(exc) from exc
        except RuntimeError as exc:  # "Session is closed", or its event loop has ended
            raise unavailable("the aiohttp.ClientSession you passed", exc) from exc
        return await afinish_response(request, raw.status, raw.headers.items(), _astream(raw))

    async def aclose(self) -> None:
        """Close the session if this transport made it; the next request makes a new one."""
        await self._owned.aclose(asyncio.get_running_loop())
