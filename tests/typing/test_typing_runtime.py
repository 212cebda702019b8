"""What type-checks is what runs: the typed samples at runtime, and mistakes still rejected.

``samples/requests_ok.py`` runs against an in-memory transport on both faces, sync and async,
so every dict shape the TypedDicts allow (enum members and values, nested Structs, tuples)
is one the runtime accepts. The five mistakes of issue 9, which the type checkers flag,
are still rejected at runtime before any byte is sent, with the field named.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from codat_customers.core import HttpRequest, HttpResponse, RequestValidationError
from returns.result import Failure
from typing_support import SAMPLES

from codat_customers import CodatAccounting, CodatCustomers

CUSTOMER = {"id": "C-100", "customerName": "Acme Ltd", "status": "Active"}
PUSH = {
    "companyId": "8a210b68-6988-11ed-a1eb-0242ac120002",
    "pushOperationKey": "4b5a5c1c-5e3a-4c9b-9a0d-8f3c8a1d2e3f",
    "dataConnectionKey": "2e9d2c44-f675-40ba-8049-353bfcb5e171",
    "requestedOnUtc": "2022-10-23T00:00:00Z",
    "status": "Pending",
    "statusCode": 202,
    "data": CUSTOMER,
}
ATTACHMENT = {"id": "8a210b68-6988-11ed-a1eb-0242ac120003", "name": "invoice.pdf"}
ANSWERS: dict[str, object] = {
    "list-customers": {
        "results": [CUSTOMER],
        "pageNumber": 1,
        "pageSize": 100,
        "totalResults": 1,
        "_links": {"self": {"href": "/x"}, "current": {"href": "/x"}},
    },
    "get-customer": CUSTOMER,
    "create-customer": PUSH,
    "update-customer": PUSH,
    "get-create-update-customers-model": {
        "type": "Object",
        "displayName": "Customer",
        "required": True,
    },
    "list-customer-attachments": {"attachments": [ATTACHMENT]},
    "get-customer-attachment": ATTACHMENT,
}


class MemoryTransport:
    """Answers each operation with a fixed body and records what was sent."""

    def __init__(self) -> None:
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest, *, base_url: str, timeout: float | None) -> HttpResponse:
        self.sent.append(request)
        if request.operation_id == "download-customer-attachment":
            return HttpResponse(200, {"content-type": "application/pdf"}, b"%PDF-1.7")
        body = json.dumps(ANSWERS[request.operation_id]).encode()
        return HttpResponse(200, {"content-type": "application/json"}, body)

    def close(self) -> None:
        pass


def load_sample(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"typing_sample_{name}", SAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ok() -> ModuleType:
    return load_sample("requests_ok")


def test_the_correct_samples_run_on_the_seed_face(ok: ModuleType) -> None:
    transport = MemoryTransport()
    with CodatAccounting(security="key", transport=transport, retry_config=None) as s:
        ok.seed_calls(s)
        asyncio.run(ok.seed_async_calls(s))
    sent = {request.operation_id for request in transport.sent}
    assert sent == {*ANSWERS, "download-customer-attachment"}
    created = next(r for r in transport.sent if r.operation_id == "create-customer")
    body = json.loads(created.body or b"")
    assert body["status"] == "Active"
    assert body["addresses"] == [
        {"type": "Billing", "line1": "1 Main St", "postalCode": "N1 9GU"},
        {"type": "Delivery"},
    ]
    assert body["contacts"][0]["phone"][1] == {"number": None, "type": "Fax"}
    assert body["contacts"][0]["address"] == {"type": "Billing", "city": None}
    assert body["supplementalData"] == {"content": {"accounting": {"tier": 2}}}


def test_the_correct_samples_run_on_the_result_face(ok: ModuleType) -> None:
    transport = MemoryTransport()
    with CodatCustomers("key", transport=transport, retry_config=None) as r:
        ok.result_calls(r)
        asyncio.run(ok.result_async_calls(r))
    assert {request.operation_id for request in transport.sent} == {
        *ANSWERS,
        "download-customer-attachment",
    }


COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
MISTAKES: list[tuple[str, dict[str, Any], str]] = [
    ("list", {"company_id": COMPANY, "colour": "red"}, "colour"),
    ("list", {"company_idd": COMPANY}, "company_idd"),
    ("list", {"company_id": COMPANY, "page": "2"}, "page"),
    ("get", {"company_id": COMPANY}, "customer_id"),
    (
        "create",
        {
            "company_id": COMPANY,
            "connection_id": "c",
            "customer": {"status": "Active", "customer_name": 5},
        },
        "customer.customer_name",
    ),
]


@pytest.mark.parametrize(("method", "request_dict", "field"), MISTAKES)
def test_the_flagged_mistakes_are_still_rejected_at_runtime(
    method: str, request_dict: dict[str, Any], field: str
) -> None:
    transport = MemoryTransport()
    with CodatAccounting(security="key", transport=transport) as s:
        call: Callable[..., object] = getattr(s.customers, method)
        with pytest.raises(RequestValidationError) as raised:
            call(request=request_dict)
        result = getattr(s.results, method)(request_dict)
    # Unknown and missing keys are reported on ``request`` with the key in the message.
    assert field in str(raised.value)
    assert isinstance(result, Failure)
    assert str(result.failure()) == str(raised.value)
    assert transport.sent == []
