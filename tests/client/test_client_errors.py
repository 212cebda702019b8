"""Error responses over a real socket: exceptions of the seed client, Failures of the Result API."""

from __future__ import annotations

import pytest
from client_support import (
    ATTACHMENT,
    BASE,
    COMPANY,
    CONN,
    CONNECTION,
    CUSTOMER,
    error_json,
    fast,
)
from pytest_httpserver import HTTPServer
from returns.result import Failure

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import errors

GET_REQ = {"company_id": COMPANY, "customer_id": CUSTOMER}
GET_PATH = f"{BASE}/data/customers/{CUSTOMER}"
CREATE_REQ = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
    "customer": {"customer_name": "X", "status": "Active"},
}
DOWNLOAD_REQ = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
    "customer_id": CUSTOMER,
    "attachment_id": ATTACHMENT,
}
DOWNLOAD_PATH = f"{CONN}/data/customers/{CUSTOMER}/attachments/{ATTACHMENT}/download"


@pytest.mark.parametrize(
    ("operation", "request_", "path", "status", "message"),
    [
        ("list", {"company_id": COMPANY}, f"{BASE}/data/customers", 400, "Malformed query."),
        ("list", {"company_id": COMPANY}, f"{BASE}/data/customers", 409, "Not requested."),
        ("get", GET_REQ, GET_PATH, 401, "Unauthorized"),
        ("get", GET_REQ, GET_PATH, 402, "Company limit exceeded"),
        ("get", GET_REQ, GET_PATH, 403, "Forbidden"),
        ("get", GET_REQ, GET_PATH, 404, "No company was found"),
        ("create", CREATE_REQ, f"{CONN}/push/customers", 400, "not valid."),
        ("download_attachment", DOWNLOAD_REQ, DOWNLOAD_PATH, 404, "No data available"),
    ],
)
def test_documented_error_status_raises_error_message_with_data(
    httpserver: HTTPServer,
    sdk: CodatAccounting,
    results: CodatCustomers,
    operation: str,
    request_: dict[str, object],
    path: str,
    status: int,
    message: str,
) -> None:
    httpserver.expect_request(path).respond_with_json(error_json(status, message), status=status)

    with pytest.raises(errors.ErrorMessage) as info:
        getattr(sdk.customers, operation)(request=request_, retries=None)
    raised = info.value
    assert raised.status_code == status
    assert raised.data.status_code == status
    assert raised.data.error == message
    assert raised.data.service == "PublicApi"
    assert raised.data.can_be_retried == "Unknown"
    assert raised.raw_response is not None
    assert raised.raw_response.status == status
    assert message in str(raised)

    outcome = getattr(results, operation)(request_, retries=None)
    assert isinstance(outcome, Failure)
    failure = outcome.failure()
    assert type(failure) is errors.ApiError
    assert failure.status == status
    assert failure.error_message.error == message
    assert len(httpserver.log) == 2


def test_documented_429_and_5xx_raise_error_message_once_retries_are_exhausted(
    httpserver: HTTPServer, sdk: CodatAccounting
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(error_json(503, "Down"), status=503)
    with pytest.raises(errors.ErrorMessage) as info:
        sdk.customers.get(request=GET_REQ, retries=fast(200))
    assert info.value.status_code == 503
    assert len(httpserver.log) > 1


def test_undocumented_4xx_raises_sdk_error(
    httpserver: HTTPServer, sdk: CodatAccounting, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(
        error_json(418, "I'm a teapot"), status=418
    )
    with pytest.raises(errors.SDKError) as info:
        sdk.customers.get(request=GET_REQ)
    raised = info.value
    assert not isinstance(raised, errors.ErrorMessage)
    assert raised.status_code == 418
    assert "I'm a teapot" in raised.body
    assert raised.raw_response is not None
    assert raised.raw_response.status == 418
    assert "Status 418" in str(raised)
    assert len(httpserver.log) == 1  # 418 is not retryable

    # The Result API keeps the parsed body: it is an ApiError, just not a documented one.
    outcome = results.get(GET_REQ)
    assert isinstance(outcome, Failure)
    assert type(outcome.failure()) is errors.ApiError
    assert outcome.failure().status == 418


def test_undocumented_plain_text_4xx_is_unexpected_response(
    httpserver: HTTPServer, sdk: CodatAccounting, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data(
        "Method not allowed", status=405, content_type="text/plain"
    )
    with pytest.raises(errors.SDKError) as info:
        sdk.customers.get(request=GET_REQ)
    assert info.value.status_code == 405
    assert info.value.body == "Method not allowed"
    outcome = results.get(GET_REQ)
    assert isinstance(outcome, Failure)
    assert type(outcome.failure()) is errors.UnexpectedResponseError


HTML_502 = "<html><body><h1>502 Bad Gateway</h1></body></html>"


def test_html_502_raises_sdk_error_with_status_and_body(
    httpserver: HTTPServer, sdk: CodatAccounting, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data(
        HTML_502, status=502, content_type="text/html"
    )
    with pytest.raises(errors.SDKError) as info:
        sdk.customers.get(request=GET_REQ, retries=None)
    assert info.value.status_code == 502
    assert info.value.body == HTML_502
    assert info.value.raw_response.headers["content-type"].startswith("text/html")

    outcome = results.get(GET_REQ, retries=None)
    assert isinstance(outcome, Failure)
    failure = outcome.failure()
    assert type(failure) is errors.UnexpectedResponseError
    assert failure.status == 502
    assert failure.content_type == "text/html"
    assert "502 Bad Gateway" in failure.body_excerpt
    assert len(httpserver.log) == 2


def test_truncated_json_success_body(
    httpserver: HTTPServer, sdk: CodatAccounting, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data(
        '{"id": "C-100", "customerName": "Kel', content_type="application/json"
    )
    with pytest.raises(errors.SDKError) as info:
        sdk.customers.get(request=GET_REQ, retries=None)
    assert info.value.status_code == 200
    assert info.value.body == '{"id": "C-100", "customerName": "Kel'
    assert len(httpserver.log) == 1

    # A read is safe to repeat, so an unreadable answer is re-sent until the policy gives up;
    # the error is still the decode failure, with status and body.
    outcome = results.get(GET_REQ)
    assert isinstance(outcome, Failure)
    failure = outcome.failure()
    assert type(failure) is errors.DecodeError
    assert failure.status == 200
    assert failure.outcome_unknown is False  # a read has no outcome to be unsure of
    assert len(httpserver.log) > 2


def test_wrong_types_in_success_body_are_a_decode_error(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json({"status": "Active", "id": 42})
    outcome = results.get(GET_REQ)
    assert isinstance(outcome, Failure)
    assert type(outcome.failure()) is errors.DecodeError


def test_truncated_json_error_body(
    httpserver: HTTPServer, sdk: CodatAccounting, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data(
        '{"statusCode": 404, "err', status=404, content_type="application/json"
    )
    with pytest.raises(errors.SDKError) as info:
        sdk.customers.get(request=GET_REQ)
    assert not isinstance(info.value, errors.ErrorMessage)
    assert info.value.status_code == 404
    outcome = results.get(GET_REQ)
    assert isinstance(outcome, Failure)
    assert type(outcome.failure()) is errors.DecodeError
    assert outcome.failure().status == 404


def test_success_with_html_body_is_unexpected(
    httpserver: HTTPServer, sdk: CodatAccounting, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data(
        "<html>login</html>", content_type="text/html"
    )
    with pytest.raises(errors.SDKError) as info:
        sdk.customers.get(request=GET_REQ)
    assert info.value.status_code == 200
    assert info.value.body == "<html>login</html>"
    outcome = results.get(GET_REQ)
    assert isinstance(outcome, Failure)
    assert type(outcome.failure()) is errors.UnexpectedResponseError


def test_every_raised_error_is_a_codat_error(httpserver: HTTPServer, sdk: CodatAccounting) -> None:
    httpserver.expect_request(GET_PATH).respond_with_data("x", status=418)
    with pytest.raises(errors.CodatError):
        sdk.customers.get(request=GET_REQ)
