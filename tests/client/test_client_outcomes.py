"""Issue 10, client side: no unknown outcome while a safe retry exists; what errors carry.

Over a real socket (pytest-httpserver): undecodable answers, caller-chosen idempotency
keys and headers, Retry-After / rate-limit / correlation id on errors, 409 on a re-sent key,
and the per-client retry budget.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate
from typing import Any

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
    error_json,
    fast,
    json_response,
)
from codat_customers.adapters.aiohttp import AiohttpTransport
from codat_customers.adapters.httpx import HttpxAsyncTransport
from codat_customers.core import DecodeError, ReadTimeoutError, RequestValidationError
from codat_customers.plugins import CallContext, RetryBudget, hookimpl
from pytest_httpserver import HTTPServer
from returns.result import Failure, Success
from returns.unsafe import unsafe_perform_io
from werkzeug import Response

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import errors
from codat_customers.utils import BackoffStrategy, RetryConfig

GET_REQ = {"company_id": COMPANY, "customer_id": CUSTOMER}
GET_PATH = f"{BASE}/data/customers/{CUSTOMER}"
CREATE_PATH = f"{CONN}/push/customers"
UPDATE_PATH = f"{CONN}/push/customers/{CUSTOMER}"
CREATE_REQ: dict[str, Any] = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
    "customer": {"customer_name": "New Co", "status": "Active"},
}
UPDATE_REQ: dict[str, Any] = {**CREATE_REQ, "customer_id": CUSTOMER}


def truncated() -> Response:
    """A 200 whose JSON body stops half way (the sandbox's truncate_json fault)."""
    return Response('{"companyId": "8a21', content_type="application/json")


@pytest.fixture
def client(base_url: str) -> CodatCustomers:
    return CodatCustomers("key", server_url=base_url, retry_config=fast())


def test_an_undecodable_answer_to_a_create_is_resent_with_the_same_key(
    httpserver: HTTPServer, client: CodatCustomers
) -> None:
    seq = Sequence(truncated(), json_response(PUSH_JSON))
    httpserver.expect_request(CREATE_PATH, method="POST").respond_with_handler(seq)
    pushed = client.create(CREATE_REQ).unwrap()
    assert pushed.push_operation_key == PUSH_JSON["pushOperationKey"]
    assert seq.count == 2
    assert seq.headers[0]["idempotency-key"] == seq.headers[1]["idempotency-key"]


def test_an_undecodable_answer_to_an_update_is_not_resent_and_says_so(
    httpserver: HTTPServer, sdk: CodatAccounting, client: CodatCustomers
) -> None:
    seq = Sequence(truncated())
    httpserver.expect_request(UPDATE_PATH, method="PUT").respond_with_handler(seq)
    error = client.update(UPDATE_REQ).failure()
    assert isinstance(error, DecodeError)
    assert error.status == 200
    assert error.outcome_unknown is True
    assert error.idempotency_key is None
    assert seq.count == 1
    with pytest.raises(errors.SDKError) as raised:
        sdk.customers.update(request=UPDATE_REQ)
    assert raised.value.outcome_unknown is True
    assert seq.count == 2


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('{"id": 42, "customerName": "Acme"}', "invalid Customer"),  # well formed, not the model
        ('{"id": "C-1", "x": ' + "[" * 5000 + "]" * 5000 + "}", "nests deeper than"),
    ],
    ids=["not-the-model", "too-deep"],
)
def test_a_well_formed_answer_the_parser_refuses_is_final_not_resent(
    httpserver: HTTPServer, client: CodatCustomers, body: str, why: str
) -> None:
    """The same bytes would come back: only a malformed body (cut or damaged) is re-sent."""
    seq = Sequence(Response(body, content_type="application/json"))
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    error = client.get(GET_REQ).failure()
    assert isinstance(error, DecodeError)
    assert error.malformed is False
    assert why in str(error)
    assert seq.count == 1


def test_a_truncated_answer_to_a_get_is_malformed_and_resent(
    httpserver: HTTPServer, client: CodatCustomers
) -> None:
    seq = Sequence(truncated(), json_response(CUSTOMER_JSON))
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    assert client.get(GET_REQ).unwrap().id == CUSTOMER_JSON["id"]
    assert seq.count == 2


def test_when_retries_run_out_the_error_carries_the_key_and_an_unknown_outcome(
    httpserver: HTTPServer, sdk: CodatAccounting, client: CodatCustomers
) -> None:
    seq = Sequence(json_response(error_json(500), status=500))
    httpserver.expect_request(CREATE_PATH, method="POST").respond_with_handler(seq)
    error = client.create(CREATE_REQ, retries=fast(30)).failure()
    assert error.outcome_unknown is True
    assert error.idempotency_key == seq.headers[0]["idempotency-key"]
    assert {h["idempotency-key"] for h in seq.headers} == {error.idempotency_key}
    with pytest.raises(errors.ErrorMessage) as raised:
        sdk.customers.create(request=CREATE_REQ, retries=None)
    assert raised.value.outcome_unknown is True
    assert raised.value.idempotency_key == seq.headers[-1]["idempotency-key"]


@pytest.mark.parametrize("status", [400, 404, 429, 503])
def test_a_write_the_server_refused_has_a_known_outcome(
    httpserver: HTTPServer, client: CodatCustomers, status: int
) -> None:
    httpserver.expect_request(UPDATE_PATH, method="PUT").respond_with_handler(
        Sequence(json_response(error_json(status), status=status))
    )
    error = client.update(UPDATE_REQ, retries=None).failure()
    assert error.outcome_unknown is False


def test_a_caller_chosen_idempotency_key_is_sent_and_reused_on_both_faces(
    httpserver: HTTPServer, sdk: CodatAccounting, client: CodatCustomers
) -> None:
    seq = Sequence(json_response(error_json(503), status=503), json_response(PUSH_JSON))
    httpserver.expect_request(CREATE_PATH, method="POST").respond_with_handler(seq)
    assert isinstance(client.create(CREATE_REQ, idempotency_key="order-42"), Success)
    sdk.customers.create(request=CREATE_REQ, idempotency_key="order-43")

    async def both_async() -> None:
        future = await client.create_async(CREATE_REQ, idempotency_key="order-44")
        assert isinstance(unsafe_perform_io(future), Success)
        await sdk.customers.create_async(request=CREATE_REQ, idempotency_key="order-45")

    asyncio.run(both_async())
    sent = [h["idempotency-key"] for h in seq.headers]
    assert sent == ["order-42", "order-42", "order-43", "order-44", "order-45"]


@pytest.mark.parametrize("key", ["", " leading-space", "x" * 256, "naïve", "a\r\nb", 42])
def test_a_bad_idempotency_key_is_rejected_before_sending(
    httpserver: HTTPServer, client: CodatCustomers, key: Any
) -> None:
    error = client.create(CREATE_REQ, idempotency_key=key).failure()
    assert isinstance(error, RequestValidationError)
    assert error.field == "idempotency_key"
    assert httpserver.log == []


class PluginHeader:
    @hookimpl
    def codat_prepare_request(self, request: Any, context: CallContext) -> dict[str, str]:
        return {"x-tenant": "from-plugin", "x-trace": "plugin"}


def test_per_call_headers_are_sent_and_win_over_plugins(
    httpserver: HTTPServer, base_url: str
) -> None:
    seq = Sequence(json_response(CUSTOMER_JSON))
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    with CodatCustomers("key", server_url=base_url, plugins=[PluginHeader()]) as client:
        client.get(GET_REQ, http_headers={"X-Tenant": "from-call"}).unwrap()
    assert seq.headers[0]["x-tenant"] == "from-call"
    assert seq.headers[0]["x-trace"] == "plugin"


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ({"Bad Name": "v"}, "http_headers"),
        ({"X-Ok": "sk-secret\r\nX-Injected: 1"}, "http_headers.X-Ok"),
        ({"X-Ok": 5}, "http_headers.X-Ok"),
        (["not", "a", "mapping"], "http_headers"),
    ],
)
def test_bad_per_call_headers_are_rejected_without_echoing_values(
    httpserver: HTTPServer, client: CodatCustomers, headers: Any, field: str
) -> None:
    error = client.get(GET_REQ, http_headers=headers).failure()
    assert isinstance(error, RequestValidationError)
    assert error.field == field
    assert "sk-secret" not in str(error)
    assert httpserver.log == []


def test_errors_carry_retry_after_rate_limits_and_the_correlation_id(
    httpserver: HTTPServer, sdk: CodatAccounting, client: CodatCustomers
) -> None:
    body = {**error_json(429), "correlationId": "c0ffee"}
    headers = {
        "Retry-After": "7",
        "X-Rate-Limit-Limit": "1000",
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": "2026-11-26T00:00:00Z",
    }
    httpserver.expect_request(GET_PATH).respond_with_handler(
        Sequence(json_response(body, status=429, headers=headers))
    )
    error = client.get(GET_REQ, retries=None).failure()
    assert error.retry_after == 7
    assert error.rate_limit is not None
    assert (error.rate_limit.limit, error.rate_limit.remaining) == (1000, 0)
    assert error.rate_limit.reset == "2026-11-26T00:00:00Z"
    assert error.correlation_id == "c0ffee"
    with pytest.raises(errors.ErrorMessage) as raised:
        sdk.customers.get(request=GET_REQ, retries=None)
    assert raised.value.retry_after == 7
    assert raised.value.correlation_id == "c0ffee"


def test_retry_after_as_an_http_date_is_given_in_seconds(
    httpserver: HTTPServer, client: CodatCustomers
) -> None:
    later = formatdate(time.time() + 120, usegmt=True)
    httpserver.expect_request(GET_PATH).respond_with_handler(
        Sequence(json_response(error_json(503), status=503, headers={"Retry-After": later}))
    )
    error = client.get(GET_REQ, retries=None).failure()
    assert error.retry_after is not None
    assert 115 <= error.retry_after <= 121


def test_a_409_to_a_resent_create_is_retried_but_not_a_first_one(
    httpserver: HTTPServer, client: CodatCustomers
) -> None:
    in_flight = json_response(error_json(409, "Idempotency key in flight"), status=409)
    seq = Sequence(json_response(error_json(503), status=503), in_flight, json_response(PUSH_JSON))
    httpserver.expect_request(CREATE_PATH, method="POST").respond_with_handler(seq)
    assert isinstance(client.create(CREATE_REQ), Success)
    assert seq.count == 3
    httpserver.clear()
    first = Sequence(in_flight)
    httpserver.expect_request(CREATE_PATH, method="POST").respond_with_handler(first)
    assert isinstance(client.create(CREATE_REQ), Failure)
    assert first.count == 1


def test_the_retry_budget_stops_retries_in_an_outage_and_refills_after(
    httpserver: HTTPServer, base_url: str
) -> None:
    outage = Sequence(json_response(error_json(503), status=503))
    httpserver.expect_request(GET_PATH).respond_with_handler(outage)
    budget = RetryBudget(capacity=20, retry_cost=5, success_refund=5)
    client = CodatCustomers("key", server_url=base_url, retry_config=fast(), retry_budget=budget)
    for _ in range(10):
        assert isinstance(client.get(GET_REQ), Failure)
    # 20 tokens pay for 4 retries in all; every other call made one attempt only.
    assert outage.count == 10 + 4
    assert budget.tokens == 0
    httpserver.clear()
    recovered = Sequence(json_response(CUSTOMER_JSON))
    httpserver.expect_request(GET_PATH).respond_with_handler(recovered)
    assert isinstance(client.get(GET_REQ), Success)
    assert budget.tokens == 5
    client.close()


# --- deadlines: a bound on the whole call ------------------------------------------------


def test_a_deadline_stops_retries(httpserver: HTTPServer, base_url: str) -> None:
    outage = Sequence(json_response(error_json(503), status=503))
    httpserver.expect_request(GET_PATH).respond_with_handler(outage)
    # Waits of 20-40 ms and a minute-long retry budget: only the deadline ends the call.
    retries = RetryConfig("backoff", BackoffStrategy(40, 40, 1.0, 60_000), True)
    with CodatCustomers(
        "key", server_url=base_url, retry_config=retries, retry_budget=None
    ) as client:
        started = time.monotonic()
        error = client.get(GET_REQ, deadline_ms=300).failure()
        took = time.monotonic() - started
    assert error.status == 503
    assert 2 <= outage.count <= 40
    assert took < 2.0  # a behaviour bound (the deadline was honoured), not a speed target


@pytest.fixture
def hanging(httpserver: HTTPServer) -> Iterator[threading.Event]:
    """The server reads the request, then answers only when released."""
    release = threading.Event()
    hung: list[int] = []

    def hang(_: Any) -> Response:
        hung.append(1)
        release.wait(10)
        return json_response(CUSTOMER_JSON)

    httpserver.expect_request(GET_PATH).respond_with_handler(hang)
    yield release
    release.set()
    # The server logs a request once its handler returns: wait for that, or the entries
    # would land in the next test's log.
    deadline = time.monotonic() + 5
    while len(httpserver.log) < len(hung) and time.monotonic() < deadline:
        time.sleep(0.01)


ASYNC_TRANSPORTS: dict[str, Callable[[], Any]] = {
    "threaded": lambda: None,
    "httpx": HttpxAsyncTransport,
    "aiohttp": AiohttpTransport,
}


def test_a_deadline_bounds_a_hanging_sync_call(hanging: threading.Event, base_url: str) -> None:
    with CodatCustomers("key", server_url=base_url, retry_config=fast(5_000)) as client:
        started = time.monotonic()
        error = client.get(GET_REQ, deadline_ms=250).failure()
        took = time.monotonic() - started
    assert isinstance(error, ReadTimeoutError)
    assert took < 2.0


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS)
def test_a_deadline_cancels_a_hanging_async_call(
    hanging: threading.Event, base_url: str, transport: str
) -> None:
    client = CodatCustomers(
        "key",
        server_url=base_url,
        retry_config=fast(5_000),
        async_transport=ASYNC_TRANSPORTS[transport](),
    )

    async def scenario() -> tuple[Any, float]:
        started = time.monotonic()
        outcome = await client.get_async(GET_REQ, deadline_ms=250)
        took = time.monotonic() - started
        await client.aclose()
        return unsafe_perform_io(outcome.failure()), took

    error, took = asyncio.run(scenario())
    assert isinstance(error, ReadTimeoutError)
    assert "deadline" in str(error) or "timed out" in str(error)
    assert took < 2.0


@pytest.mark.parametrize("deadline_ms", [0, -1, float("nan"), "1s"])
def test_a_bad_deadline_is_rejected_by_name(
    httpserver: HTTPServer, client: CodatCustomers, deadline_ms: Any
) -> None:
    error = client.get(GET_REQ, deadline_ms=deadline_ms).failure()
    assert isinstance(error, RequestValidationError)
    assert error.field == "deadline_ms"
    assert httpserver.log == []
