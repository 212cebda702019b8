"""Idempotency keys: one per logical create, so a retried create can never duplicate."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping

from codat_customers.core import HttpRequest

from .context import CallContext
from .markers import hookimpl

__all__ = ["IdempotencyPlugin"]


class IdempotencyPlugin:
    """Adds an ``Idempotency-Key`` to every POST that has none.

    The key is made once per logical call (the prepare hook runs once), so every retry of
    that call carries the same key and Codat replays its first answer instead of creating
    a second customer. A key the caller set explicitly is kept.
    """

    def __init__(self, new_key: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self._new_key = new_key

    @hookimpl(trylast=True)
    def codat_prepare_request(
        self, request: HttpRequest, context: CallContext
    ) -> Mapping[str, str] | None:
        """Give a POST its key."""
        if request.method != "POST" or request.header("idempotency-key") is not None:
            return None
        return {"idempotency-key": self._new_key()}
