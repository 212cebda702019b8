"""Timeouts over a real socket: a slow handler, per-call overrides, what is re-sent after one."""

from __future__ import annotations

import time

import pytest
from client_support import (
    BASE,
    COMPANY,
    CONN,
    CONNECTION,
    CUSTOMER,
    CUSTOMER_JSON,
    PUSH_JSON,
    Sequence,
    fast,
    json_response,
)
from pytest_httpserver import HTTPServer
from returns.result import Failure, Success
from werkzeug import Response

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import errors, shared

GET_REQ = {"company_id": COMPANY, "customer_id": CUSTOMER}
GET_PATH = f"{BASE}/data/customers/{CUSTOMER}"


def slow(seconds: float, body: object = CUSTOMER_JSON):
    def respond() -> Response:
        time.sleep(seconds)
        return json_response(body)

    return respond


def test_slow_response_raises_read_timeout(httpserver: HTTPServer, base_url: str) -> None:
    seq = Sequence(slow(1.0))
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    with CodatAccounting(security=shared.Security("k"), server_url=base_url, timeout_ms=200) as s:
        started = time.monotonic()
        with pytest.raises(errors.ReadTimeoutError):
            s.customers.get(request=GET_REQ, retries=None)
        assert time.monotonic() - started < 0.8
    assert seq.count == 1


def test_result_api_returns_read_timeout_failure(httpserver: HTTPServer, base_url: str) -> None:
    httpserver.expect_request(GET_PATH).respond_with_handler(Sequence(slow(1.0)))
    client = CodatCustomers("k", server_url=base_url, timeout_ms=150, retry_config=None)
    outcome = client.get(GET_REQ)
    assert isinstance(outcome, Failure)
    assert type(outcome.failure()) is errors.ReadTimeoutError


def test_per_call_timeout_overrides_a_short_client_default(
    httpserver: HTTPServer, base_url: str
) -> None:
    seq = Sequence(slow(0.4))
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    with CodatAccounting(security=shared.Security("k"), server_url=base_url, timeout_ms=150) as s:
        customer = s.customers.get(request=GET_REQ, retries=None, timeout_ms=3000)
    assert customer.id == CUSTOMER
    assert seq.count == 1


def test_per_call_timeout_overrides_a_long_client_default(
    httpserver: HTTPServer, base_url: str
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_handler(Sequence(slow(1.0)))
    with CodatAccounting(
        security=shared.Security("k"), server_url=base_url, timeout_ms=10_000
    ) as s:
        started = time.monotonic()
        with pytest.raises(errors.ReadTimeoutError):
            s.customers.get(request=GET_REQ, retries=None, timeout_ms=150)
        assert time.monotonic() - started < 0.8


def test_get_is_retried_after_a_read_timeout(httpserver: HTTPServer, base_url: str) -> None:
    seq = Sequence(slow(0.6), lambda: json_response(CUSTOMER_JSON))
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    client = CodatCustomers("k", server_url=base_url, timeout_ms=150)
    outcome = client.get(GET_REQ, retries=fast(2000))
    assert isinstance(outcome, Success)
    assert seq.count == 2


def test_update_is_not_resent_after_a_read_timeout(httpserver: HTTPServer, base_url: str) -> None:
    seq = Sequence(slow(0.6, PUSH_JSON), lambda: json_response(PUSH_JSON))
    httpserver.expect_request(f"{CONN}/push/customers/{CUSTOMER}").respond_with_handler(seq)
    client = CodatAccounting(security=shared.Security("k"), server_url=base_url, timeout_ms=150)
    with pytest.raises(errors.ReadTimeoutError):
        client.customers.update(
            request={
                "company_id": COMPANY,
                "connection_id": CONNECTION,
                "customer_id": CUSTOMER,
                "customer": {"status": "Active"},
            },
            retries=fast(2000),
        )
    client.close()
    assert seq.count == 1


def test_create_is_resent_with_its_key_after_a_read_timeout(
    httpserver: HTTPServer, base_url: str
) -> None:
    seq = Sequence(slow(0.6, PUSH_JSON), lambda: json_response(PUSH_JSON))
    httpserver.expect_request(f"{CONN}/push/customers").respond_with_handler(seq)
    with CodatAccounting(security=shared.Security("k"), server_url=base_url, timeout_ms=150) as s:
        pushed = s.customers.create(
            request={
                "company_id": COMPANY,
                "connection_id": CONNECTION,
                "customer": {"status": "Active"},
            },
            retries=fast(2000),
        )
    assert pushed.status == "Pending"
    assert seq.count == 2
    assert seq.headers[0]["idempotency-key"] == seq.headers[1]["idempotency-key"]
