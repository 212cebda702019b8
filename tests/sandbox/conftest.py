"""Fixtures of the sandbox tests (the ``codat_sandbox`` fixture comes from the plugin)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.testing import RawClient


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "large_data: seeds 100,000 customers (about 10-30 s)")


@pytest.fixture
def api(codat_sandbox: SandboxServer) -> Iterator[RawClient]:
    client = RawClient(codat_sandbox)
    yield client
    client.close()
