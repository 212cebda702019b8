"""The API key and its Authorization value never appear in logs, reprs or error messages."""

from __future__ import annotations

import logging
import time
import traceback

import pytest
from client_support import (
    API_KEY,
    ATTACHMENT,
    AUTH_B64,
    AUTH_VALUE,
    BASE,
    COMPANY,
    CONN,
    CONNECTION,
    CUSTOMER,
    CUSTOMER_JSON,
    PUSH_JSON,
    AttemptRecorder,
    Sequence,
    customers_page,
    error_json,
    fast,
    free_port,
    json_response,
    serve_download,
)
from codat_customers.core import HttpResponse
from codat_customers.plugins import AuthPlugin
from pytest_httpserver import HTTPServer
from returns.result import Failure
from werkzeug import Response

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import errors, shared

SECRETS = (API_KEY, AUTH_B64, AUTH_VALUE)
GET_REQ = {"company_id": COMPANY, "customer_id": CUSTOMER}
GET_PATH = f"{BASE}/data/customers/{CUSTOMER}"
CREATE_REQ = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
    "customer": {"status": "Active"},
}


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    # The key's distinctive tail must not leak either (no partial redaction).
    assert API_KEY[-12:] not in text


def slow_customer() -> Response:
    time.sleep(0.5)
    return json_response(CUSTOMER_JSON)


def test_debug_logs_never_contain_the_credential(
    httpserver: HTTPServer, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="codat_customers")
    httpserver.expect_request(GET_PATH).respond_with_handler(
        Sequence(
            lambda: json_response(error_json(503), 503),  # retried
            lambda: json_response(error_json(429), 429, {"Retry-After": "0"}),  # retried
            lambda: json_response(CUSTOMER_JSON),  # success
            lambda: json_response(error_json(404), 404),  # documented error
            lambda: json_response(error_json(418), 418),  # undocumented error
            slow_customer,  # timeout
        )
    )
    httpserver.expect_request(f"{BASE}/data/customers").respond_with_json(
        customers_page([CUSTOMER_JSON])
    )
    httpserver.expect_request(f"{CONN}/push/customers").respond_with_json(PUSH_JSON)
    serve_download(httpserver, 64 * 1024)

    recorder = AttemptRecorder()
    seed = CodatAccounting(
        security=shared.Security(auth_header=AUTH_VALUE), server_url=base_url, retry_config=fast()
    )
    seed.register_plugin(recorder)
    results = CodatCustomers(API_KEY, server_url=base_url, retry_config=fast())
    raised: list[BaseException] = []

    assert seed.customers.get(request=GET_REQ).id == CUSTOMER  # 503, 429, 200
    for call in (
        lambda: seed.customers.get(request=GET_REQ),  # 404
        lambda: seed.customers.get(request=GET_REQ),  # 418
        lambda: seed.customers.get(request=GET_REQ, timeout_ms=100, retries=None),
        lambda: seed.customers.get(
            request=GET_REQ, server_url=f"http://127.0.0.1:{free_port()}", retries=fast(50)
        ),
    ):
        with pytest.raises(errors.CodatError) as info:
            call()
        raised.append(info.value)
    results.list({"company_id": COMPANY, "query": "emailAddress=" + API_KEY[:3]})
    results.create(CREATE_REQ)
    download = results.download_attachment(
        {
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": CUSTOMER,
            "attachment_id": ATTACHMENT,
        }
    ).unwrap()
    assert len(download.read()) == 64 * 1024
    failure = results.get(GET_REQ, server_url=f"http://127.0.0.1:{free_port()}", retries=None)
    assert isinstance(failure, Failure)

    # The logs are really there: one line per attempt, warnings for the failures.
    ours = [r for r in caplog.records if r.name == "codat_customers"]
    assert len(ours) >= len(recorder.attempts) + 4
    assert any(r.levelno == logging.DEBUG for r in ours)
    assert any(r.levelno == logging.WARNING and "503" in r.getMessage() for r in ours)
    assert any("ReadTimeoutError" in r.getMessage() for r in ours)
    assert any("ConnectError" in r.getMessage() for r in ours)
    assert type(raised[2]) is errors.ReadTimeoutError

    # ...and the requests that were logged did carry the credential.
    assert recorder.requests[0].header("authorization") == AUTH_VALUE

    assert_no_secret(caplog.text)
    for record in caplog.records:
        assert_no_secret(record.getMessage())
        assert_no_secret(repr(record.args))
        assert_no_secret(repr(vars(record)))
    for exc in [*raised, failure.failure()]:
        assert_no_secret(str(exc))
        assert_no_secret(repr(exc))
        assert_no_secret("".join(traceback.format_exception(exc)))
        assert_no_secret(repr(exc.__cause__))
    seed.close()
    results.close()


def test_reprs_never_contain_the_credential(httpserver: HTTPServer, base_url: str) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(error_json(404), status=404)
    recorder = AttemptRecorder()
    security = shared.Security(auth_header=AUTH_VALUE)
    seed = CodatAccounting(security=security, server_url=base_url)
    seed.register_plugin(recorder)
    results = CodatCustomers(API_KEY, server_url=base_url)

    with pytest.raises(errors.ErrorMessage) as info:
        seed.customers.get(request=GET_REQ)
    outcome = results.get(GET_REQ)
    sent = recorder.requests[0]
    assert sent.header("authorization") == AUTH_VALUE  # the object does hold it...

    texts = [
        repr(seed),
        str(seed),
        repr(seed.results),
        str(seed.results),
        repr(results),
        repr(security),
        str(security),
        repr(AuthPlugin(API_KEY)),
        repr(AuthPlugin(AUTH_VALUE)),
        repr(seed.results.plugin_manager.get_plugins()),
        repr(sent),  # ...but never shows it
        str(sent),
        repr(HttpResponse(404, {}, b"")),
        repr(seed.results.context("get-customer")),
        str(info.value),
        repr(info.value),
        repr(outcome),
        str(outcome.failure()),
    ]
    for text in texts:
        assert_no_secret(text)
    assert "authorization" in repr(sent)  # the header's name is shown, not its value
    seed.close()
