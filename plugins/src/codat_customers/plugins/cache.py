"""An opt-in response cache for GET operations: bounded LRU with a time to live.

Entries are keyed by the credential's fingerprint, the server, the path, the query and the
Accept header, so two API keys never see each other's entries. A create or update of a
company drops every entry of that company, whatever its outcome (a failed write may still
have landed).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from codat_customers.core import HttpRequest, HttpResponse

from .context import CallContext
from .markers import hookimpl

__all__ = ["CachePlugin"]

_Key = tuple[str, str, str, tuple[tuple[str, str], ...], str | None]


class CachePlugin:
    """Caches successful JSON GET responses for ``ttl`` seconds, at most ``max_entries``."""

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
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _key(request: HttpRequest, context: CallContext) -> _Key:
        return (
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
        if response is None or response.status != 200 or not self._cacheable(request):
            return
        with self._lock:
            key = self._key(request, context)
            self._entries[key] = (self._clock() + self.ttl, request.company_id, response)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def invalidate_company(self, company_id: str) -> None:
        """Drop every entry about ``company_id``."""
        with self._lock:
            stale = [k for k, v in self._entries.items() if v[1] == company_id]
            for key in stale:
                del self._entries[key]

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
