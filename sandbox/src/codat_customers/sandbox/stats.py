"""A server-side count of the requests each operation received, for ``/_sandbox/stats``.

The count is taken where the request arrives, so it sees every attempt whatever client made
it: a benchmark divides it by the calls it made to get the retry amplification of any SDK.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["OperationStats", "RequestStats"]


@dataclass
class OperationStats:
    """What one operation received since the last reset."""

    total: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    """Requests per HTTP status answered (a dropped answer counts under its status)."""
    dropped: int = 0
    """Answers whose connection was closed halfway through the body."""
    truncated: int = 0
    """JSON answers cut to half their length."""


class RequestStats:
    """Requests per operation and per status since the last `reset` (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._operations: dict[str, OperationStats] = {}
        self._since = time.time()

    def record(
        self, operation: str, status: int, *, dropped: bool = False, truncated: bool = False
    ) -> None:
        """Count one request to ``operation`` answered with ``status``."""
        with self._lock:
            stats = self._operations.setdefault(operation, OperationStats())
            stats.total += 1
            stats.statuses[status] += 1
            stats.dropped += dropped
            stats.truncated += truncated

    def reset(self) -> None:
        """Forget every count; the next ones are counted from now."""
        with self._lock:
            self._operations = {}
            self._since = time.time()

    def snapshot(self) -> dict[str, object]:
        """The counts as JSON-ready data: ``total``, ``since`` (Unix seconds) and, per
        operation, ``total``, ``statuses`` (keyed by the status as a string), ``dropped``
        and ``truncated``."""
        with self._lock:
            operations = {
                name: {
                    "total": stats.total,
                    "statuses": {str(code): n for code, n in sorted(stats.statuses.items())},
                    "dropped": stats.dropped,
                    "truncated": stats.truncated,
                }
                for name, stats in sorted(self._operations.items())
            }
            total = sum(stats.total for stats in self._operations.values())
            return {"since": self._since, "total": total, "operations": operations}
