"""pytest plugin (entry point ``codat_sandbox``): the ``codat_sandbox`` fixture.

Each test that asks for ``codat_sandbox`` gets its own `SandboxServer`: a fresh temporary
database seeded with ``seed=0`` and 40 customers, on a free port of 127.0.0.1, stopped when
the test ends (about 0.3 s to start and stop). Mark a test with
``@pytest.mark.codat_sandbox(seed=..., customers=..., api_key=...)`` to change the seed, and
with ``push_mode="async"`` (or ``writes=WriteConfig(...)``) for pushes that answer Pending
and complete later.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .server import SandboxServer

__all__ = ["codat_sandbox", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``codat_sandbox`` marker."""
    config.addinivalue_line(
        "markers",
        "codat_sandbox(seed=0, customers=40, api_key=..., push_mode=..., writes=...): "
        "options of the codat_sandbox fixture",
    )


@pytest.fixture
def codat_sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    """A running sandbox with a fresh database, stopped after the test."""
    marker = request.node.get_closest_marker("codat_sandbox")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    with SandboxServer(**options) as server:
        yield server
