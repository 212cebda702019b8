"""Retry policy: exponential backoff with full jitter that never duplicates a push.

Which failures are retried:

* ``408``, ``429`` and ``5xx`` responses, and transport errors when
  ``retry_connection_errors`` is on (the contract's ``x-speakeasy-retries``);
* never a :class:`~codat_customers.core.TransportUnavailableError` (a client closed by its
  owner, or bound to an event loop that has ended): no attempt could succeed;
* and a request that is not safe to replay (a ``PUT`` update, or a ``POST`` without an
  ``Idempotency-Key``) only when the failure proves the server did not act on it: ``429``,
  ``503`` or a refused connection. Never after a ``500`` or a read timeout.

``Retry-After`` (seconds or an HTTP date) replaces the computed wait, capped by the
strategy's ``max_interval``. No retry starts once ``max_elapsed_time`` would be exceeded.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

from codat_customers.core import (
    ConnectError,
    HttpRequest,
    HttpResponse,
    TransportError,
    TransportUnavailableError,
)

from .context import CallContext
from .markers import hookimpl

__all__ = ["RetryPlugin", "is_replay_safe", "parse_retry_after"]

_NOT_PROCESSED_STATUSES = frozenset({429, 503})


def is_replay_safe(request: HttpRequest) -> bool:
    """True when sending ``request`` twice cannot change more than sending it once."""
    return request.method in ("GET", "HEAD") or request.header("idempotency-key") is not None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - now)


def _retryable_status(status: int) -> bool:
    return status in (408, 429) or 500 <= status <= 599


class RetryPlugin:
    """Decides whether and when to resend; the call driver does the waiting.

    ``random`` (a ``[0, 1)`` source for jitter) and ``wall_clock`` (for HTTP-date
    ``Retry-After`` values) can be injected to make the policy deterministic in tests.
    """

    def __init__(
        self,
        random: Callable[[], float] = random.random,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._random = random
        self._wall_clock = wall_clock

    @hookimpl(trylast=True)
    def codat_retry_delay(
        self,
        request: HttpRequest,
        context: CallContext,
        attempt: int,
        response: HttpResponse | None,
        error: TransportError | None,
        elapsed: float,
    ) -> float | None:
        """Apply the policy described in the module docstring."""
        config = context.retry
        if config is None or config.strategy != "backoff" or config.backoff is None:
            return None
        if not self._should_retry(request, response, error, config.retry_connection_errors):
            return None
        backoff = config.backoff
        ceiling = backoff.max_interval / 1000
        try:
            grown = backoff.initial_interval / 1000 * backoff.exponent ** (attempt - 1)
        except OverflowError:  # many quick attempts (Retry-After: 0): the ceiling applies
            grown = ceiling
        delay = self._random() * min(ceiling, grown)
        if response is not None:
            hinted = parse_retry_after(response.headers.get("retry-after"), self._wall_clock())
            if hinted is not None:
                delay = min(hinted, ceiling)
        if elapsed + delay > backoff.max_elapsed_time / 1000:
            return None
        return delay

    @staticmethod
    def _should_retry(
        request: HttpRequest,
        response: HttpResponse | None,
        error: TransportError | None,
        retry_connection_errors: bool,
    ) -> bool:
        if error is not None:
            if not retry_connection_errors or isinstance(error, TransportUnavailableError):
                return False
            return isinstance(error, ConnectError) or is_replay_safe(request)
        assert response is not None
        if not _retryable_status(response.status):
            return False
        return is_replay_safe(request) or response.status in _NOT_PROCESSED_STATUSES
