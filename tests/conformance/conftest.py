"""Fixtures of the conformance suite: one sandbox for the session, one driver per adapter.

The sandbox is shared because starting one and creating the big attachment cost time; a
test that switches faults on clears them afterwards (``faults`` fixture), and tests run
one at a time, so faults never leak into another test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import urllib3
from codat_customers.sandbox import SandboxServer
from conformance_support import ADAPTERS, BIG_ATTACHMENT_SIZE, Adapter, Driver


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """A sandbox with enough customers for 100 concurrent tasks to each get their own."""
    with SandboxServer(customers=120) as server:
        yield server


@pytest.fixture(scope="session")
def big_attachment(sandbox: SandboxServer) -> dict[str, Any]:
    """A 64 MiB attachment of the seeded customer, created through the admin endpoint."""
    response = urllib3.request(
        "POST",
        sandbox.base_url + "/_sandbox/attachments",
        json={"size": BIG_ATTACHMENT_SIZE, "name": "big.bin"},
        timeout=120,
    )
    assert response.status == 201, response.data
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture(params=ADAPTERS, ids=[adapter.id for adapter in ADAPTERS])
def adapter(request: pytest.FixtureRequest) -> Adapter:
    """Each adapter in turn."""
    chosen: Adapter = request.param
    return chosen


@pytest.fixture
def driver(adapter: Adapter, sandbox: SandboxServer) -> Iterator[Driver]:
    """A driver for ``adapter``; its clients and event loop are closed after the test."""
    runner = Driver(adapter, sandbox)
    yield runner
    runner.close()


@pytest.fixture
def faults(sandbox: SandboxServer) -> Iterator[SandboxServer]:
    """The sandbox, with every fault switched off again after the test."""
    sandbox.clear_faults()
    yield sandbox
    sandbox.clear_faults()


@pytest.fixture(params=["result", "seed"])
def style(request: pytest.FixtureRequest) -> str:
    """Both client styles: the Result API and the seed-compatible facade."""
    chosen: str = request.param
    return chosen
