"""How pushes complete and when their records become visible: the push mode and the sync.

Two independent settings (`WriteConfig`):

- ``push_mode``: ``"immediate"`` answers every create/update with its final status and
  applies the write at once. ``"async"`` answers ``Pending`` (statusCode 202, no
  ``completedOnUtc``), then completes ``push_seconds`` later with an outcome drawn from
  ``outcomes``: ``Success``; ``Failed`` with validation errors; or ``TimedOut``, whose
  write still lands, as Codat warns it may.
- ``sync_interval_seconds``: ``None`` shows a landed write in list/get at once; a number
  holds it back until the next sync, which runs that many seconds after the write lands,
  or when ``POST /_sandbox/sync`` runs one.

Nothing runs in the background: every request first *settles* the sandbox, completing the
pushes due by the sandbox clock and syncing the writes due, so an injected clock drives
the whole lifecycle deterministically.
"""

from __future__ import annotations

import random
import threading
from typing import Annotated, Literal

import msgspec

from .clock import Clock
from .storage import Store

__all__ = ["PushOutcomes", "PushPlan", "WriteConfig", "Writes"]

_NonNegative = Annotated[float, msgspec.Meta(ge=0.0)]


class PushOutcomes(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Relative weights of the outcomes of an async push that passes validation.

    A push that breaks the create/update model always ends ``Failed``.
    """

    success: _NonNegative = 1.0
    failed: _NonNegative = 0.0
    """Failed with a validation error from the (simulated) accounting platform."""
    timed_out: _NonNegative = 0.0
    """TimedOut, and the write lands anyway."""


class WriteConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The push mode and the sync; JSON of ``/_sandbox/writes`` uses these names."""

    push_mode: Literal["immediate", "async"] = "immediate"
    """``immediate``: final at once (the default); ``async``: Pending, then final."""
    push_seconds: _NonNegative = 2.0
    """How long an async push stays Pending, in sandbox-clock seconds."""
    outcomes: PushOutcomes = msgspec.field(default_factory=PushOutcomes)
    """The mix of final statuses of async pushes that pass validation."""
    sync_interval_seconds: _NonNegative | None = None
    """Seconds from a write landing to the sync that shows it; ``None``: shown at once."""
    seed: int = 0
    """Seed of the outcome draws."""


class PushPlan(msgspec.Struct, kw_only=True):
    """What completing one Pending push does: its final document and the write, if any."""

    company_id: str
    final: str
    """The push operation's final JSON document."""
    customer_id: str | None = None
    doc: str | None = None
    """The customer document written when the push completes (``None``: nothing lands)."""


_PLAN_DECODER = msgspec.json.Decoder(PushPlan)
_ENCODER = msgspec.json.Encoder()


class Writes:
    """The sandbox's write settings, and settling: completing pushes and syncing writes."""

    def __init__(self, store: Store, clock: Clock, config: WriteConfig | None = None) -> None:
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()
        self.configure(config or WriteConfig())

    @property
    def config(self) -> WriteConfig:
        """The settings in force."""
        return self._config

    def configure(self, config: WriteConfig) -> None:
        """Switch settings; the outcome draws restart from ``config.seed``."""
        with self._lock:
            self._config = config
            self._random = random.Random(config.seed)

    def now(self) -> float:
        """The sandbox clock, in seconds since the epoch."""
        return self._clock().timestamp()

    def draw_outcome(self) -> Literal["Success", "Failed", "TimedOut"]:
        """The final status of an async push that passed validation, from the mix."""
        weights = self._config.outcomes
        total = weights.success + weights.failed + weights.timed_out
        with self._lock:
            roll = self._random.random() * total
        if total <= 0 or roll < weights.success:
            return "Success"
        if roll < weights.success + weights.failed:
            return "Failed"
        return "TimedOut"

    def schedule(self, key: str, due_at: float, plan: PushPlan) -> None:
        """Complete push ``key`` at ``due_at`` as ``plan`` says."""
        self._store.add_pending_push(key, due_at, _ENCODER.encode(plan))

    def land(self, company_id: str, customer_id: str, doc: bytes, *, created: bool) -> None:
        """Apply a write: visible at once, or after the next sync."""
        interval = self._config.sync_interval_seconds
        if interval is not None:
            self._store.add_unsynced_write(company_id, customer_id, self.now() + interval, doc)
        elif created:
            self._store.insert_customer(company_id, customer_id, doc)
        else:
            self._store.replace_customer(company_id, customer_id, doc)

    def settle(self) -> None:
        """Complete the pushes due by now, then run the syncs due by now."""
        now = self.now()
        for key, _, raw in self._store.take_due_pushes(now):
            plan = _PLAN_DECODER.decode(raw)
            self._store.replace_push_operation(key, plan.final.encode())
            if plan.doc is not None and plan.customer_id is not None:
                self._land_later(plan.company_id, plan.customer_id, plan.doc.encode(), now)
        interval = self._config.sync_interval_seconds
        self._store.sync_writes(now if interval is not None else None)

    def _land_later(self, company_id: str, customer_id: str, doc: bytes, now: float) -> None:
        interval = self._config.sync_interval_seconds
        visible_at = now + (interval or 0.0)
        self._store.add_unsynced_write(company_id, customer_id, visible_at, doc)

    def sync(self) -> int:
        """Run a sync now: every landed write becomes visible. Returns how many did."""
        self.settle()
        return self._store.sync_writes(None)

    def complete_all(self) -> int:
        """Complete every Pending push now, whatever its due time; returns how many."""
        taken = self._store.take_due_pushes(float("inf"))
        now = self.now()
        for key, _, raw in taken:
            plan = _PLAN_DECODER.decode(raw)
            self._store.replace_push_operation(key, plan.final.encode())
            if plan.doc is not None and plan.customer_id is not None:
                self._land_later(plan.company_id, plan.customer_id, plan.doc.encode(), now)
        self.settle()
        return len(taken)
