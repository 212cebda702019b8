"""What a failed call tells its caller: whether a write may have landed, and how to go on.

The core's parsers are pure, so they cannot read the wall clock a ``Retry-After`` date needs,
nor know which ``Idempotency-Key`` a plugin added. :func:`describe_failure` fills those in
once, when a call ends in failure, so every error (and the seed-style exceptions made from
it) carries them.
"""

from __future__ import annotations

import math
from email.utils import parsedate_to_datetime

from codat_customers.core import (
    ApiError,
    CodatError,
    ConnectError,
    HttpRequest,
    ResponseError,
    TransportError,
    TransportUnavailableError,
    parse_rate_limit,
)

__all__ = ["NOT_PROCESSED_STATUSES", "describe_failure", "may_have_acted", "parse_retry_after"]

NOT_PROCESSED_STATUSES = frozenset({408, 429, 503})
"""Statuses that prove the server did not act on the request: it timed out waiting for it
(408), refused it for the rate limit (429) or was unavailable (503)."""

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), or None.

    ``now`` is the wall-clock time in seconds since the epoch, for HTTP dates.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return None if math.isnan(seconds) else max(0.0, seconds)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - now)


def may_have_acted(error: CodatError) -> bool:
    """True when the request that ended in ``error`` may have been processed anyway."""
    if isinstance(error, ConnectError | TransportUnavailableError):
        return False  # not a byte of the request reached the server
    if isinstance(error, TransportError):
        return True  # a read timeout or a broken answer: sent, fate unknown
    if isinstance(error, ResponseError):
        if 200 <= error.status < 300:
            return True  # accepted, but the answer could not be read
        return error.status >= 500 and error.status not in NOT_PROCESSED_STATUSES
    return False  # rejected before sending


def describe_failure(error: CodatError, request: HttpRequest, now: float) -> CodatError:
    """Set ``error``'s caller-facing fields from the request it answers; return it.

    ``now`` is the wall-clock time (seconds since the epoch), for ``Retry-After`` dates.
    """
    error.idempotency_key = request.header("idempotency-key")
    error.outcome_unknown = request.method not in _READS and may_have_acted(error)
    if isinstance(error, ResponseError):
        error.retry_after = parse_retry_after(error.headers.get("retry-after"), now)
        error.rate_limit = parse_rate_limit(error.headers)
        if isinstance(error, ApiError) and isinstance(error.error_message.correlation_id, str):
            error.correlation_id = error.error_message.correlation_id
    return error
