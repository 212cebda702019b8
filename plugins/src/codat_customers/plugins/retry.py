"""Retry policy: exponential backoff with full jitter that never duplicates a push.

Which failures are retried:

* ``408``, ``429`` and ``5xx`` responses, and transport errors when
  ``retry_connection_errors`` is on (the contract's ``x-speakeasy-retries``), including a
  2xx answer whose body could not be decoded (reported as a ``ProtocolError``);
* a ``409`` to a *re-sent* create: Codat says so while the first send of the same
  ``Idempotency-Key`` is still in flight;
* never a :class:`~codat_customers.core.TransportUnavailableError` (a client closed by its
  owner, or bound to an event loop that has ended) nor a
  :class:`~codat_customers.core.CertificateVerificationError` (an untrusted certificate, or
  one for another host): no attempt could succeed;
* and a request that is not safe to replay (a ``PUT`` update, or a ``POST`` without an
  ``Idempotency-Key``) only when the failure proves the server did not act on it: ``408``,
  ``429``, ``503`` or a refused connection. Never after a ``500`` or a read timeout.

``Retry-After`` (seconds or an HTTP date) replaces the computed wait, capped by the
strategy's ``max_interval``. No retry starts once ``max_elapsed_time`` would be exceeded.

Every client has a :class:`RetryBudget`: a token bucket that each retry draws from and each
successful answer refills a little. In an outage the bucket drains and calls fail after
their first attempt, so a fleet of clients does not multiply the load on a struggling
server; once answers succeed again, retries come back.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from codat_customers.core import (
    CertificateVerificationError,
    ConnectError,
    HttpRequest,
    HttpResponse,
    ReadTimeoutError,
    TransportError,
    TransportUnavailableError,
)
from msgspec import UNSET, UnsetType

from .context import CallContext
from .markers import hookimpl
from .outcomes import NOT_PROCESSED_STATUSES, parse_retry_after

__all__ = ["RetryBudget", "RetryPlugin", "is_replay_safe", "parse_retry_after"]


def is_replay_safe(request: HttpRequest) -> bool:
    """True when sending ``request`` twice cannot change more than sending it once."""
    return request.method in ("GET", "HEAD") or request.header("idempotency-key") is not None


def _retryable_status(status: int) -> bool:
    return status in (408, 429) or 500 <= status <= 599


class RetryBudget:
    """A token bucket shared by every call of one client (thread-safe).

    A retry costs ``retry_cost`` tokens (``timeout_cost`` after a read timeout, which ties
    up the server longest); a call whose attempt succeeds gives back ``success_refund``, up
    to ``capacity``. A retry that finds too few tokens is not made: the call fails with the
    error it has. The defaults follow the AWS SDKs' standard mode: 500 tokens, 5 per retry,
    10 per retried timeout, 1 back per success.
    """

    def __init__(
        self,
        capacity: float = 500,
        retry_cost: float = 5,
        timeout_cost: float = 10,
        success_refund: float = 1,
    ) -> None:
        self.capacity = capacity
        self.retry_cost = retry_cost
        self.timeout_cost = timeout_cost
        self.success_refund = success_refund
        self._tokens = capacity
        self._lock = threading.Lock()

    @property
    def tokens(self) -> float:
        """The tokens left now."""
        return self._tokens

    def take(self, error: TransportError | None) -> bool:
        """Pay for one retry after ``error`` (or an error status); False when unaffordable."""
        cost = self.timeout_cost if isinstance(error, ReadTimeoutError) else self.retry_cost
        with self._lock:
            if self._tokens < cost:
                return False
            self._tokens -= cost
            return True

    def refund(self) -> None:
        """Give back tokens after a successful answer."""
        if self._tokens >= self.capacity:
            # Nearly every call succeeds with a full bucket: skip the lock. A retry taking
            # tokens meanwhile is then ordered after this refund, which changed nothing.
            return
        with self._lock:
            self._tokens = min(self.capacity, self._tokens + self.success_refund)

    def __getstate__(self) -> dict[str, float]:
        # A lock does not pickle; a copy starts with its own full bucket and lock.
        return {
            "capacity": self.capacity,
            "retry_cost": self.retry_cost,
            "timeout_cost": self.timeout_cost,
            "success_refund": self.success_refund,
        }

    def __setstate__(self, state: dict[str, float]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"RetryBudget(tokens={self._tokens:g}/{self.capacity:g})"


class RetryPlugin:
    """Decides whether and when to resend; the call driver does the waiting.

    ``random`` (a ``[0, 1)`` source for jitter) and ``wall_clock`` (for HTTP-date
    ``Retry-After`` values) can be injected to make the policy deterministic in tests.
    ``budget`` is the client's :class:`RetryBudget` (a fresh one by default); ``None``
    retries without a budget, as far as the retry policy allows.
    """

    def __init__(
        self,
        random: Callable[[], float] = random.random,
        wall_clock: Callable[[], float] = time.time,
        budget: RetryBudget | UnsetType | None = UNSET,
    ) -> None:
        self._random = random
        self._wall_clock = wall_clock
        self.budget = RetryBudget() if isinstance(budget, UnsetType) else budget

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
        if response is not None and response.status < 300:
            if self.budget is not None:
                self.budget.refund()
            return None
        config = context.retry
        if config is None or config.strategy != "backoff" or config.backoff is None:
            return None
        if not self._should_retry(
            request, attempt, response, error, config.retry_connection_errors
        ):
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
        if context.deadline is not None and elapsed + delay >= context.deadline:
            return None  # the retry would start after the call's deadline
        if self.budget is not None and not self.budget.take(error):
            return None
        return delay

    @staticmethod
    def _should_retry(
        request: HttpRequest,
        attempt: int,
        response: HttpResponse | None,
        error: TransportError | None,
        retry_connection_errors: bool,
    ) -> bool:
        if error is not None:
            if not retry_connection_errors or isinstance(
                error, TransportUnavailableError | CertificateVerificationError
            ):
                return False
            return isinstance(error, ConnectError) or is_replay_safe(request)
        assert response is not None
        if response.status == 409:
            # The first send of this key is still being processed; ask again shortly.
            return attempt > 1 and request.header("idempotency-key") is not None
        if not _retryable_status(response.status):
            return False
        return is_replay_safe(request) or response.status in NOT_PROCESSED_STATUSES
