"""An opt-in response cache for GET operations: bounded LRU with a time to live.

Entries are keyed by the fingerprint of the ``Authorization`` header actually sent (whichever
plugin set it), the server, the path, the query and the Accept header, so two credentials
never see each other's entries. A create or update of a company drops every entry of that
company, whatever its outcome (a failed or cancelled write may still have landed).

A read stores its answer only if no write to its company completed between its lookup and
its answer. That check is made per call, not per cache key: two concurrent reads of the
same customer, one started before a write and one after, each keep their own snapshot, so
the slow earlier one can never be stored over the fresh later one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from codat_customers.core import HttpRequest, HttpResponse

from .context import CallContext
from .markers import hookimpl

__all__ = ["CachePlugin"]

_Key = tuple[str, str, str, tuple[tuple[str, str], ...], str | None]


class CachePlugin:
    """Caches successful JSON GET responses for ``ttl`` seconds, at most ``max_entries``.

    A pickled cache carries its settings (``max_entries``, ``ttl``, ``clock``), not its
    entries: a copy in another process starts empty.
    """

    def __init__(
        self,
        max_entries: int = 512,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[_Key, tuple[float, str, HttpResponse]] = OrderedDict()
        # A write bumps its company's generation; a GET stores its answer only if no write
        # to that company happened since its own lookup (keyed by call id), so a slow
        # pre-write read cannot put stale data back right after the write dropped it.
        self._generations: dict[str, int] = {}
        self._pending: dict[int, int] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __getstate__(self) -> dict[str, object]:
        # The settings travel; entries (live responses) and locks stay in this process.
        return {"max_entries": self.max_entries, "ttl": self.ttl, "clock": self._clock}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    @staticmethod
    def _key(request: HttpRequest, context: CallContext) -> _Key:
        return (
            # The plan sets it from the final Authorization header, whichever plugin set it.
            context.credential_fingerprint,
            context.base_url,
            request.path,
            request.query,
            request.header("accept"),
        )

    @staticmethod
    def _cacheable(request: HttpRequest) -> bool:
        return request.method == "GET" and request.response_kind == "json"

    @hookimpl
    def codat_cache_lookup(self, request: HttpRequest, context: CallContext) -> HttpResponse | None:
        """Answer a GET from a fresh entry."""
        if not self._cacheable(request):
            return None
        key = self._key(request, context)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] <= self._clock():
                if entry is not None:
                    del self._entries[key]
                self.misses += 1
                self._pending[context.call_id] = self._generations.get(request.company_id, 0)
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[2]

    @hookimpl
    def codat_cache_store(
        self, request: HttpRequest, context: CallContext, response: HttpResponse | None
    ) -> None:
        """Store successful GETs; drop a company's entries after any write to it."""
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            self.invalidate_company(request.company_id)
            return
        if not self._cacheable(request):
            return
        key = self._key(request, context)
        with self._lock:
            looked_up_at = self._pending.pop(context.call_id, None)
            current = self._generations.get(request.company_id, 0)
            if response is None or response.status != 200 or looked_up_at != current:
                return
            self._entries[key] = (self._clock() + self.ttl, request.company_id, response)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def invalidate_company(self, company_id: str) -> None:
        """Drop every entry about ``company_id``."""
        with self._lock:
            self._generations[company_id] = self._generations.get(company_id, 0) + 1
            stale = [k for k, v in self._entries.items() if v[1] == company_id]
            for key in stale:
                del self._entries[key]

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
