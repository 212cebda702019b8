"""Fixtures of the CLI tests: one sandbox for the session, shared by every CLI run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cli_support import CUSTOMERS, Cli
from codat_customers.sandbox import SandboxServer


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(customers=CUSTOMERS) as server:
        yield server


@pytest.fixture(scope="session")
def cli(sandbox: SandboxServer) -> Cli:
    return Cli(sandbox)
