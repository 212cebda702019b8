"""The core's error values: what a ``Failure`` carries.

Every error is an ``Exception`` so it can be raised as is, but the core only ever returns
them inside ``Failure``. The hierarchy is small on purpose::

    CodatError
    ├── RequestValidationError   bad input, found before any I/O (names the field)
    ├── PushTimeoutError         a push was still Pending when waiting for it timed out
    ├── TransportError           nothing usable came back
    │   ├── ConnectError         the connection could not be made (nothing was sent)
    │   │   └── CertificateVerificationError  the server's TLS certificate was not
    │   │                        trusted, or not issued for its host (never retried)
    │   ├── ReadTimeoutError     no answer in time (the server may have acted)
    │   ├── ProtocolError        the connection broke mid-response (truncated body, reset)
    │   └── TransportUnavailableError  the transport cannot send at all (its client was
    │                            closed by its owner, or belongs to an ended event loop)
    └── ResponseError            an answer came back but is not the expected success
        ├── ApiError             a documented error status with a parsed ErrorMessage
        ├── UnexpectedResponseError  an undocumented status or content type
        └── DecodeError          the body is malformed, truncated or of the wrong shape
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from .models import ErrorMessage, PushOperation

__all__ = [
    "ApiError",
    "CertificateVerificationError",
    "CodatError",
    "ConnectError",
    "DecodeError",
    "ProtocolError",
    "PushTimeoutError",
    "RateLimit",
    "RequestValidationError",
    "ResponseError",
    "ReadTimeoutError",
    "TransportError",
    "TransportUnavailableError",
    "UnexpectedResponseError",
    "body_excerpt",
    "parse_rate_limit",
]

EXCERPT_LIMIT = 512


def body_excerpt(body: bytes, limit: int = EXCERPT_LIMIT) -> str:
    """The start of a body as text, for messages; never raises."""
    text = body[:limit].decode("utf-8", errors="replace")
    return text + ("…" if len(body) > limit else "")


class RateLimit(msgspec.Struct, frozen=True):
    """An answer's ``X-Rate-Limit-*`` headers (``None`` where absent or not a number)."""

    limit: int | None
    remaining: int | None
    reset: str | None
    """When the quota resets, as the server wrote it (an ISO date)."""


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """The rate-limit headers among ``headers`` (lower-case names), or ``None`` without any."""
    limit = headers.get("x-rate-limit-limit")
    remaining = headers.get("x-rate-limit-remaining")
    reset = headers.get("x-rate-limit-reset")
    if limit is None and remaining is None and reset is None:
        return None
    return RateLimit(_count(limit), _count(remaining), reset)


def _count(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


class CodatError(Exception):
    """Base of every error the SDK returns or raises.

    Besides the message, every error carries what the caller needs to decide what to do
    next. The clients fill these in when a call ends in failure; they keep their defaults
    on an error built by hand.
    """

    outcome_unknown: bool = False
    """True when the call was a write and the server may or may not have acted on it (a
    read timeout, a broken or undecodable answer, a 5xx other than 503). Re-send it with the
    same :attr:`idempotency_key` (creates), or check push history before writing again."""
    idempotency_key: str | None = None
    """The ``Idempotency-Key`` the request carried, if any: re-send with it to be safe."""
    retry_after: float | None = None
    """Seconds the server asked to wait (``Retry-After`` as seconds or as an HTTP date)."""
    rate_limit: RateLimit | None = None
    """The answer's ``X-Rate-Limit-*`` headers, if it had any."""
    correlation_id: str | None = None
    """Codat's ``correlationId`` from an error body, for support requests."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RequestValidationError(CodatError, ValueError):
    """The request is invalid; it was rejected before any byte was sent."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"invalid request: {field}: {problem}")
        self.field = field
        self.problem = problem


class PushTimeoutError(CodatError):
    """Waiting for a push operation ran out of time while it was still ``Pending``.

    Not a failure of the write: it may still complete. Keep :attr:`push_operation_key` and
    look it up again later (``push_operations.get``), or wait again.
    """

    def __init__(
        self, company_id: str, push_operation_key: str, last: PushOperation | None = None
    ) -> None:
        super().__init__(
            f"push operation {push_operation_key} of company {company_id} was still "
            "Pending when the wait timed out"
        )
        self.company_id = company_id
        self.push_operation_key = push_operation_key
        self.last = last
        """The operation as last read (``None`` if no read succeeded)."""


class TransportError(CodatError):
    """The exchange failed below HTTP: no complete response was received."""


class ConnectError(TransportError):
    """The connection could not be established, so the request was never processed."""


class CertificateVerificationError(ConnectError):
    """The server's TLS certificate was not trusted, or not issued for the host in the URL.

    Raised in the TLS handshake, so nothing of the request was sent. Retrying cannot help
    and the retry policy does not: trust the CA that issued the certificate (each
    adapter's ``ssl_context=``) or use a host name the certificate names. ``detail`` is the
    TLS library's reason (``certificate verify failed: unable to get local issuer
    certificate``, ``... IP address mismatch ...``).
    """

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"TLS certificate verification failed, nothing was sent: {detail}. Trust the CA "
            "that issued the server's certificate (the transport's ssl_context=) or use a "
            "host name the certificate is for"
        )
        self.detail = detail


class ReadTimeoutError(TransportError):
    """No response arrived in time; the server may still have processed the request."""


class ProtocolError(TransportError):
    """The connection broke or the body was cut short."""


class TransportUnavailableError(TransportError):
    """The transport cannot send at all, so nothing was sent and retrying cannot help.

    Raised when a client or session you passed to an adapter was closed by you, or belongs
    to an event loop that has ended (an ``httpx.AsyncClient`` or ``aiohttp.ClientSession``
    used from a second ``asyncio.run()``). Transports that made their own client reopen it
    instead of raising this.
    """


class ResponseError(CodatError):
    """A response arrived but it is not the operation's success."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        content_type: str,
        body: bytes,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.content_type = content_type
        self.body = body
        self.headers: Mapping[str, str] = headers or {}

    @property
    def body_excerpt(self) -> str:
        """The first bytes of the body as text."""
        return body_excerpt(self.body)

    def __str__(self) -> str:
        return (
            f"{self.message} (status {self.status}, content type "
            f"{self.content_type or '-'}): {self.body_excerpt}"
        )


class ApiError(ResponseError):
    """A documented error status whose body is Codat's ``ErrorMessage``."""

    def __init__(
        self,
        *,
        status: int,
        content_type: str,
        body: bytes,
        error_message: ErrorMessage,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        text = error_message.error if isinstance(error_message.error, str) else "API error"
        super().__init__(text, status=status, content_type=content_type, body=body, headers=headers)
        self.error_message = error_message


class UnexpectedResponseError(ResponseError):
    """A status or content type the contract does not document for this operation."""


class DecodeError(ResponseError):
    """The body could not be decoded into the expected model.

    ``malformed`` is true when the bytes are not well-formed JSON (or not UTF-8), as a body
    cut short or damaged on the way would be: sending again may get a readable answer. It is
    false when the JSON is well formed but not the model, or is over the parser's limits:
    the same answer would come back.
    """

    malformed: bool = False
