"""One traced sandbox per module: its server spans go to the same in-memory exporter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from codat_customers.sandbox import SandboxServer
from otel_support import Metrics, Traces


@pytest.fixture(scope="module")
def traces() -> Traces:
    return Traces()


@pytest.fixture(scope="module")
def traced_sandbox(traces: Traces) -> Iterator[SandboxServer]:
    with SandboxServer(tracer_provider=traces.provider) as server:
        yield server


@pytest.fixture
def sandbox(traced_sandbox: SandboxServer, traces: Traces) -> Iterator[SandboxServer]:
    """The traced sandbox with no faults and an empty exporter."""
    traced_sandbox.clear_faults()
    traces.clear()
    yield traced_sandbox
    traced_sandbox.clear_faults()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()
