"""A malformed credential is rejected before any byte is sent, without echoing it."""

from __future__ import annotations

import pytest
from codat_customers.adapters.stdlib import StdlibTransport
from codat_customers.core import RequestValidationError
from pytest_httpserver import HTTPServer
from returns.result import Failure

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import shared

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
SECRET = "c2stdGVzdC1zZWNyZXQ"
BAD_CREDENTIALS = [
    f"Basic {SECRET}\r\nX-Injected: 1",  # e.g. base64.encodebytes() output pasted in
    f"Basic {SECRET}\u2019",  # a typographic quote copied along with the key
]


@pytest.mark.parametrize("credential", BAD_CREDENTIALS)
def test_bad_static_credential_fails_at_construction(credential: str) -> None:
    with pytest.raises(ValueError) as caught:
        CodatAccounting(security=shared.Security(auth_header=credential))
    assert SECRET not in str(caught.value)
    assert "security" in str(caught.value)


@pytest.mark.parametrize("credential", BAD_CREDENTIALS)
@pytest.mark.parametrize("stdlib", [False, True])
def test_bad_rotating_credential_is_a_validation_failure_not_a_leak(
    httpserver: HTTPServer, credential: str, stdlib: bool
) -> None:
    transport = StdlibTransport() if stdlib else None
    with CodatCustomers(
        lambda: credential,
        server_url=httpserver.url_for("/").rstrip("/"),
        retry_config=None,
        transport=transport,
    ) as client:
        result = client.list({"company_id": COMPANY})
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, RequestValidationError)
    assert error.field == "security"
    assert SECRET not in str(error)
    assert httpserver.log == []
