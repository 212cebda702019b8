"""Many quick retries must not overflow the backoff arithmetic."""

from __future__ import annotations

import json

from pytest_httpserver import HTTPServer
from returns.result import Success
from werkzeug import Request, Response

from codat_customers import CodatCustomers
from codat_customers.utils import BackoffStrategy, RetryConfig

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CUSTOMER = {"id": "C-1", "status": "Active", "customerName": "Acme"}


def test_long_run_of_retry_after_zero_does_not_overflow(httpserver: HTTPServer) -> None:
    # 100 ** (attempt - 1) no longer fits a float from attempt 156 on; Retry-After: 0 lets a
    # call reach that many attempts in well under its max elapsed time.
    attempts = 0

    def handler(request: Request) -> Response:
        nonlocal attempts
        attempts += 1
        if attempts <= 200:
            return Response("busy", status=503, headers={"Retry-After": "0"})
        return Response(json.dumps(CUSTOMER), content_type="application/json")

    httpserver.expect_request(f"/companies/{COMPANY}/data/customers/C-1").respond_with_handler(
        handler
    )
    retry = RetryConfig("backoff", BackoffStrategy(1, 10, 100.0, 60_000), True)
    with CodatCustomers(
        "key",
        server_url=httpserver.url_for("/").rstrip("/"),
        retry_config=retry,
        retry_budget=None,  # 200 retries are more than a client's budget allows
    ) as client:
        result = client.get({"company_id": COMPANY, "customer_id": "C-1"})
    assert isinstance(result, Success), result
    assert attempts == 201
