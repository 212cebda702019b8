"""Fault injection: rate limiting, server errors, latency, broken bodies, lost push answers.

Every fault is off by default. Random choices come from one ``random.Random`` seeded by the
configuration, and every request draws the same number of values whether or not a fault is
on, so a given seed and request order always produce the same faults.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass
from typing import Annotated

import msgspec

__all__ = ["FaultConfig", "FaultInjector", "RateDecision", "RequestFaults"]

_Rate = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
_NonNegative = Annotated[float, msgspec.Meta(ge=0.0)]


class FaultConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Which faults are on; JSON of `/_sandbox/faults` uses these snake_case names.

    Rates are fractions of requests in 0..1. ``operations`` limits every fault to the named
    operations (``list-customers``, ``create-customer``, ...); ``None`` means all.
    """

    seed: int = 0
    rate_limit: Annotated[int, msgspec.Meta(ge=0)] | None = None
    """Requests allowed per window; more get 429. ``None``: no limit."""
    rate_limit_window: Annotated[float, msgspec.Meta(gt=0.0)] = 60.0
    """Length of the rate-limit window in seconds."""
    retry_after: Annotated[int, msgspec.Meta(ge=0)] | None = None
    """Fixed Retry-After seconds; ``None``: the time left in the window."""
    error_rate: _Rate = 0.0
    """Fraction of requests answered with one of ``error_statuses`` before any work."""
    error_statuses: list[int] = msgspec.field(default_factory=lambda: [500, 503])
    latency_ms: _NonNegative = 0.0
    """Delay added before each request is handled."""
    drop_connection_rate: _Rate = 0.0
    """Fraction of responses whose connection closes halfway through the body."""
    truncate_json_rate: _Rate = 0.0
    """Fraction of JSON responses sent complete but cut to half their length."""
    push_then_500_rate: _Rate = 0.0
    """Fraction of create/update calls that do the write, then answer 500."""
    push_latency_ms: _NonNegative = 0.0
    """Real time a push takes; an Idempotency-Key stays in flight meanwhile."""
    push_duration_seconds: _NonNegative = 0.0
    """Simulated platform time of a push; over ``timeoutInMinutes`` it ends TimedOut."""
    operations: list[str] | None = None


@dataclass(frozen=True)
class RequestFaults:
    """The faults drawn for one request."""

    error_status: int | None = None
    drop_connection: bool = False
    truncate_json: bool = False
    push_then_500: bool = False


@dataclass(frozen=True)
class RateDecision:
    """Rate-limit headers for a response, and ``retry_after`` when it must be a 429."""

    limit: int
    remaining: int
    reset_in: float
    retry_after: int | None


class FaultInjector:
    """Holds the current `FaultConfig` and draws each request's faults from it."""

    def __init__(self, config: FaultConfig | None = None, *, daily_quota: int = 2000) -> None:
        self._lock = threading.Lock()
        self._daily_quota = daily_quota
        self._day_count = 0
        self._day = time.gmtime().tm_yday
        self.configure(config or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        """The faults in force."""
        return self._config

    def configure(self, config: FaultConfig) -> None:
        """Replace the configuration; restarts the random sequence and the rate window."""
        with self._lock:
            self._config = config
            self._random = random.Random(config.seed)
            self._window_start = time.monotonic()
            self._window_count = 0

    def applies_to(self, operation: str) -> bool:
        """Whether faults are on for ``operation``."""
        operations = self._config.operations
        return operations is None or operation in operations

    def rate(self, operation: str) -> RateDecision:
        """Count a request and say whether it is over the limit.

        Without a configured limit the headers show Codat's daily quota, which the sandbox
        reports but never enforces.
        """
        with self._lock:
            config = self._config
            if config.rate_limit is None or not self.applies_to(operation):
                return self._daily()
            now = time.monotonic()
            elapsed = now - self._window_start
            if elapsed >= config.rate_limit_window:
                self._window_start = now
                self._window_count = 0
                elapsed = 0.0
            self._window_count += 1
            reset_in = config.rate_limit_window - elapsed
            remaining = max(config.rate_limit - self._window_count, 0)
            over = self._window_count > config.rate_limit
            retry_after = None
            if over:
                retry_after = (
                    config.retry_after
                    if config.retry_after is not None
                    else max(math.ceil(reset_in), 1)
                )
            return RateDecision(config.rate_limit, remaining, reset_in, retry_after)

    def _daily(self) -> RateDecision:
        today = time.gmtime()
        if today.tm_yday != self._day:
            self._day, self._day_count = today.tm_yday, 0
        self._day_count += 1
        # Fractional: whole seconds here would be off by up to one against the caller's clock.
        seconds_left = 86400 - time.time() % 86400
        remaining = max(self._daily_quota - self._day_count, 0)
        return RateDecision(self._daily_quota, remaining, seconds_left, None)

    def draw(self, operation: str) -> RequestFaults:
        """Draw this request's faults."""
        with self._lock:
            config = self._config
            rolls = [self._random.random() for _ in range(4)]
            status_pick = self._random.randrange(1 << 16)
        if not self.applies_to(operation):
            return RequestFaults()
        error_status = None
        if rolls[0] < config.error_rate and config.error_statuses:
            error_status = config.error_statuses[status_pick % len(config.error_statuses)]
        return RequestFaults(
            error_status=error_status,
            drop_connection=rolls[1] < config.drop_connection_rate,
            truncate_json=rolls[2] < config.truncate_json_rate,
            push_then_500=rolls[3] < config.push_then_500_rate,
        )
