"""Retries over a real socket: Retry-After, 5xx, refused connections, idempotency, updates."""

from __future__ import annotations

import time
import uuid
from email.utils import formatdate

import pytest
from client_support import (
    BASE,
    COMPANY,
    CONN,
    CONNECTION,
    CUSTOMER,
    CUSTOMER_JSON,
    PUSH_JSON,
    AttemptRecorder,
    Sequence,
    error_json,
    fast,
    free_port,
    json_response,
)
from pytest_httpserver import HTTPServer
from returns.result import Failure, Success

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import errors, shared
from codat_customers.utils import BackoffStrategy, RetryConfig

GET_REQ = {"company_id": COMPANY, "customer_id": CUSTOMER}
GET_PATH = f"{BASE}/data/customers/{CUSTOMER}"
CREATE_PATH = f"{CONN}/push/customers"
UPDATE_PATH = f"{CONN}/push/customers/{CUSTOMER}"
UPDATE_REQ = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
    "customer_id": CUSTOMER,
    "customer": {"status": "Active", "customer_name": "Renamed"},
}

# Waits up to 2 s are allowed, so a Retry-After of 1 s is honoured, not capped.
PATIENT = RetryConfig("backoff", BackoffStrategy(1, 2000, 1.5, 5000), True)


def create_req(name: str = "New Co") -> dict[str, object]:
    return {
        "company_id": COMPANY,
        "connection_id": CONNECTION,
        "customer": {"customer_name": name, "status": "Active"},
    }


def err(status: int, headers: dict[str, str] | None = None):
    return lambda: json_response(error_json(status), status, headers)


def ok(body: object = CUSTOMER_JSON):
    return lambda: json_response(body)


# --- Retry-After ---------------------------------------------------------------------


def test_429_with_retry_after_seconds_waits_that_long(
    httpserver: HTTPServer, sdk: CodatAccounting
) -> None:
    seq = Sequence(err(429, {"Retry-After": "1"}), ok())
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    customer = sdk.customers.get(request=GET_REQ, retries=PATIENT)
    assert customer.id == CUSTOMER
    assert seq.count == 2
    gap = seq.arrivals[1] - seq.arrivals[0]
    assert 0.95 <= gap < 1.8, gap


def test_429_with_retry_after_http_date_waits_until_then(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    seq = Sequence(
        lambda: json_response(
            error_json(429), 429, {"Retry-After": formatdate(time.time() + 2, usegmt=True)}
        ),
        ok(),
    )
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    outcome = results.get(GET_REQ, retries=PATIENT)
    assert isinstance(outcome, Success)
    assert seq.count == 2
    gap = seq.arrivals[1] - seq.arrivals[0]
    # The date has one-second resolution: the wait is between 1 and 2 seconds.
    assert 0.95 <= gap < 2.6, gap


def test_retry_after_is_capped_by_max_interval(
    httpserver: HTTPServer, sdk: CodatAccounting
) -> None:
    seq = Sequence(err(429, {"Retry-After": "30"}), ok())
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    started = time.monotonic()
    sdk.customers.get(request=GET_REQ, retries=fast(2000, max_interval=50))
    assert seq.count == 2
    assert time.monotonic() - started < 1.0


def test_429_is_not_retried_past_the_time_budget(
    httpserver: HTTPServer, sdk: CodatAccounting
) -> None:
    # A 1 s Retry-After does not fit in a 300 ms budget: give up at once, with the 429.
    seq = Sequence(err(429, {"Retry-After": "1"}))
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    with pytest.raises(errors.ErrorMessage) as info:
        sdk.customers.get(
            request=GET_REQ,
            retries=RetryConfig("backoff", BackoffStrategy(1, 2000, 1.5, 300), True),
        )
    assert info.value.status_code == 429
    assert seq.count == 1


# --- statuses --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_get_is_retried_on_retryable_statuses(
    httpserver: HTTPServer, sdk: CodatAccounting, status: int
) -> None:
    seq = Sequence(err(status), err(status), ok())
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    assert sdk.customers.get(request=GET_REQ).id == CUSTOMER
    assert seq.count == 3


@pytest.mark.parametrize("status", [400, 401, 404, 409])
def test_client_errors_are_not_retried(
    httpserver: HTTPServer, sdk: CodatAccounting, status: int
) -> None:
    seq = Sequence(err(status), ok())
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    with pytest.raises(errors.CodatError):
        sdk.customers.get(request=GET_REQ)
    assert seq.count == 1


def test_retries_none_disables_retrying(
    httpserver: HTTPServer, sdk: CodatAccounting, results: CodatCustomers
) -> None:
    seq = Sequence(err(503))
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    with pytest.raises(errors.ErrorMessage) as info:
        sdk.customers.get(request=GET_REQ, retries=None)
    assert info.value.status_code == 503
    assert seq.count == 1
    outcome = results.get(GET_REQ, retries=None)
    assert isinstance(outcome, Failure)
    assert outcome.failure().status == 503
    assert seq.count == 2


def test_client_default_retry_config_none_and_strategy_none(
    httpserver: HTTPServer, base_url: str
) -> None:
    seq = Sequence(err(503))
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    with CodatAccounting(
        security=shared.Security("k"), server_url=base_url, retry_config=None
    ) as s:
        with pytest.raises(errors.ErrorMessage):
            s.customers.get(request=GET_REQ)
        with pytest.raises(errors.ErrorMessage):
            s.customers.get(request=GET_REQ, retries=RetryConfig("none"))
    assert seq.count == 2
    # ...and a per-call config re-enables retries on a client whose default is off.
    seq2 = Sequence(err(503), ok())
    httpserver.clear_all_handlers()
    httpserver.expect_request(GET_PATH).respond_with_handler(seq2)
    with CodatAccounting(
        security=shared.Security("k"), server_url=base_url, retry_config=None
    ) as s:
        assert s.customers.get(request=GET_REQ, retries=fast()).id == CUSTOMER
    assert seq2.count == 2


# --- connection refused ----------------------------------------------------------------


def test_connection_refused_is_retried_then_raises_connect_error() -> None:
    recorder = AttemptRecorder()
    url = f"http://127.0.0.1:{free_port()}"
    with CodatAccounting(
        security=shared.Security("k"), server_url=url, retry_config=fast(300)
    ) as s:
        s.register_plugin(recorder)
        started = time.monotonic()
        with pytest.raises(errors.ConnectError):
            s.customers.get(request=GET_REQ)
        assert time.monotonic() - started < 2.0
    assert len(recorder.attempts) >= 3
    assert [a for a, _, _ in recorder.attempts] == list(range(1, len(recorder.attempts) + 1))
    assert {(status, error) for _, status, error in recorder.attempts} == {
        (None, errors.ConnectError)
    }


@pytest.mark.parametrize(
    "retries", [None, fast(300, connection_errors=False)], ids=["retries-none", "no-conn-retries"]
)
def test_connection_refused_without_connection_retries_is_one_attempt(
    retries: RetryConfig | None,
) -> None:
    recorder = AttemptRecorder()
    url = f"http://127.0.0.1:{free_port()}"
    client = CodatCustomers("k", server_url=url)
    client.register_plugin(recorder)
    outcome = client.get(GET_REQ, retries=retries)
    assert isinstance(outcome, Failure)
    assert isinstance(outcome.failure(), errors.ConnectError)
    assert len(recorder.attempts) == 1


def test_update_is_resent_after_connection_refused_until_the_server_comes_up() -> None:
    port = free_port()
    server = HTTPServer(host="127.0.0.1", port=port)
    seq = Sequence(lambda: json_response(PUSH_JSON))
    server.expect_request(UPDATE_PATH, method="PUT").respond_with_handler(seq)

    def start_on_third(attempt: int) -> None:
        if attempt == 2:
            server.start()

    recorder = AttemptRecorder(on_attempt=start_on_third)
    try:
        with CodatAccounting(
            security=shared.Security("k"), server_url=f"http://127.0.0.1:{port}"
        ) as s:
            s.register_plugin(recorder)
            pushed = s.customers.update(request=UPDATE_REQ, retries=fast(2000))
    finally:
        if server.is_running():
            server.stop()
    assert pushed.push_operation_key == PUSH_JSON["pushOperationKey"]
    assert [error for _, _, error in recorder.attempts[:2]] == [errors.ConnectError] * 2
    assert recorder.attempts[-1][1] == 200
    assert seq.count == 1


# --- idempotency -----------------------------------------------------------------------


def test_create_sends_one_idempotency_key_on_every_attempt(
    httpserver: HTTPServer, sdk: CodatAccounting
) -> None:
    seq = Sequence(err(503), err(503), ok(PUSH_JSON))
    httpserver.expect_request(CREATE_PATH, method="POST").respond_with_handler(seq)
    pushed = sdk.customers.create(request=create_req())
    assert pushed.status == "Pending"
    assert seq.count == 3
    keys = [h.get("idempotency-key") for h in seq.headers]
    assert keys[0] is not None
    assert uuid.UUID(keys[0]).version == 4
    assert keys == [keys[0]] * 3
    assert seq.bodies == [seq.bodies[0]] * 3

    # A second logical create gets a new key.
    sdk.customers.create(request=create_req())
    assert seq.count == 4
    assert seq.headers[3]["idempotency-key"] != keys[0]
    uuid.UUID(seq.headers[3]["idempotency-key"])


@pytest.mark.parametrize("first", [429, 500])
def test_create_is_retried_with_the_same_key_on_429_and_500(
    httpserver: HTTPServer, results: CodatCustomers, first: int
) -> None:
    # With its key, a re-sent create is replayed by Codat, never duplicated.
    seq = Sequence(err(first), ok(PUSH_JSON))
    httpserver.expect_request(CREATE_PATH, method="POST").respond_with_handler(seq)
    assert isinstance(results.create(create_req()), Success)
    assert seq.count == 2
    assert seq.headers[0]["idempotency-key"] == seq.headers[1]["idempotency-key"]


def test_concurrent_creates_never_share_a_key(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    seq = Sequence(ok(PUSH_JSON))
    httpserver.expect_request(CREATE_PATH, method="POST").respond_with_handler(seq)
    for index in range(5):
        assert isinstance(results.create(create_req(f"Co {index}")), Success)
    keys = {h["idempotency-key"] for h in seq.headers}
    assert len(keys) == 5


# --- update: never a blind re-send -----------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 504])
def test_update_is_not_resent_after_a_failure_that_may_have_been_processed(
    httpserver: HTTPServer, sdk: CodatAccounting, results: CodatCustomers, status: int
) -> None:
    seq = Sequence(err(status))
    httpserver.expect_request(UPDATE_PATH, method="PUT").respond_with_handler(seq)
    with pytest.raises(errors.CodatError) as info:
        sdk.customers.update(request=UPDATE_REQ)
    assert info.value.status_code == status
    assert seq.count == 1
    assert "idempotency-key" not in seq.headers[0]

    outcome = results.update(UPDATE_REQ)
    assert isinstance(outcome, Failure)
    assert outcome.failure().status == status
    assert seq.count == 2  # one request per call, never a second attempt


@pytest.mark.parametrize("status", [503, 429, 408])
def test_update_is_resent_after_503_429_and_408(
    httpserver: HTTPServer, sdk: CodatAccounting, status: int
) -> None:
    seq = Sequence(err(status), ok(PUSH_JSON))
    httpserver.expect_request(UPDATE_PATH, method="PUT").respond_with_handler(seq)
    pushed = sdk.customers.update(request=UPDATE_REQ)
    assert pushed.push_operation_key == PUSH_JSON["pushOperationKey"]
    assert seq.count == 2
    assert seq.bodies[0] == seq.bodies[1]
