"""Fixtures of the scale tests: one sandbox with a little latency for the whole directory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.faults import FaultConfig
from scale_support import CUSTOMERS


@pytest.fixture(scope="session")
def scale_sandbox() -> Iterator[SandboxServer]:
    """1,000 customers; 10 ms of latency per list request makes overlap observable."""
    faults = FaultConfig(latency_ms=10, operations=["list-customers"])
    with SandboxServer(customers=CUSTOMERS, faults=faults) as server:
        yield server
