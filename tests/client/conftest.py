"""Fixtures for the over-a-real-socket client tests.

Every test talks to a real HTTP server on 127.0.0.1 (pytest-httpserver, threaded so a
deliberately slow handler never blocks the next request); the transport is never patched.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from client_support import API_KEY, AUTH_VALUE, FAST
from pytest_httpserver import HTTPServer

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import shared


@pytest.fixture(scope="session")
def make_httpserver() -> Iterator[HTTPServer]:
    """One threaded server on 127.0.0.1 for the whole directory (overrides the plugin's)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def base_url(httpserver: HTTPServer) -> str:
    """The server's root URL without a trailing slash."""
    return httpserver.url_for("/").rstrip("/")


@pytest.fixture
def sdk(base_url: str) -> Iterator[CodatAccounting]:
    """The seed-compatible client, authenticated with the ready ``Basic`` header."""
    client = CodatAccounting(
        security=shared.Security(auth_header=AUTH_VALUE), server_url=base_url, retry_config=FAST
    )
    yield client
    client.close()


@pytest.fixture
def results(base_url: str) -> Iterator[CodatCustomers]:
    """The Result-first client, authenticated with the bare API key."""
    client = CodatCustomers(API_KEY, server_url=base_url, retry_config=FAST)
    yield client
    client.close()
