"""What every request handler of one sandbox app shares."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from .clock import Clock
from .faults import FaultInjector
from .seed import SeedInfo
from .stats import RequestStats
from .storage import Store
from .writes import Writes

__all__ = ["SandboxState", "auth_header_for"]


def auth_header_for(api_key: str) -> str:
    """The ``Authorization`` value Codat expects for ``api_key``: ``Basic base64(key)``."""
    return "Basic " + base64.b64encode(api_key.encode()).decode()


@dataclass
class SandboxState:
    """The store, the faults in force, the API key, the clock, the seeded ids, the
    write settings (push mode and sync) and the count of requests received."""

    store: Store
    faults: FaultInjector
    api_key: str
    clock: Clock
    seed: SeedInfo | None
    writes: Writes
    stats: RequestStats = field(default_factory=RequestStats)

    @property
    def auth_header(self) -> str:
        """The full ``Authorization`` header value accepted by this sandbox."""
        return auth_header_for(self.api_key)
