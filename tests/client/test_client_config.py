"""Server URL resolution, per-call server_url, and a user plugin registered with one call."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from client_support import (
    BASE,
    COMPANY,
    CONN,
    CONNECTION,
    CUSTOMER,
    CUSTOMER_JSON,
    PUSH_JSON,
    free_port,
)
from codat_customers.core import HttpRequest
from codat_customers.plugins import CallContext, hookimpl
from pytest_httpserver import HTTPServer
from returns.result import Success

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import shared

GET_REQ = {"company_id": COMPANY, "customer_id": CUSTOMER}
GET_PATH = f"{BASE}/data/customers/{CUSTOMER}"


def test_explicit_server_url_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODAT_SERVER_URL", "http://from-env.invalid")
    s = CodatAccounting(security=shared.Security("k"), server_url="http://explicit.invalid")
    assert s.results.server_url == "http://explicit.invalid"
    assert CodatCustomers("k", server_url="http://explicit.invalid").server_url == (
        "http://explicit.invalid"
    )


def test_server_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODAT_SERVER_URL", "http://from-env.invalid")
    assert CodatAccounting(security=shared.Security("k")).results.server_url == (
        "http://from-env.invalid"
    )
    assert CodatCustomers("k").server_url == "http://from-env.invalid"


def test_server_url_defaults_to_codat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODAT_SERVER_URL", raising=False)
    assert CodatAccounting(security=shared.Security("k")).results.server_url == (
        "https://api.codat.io"
    )
    assert CodatCustomers("k").server_url == "https://api.codat.io"


def test_environment_server_url_is_used_on_the_wire(
    httpserver: HTTPServer, base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODAT_SERVER_URL", base_url)
    httpserver.expect_request(GET_PATH).respond_with_json(CUSTOMER_JSON)
    with CodatAccounting(security=shared.Security("k")) as s:
        assert s.customers.get(request=GET_REQ).id == CUSTOMER
    assert len(httpserver.log) == 1


def test_per_call_server_url_overrides_the_clients(httpserver: HTTPServer, base_url: str) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(CUSTOMER_JSON)
    dead = f"http://127.0.0.1:{free_port()}"
    with CodatAccounting(security=shared.Security("k"), server_url=dead, retry_config=None) as s:
        assert s.customers.get(request=GET_REQ, server_url=base_url).id == CUSTOMER
    assert len(httpserver.log) == 1


class TraceHeader:
    """A user plugin: one header on every request, and a record of what it saw."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    @hookimpl
    def codat_prepare_request(
        self, request: HttpRequest, context: CallContext
    ) -> Mapping[str, str] | None:
        self.seen.append((context.operation_id, request.method))
        return {"X-Trace-Id": f"trace-{len(self.seen)}"}


def test_user_plugin_registered_with_one_call_adds_a_header(
    httpserver: HTTPServer, sdk: CodatAccounting, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(CUSTOMER_JSON)
    httpserver.expect_request(f"{CONN}/push/customers").respond_with_json(PUSH_JSON)
    plugin = TraceHeader()
    sdk.register_plugin(plugin)
    sdk.customers.get(request=GET_REQ)
    sdk.customers.create(
        request={
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer": {"status": "Active"},
        }
    )
    other = TraceHeader()
    results.register_plugin(other)
    assert isinstance(results.get(GET_REQ), Success)

    sent = [request.headers.get("X-Trace-Id") for request, _ in httpserver.log]
    assert sent == ["trace-1", "trace-2", "trace-1"]
    assert plugin.seen == [("get-customer", "GET"), ("create-customer", "POST")]
    # The plugin's header joins the built-in ones; it does not replace them.
    create_request = httpserver.log[1][0]
    assert create_request.headers["Authorization"].startswith("Basic ")
    assert create_request.headers["Idempotency-Key"]


def test_plugins_passed_at_construction_run_too(httpserver: HTTPServer, base_url: str) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(CUSTOMER_JSON)
    client = CodatCustomers("k", server_url=base_url, plugins=[TraceHeader()])
    client.get(GET_REQ)
    assert httpserver.log[0][0].headers["X-Trace-Id"] == "trace-1"


class OverrideAuth:
    @hookimpl(tryfirst=True)
    def codat_prepare_request(
        self, request: HttpRequest, context: CallContext
    ) -> Mapping[str, str] | None:
        return {"Authorization": "Bearer delegated"}


def test_a_tryfirst_plugin_wins_a_header_conflict(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(CUSTOMER_JSON)
    results.register_plugin(OverrideAuth())
    results.get(GET_REQ)
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer delegated"
