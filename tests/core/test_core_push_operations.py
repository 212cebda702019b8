"""The two push-operation reads in the core: built and parsed as
``spec/push-operations.openapi.json`` describes them, validated before any I/O."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from codat_customers.core import (
    GET_PUSH_OPERATION,
    LIST_PUSH_OPERATIONS,
    OPERATIONS,
    PUSH_OPERATIONS,
    ApiError,
    DecodeError,
    HttpResponse,
    PushTimeoutError,
    RequestValidationError,
)
from codat_customers.core.models import PushOperation, PushOperations
from msgspec import UNSET
from returns.result import Failure, Success

SPEC = Path(__file__).resolve().parents[2] / "spec" / "push-operations.openapi.json"
COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
KEY = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
JSON = {"content-type": "application/json"}

PENDING = {
    "companyId": COMPANY,
    "pushOperationKey": KEY,
    "dataConnectionKey": "2e9d2c44-f675-40ba-8049-353bfcb5e171",
    "requestedOnUtc": "2026-01-05T09:00:00Z",
    "status": "Pending",
    "statusCode": 202,
    "dataType": "customers",
}


def _spec_operations() -> dict[str, tuple[str, str]]:
    spec: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))
    return {
        operation["operationId"]: (method.upper(), path)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


def test_the_push_table_covers_exactly_the_push_contract() -> None:
    found = _spec_operations()
    assert sorted(op.id for op in PUSH_OPERATIONS) == sorted(found)
    assert not {op.id for op in PUSH_OPERATIONS} & {op.id for op in OPERATIONS}
    for op in PUSH_OPERATIONS:
        request = {"company_id": COMPANY, "push_operation_key": KEY}
        if op is LIST_PUSH_OPERATIONS:
            request = {"company_id": COMPANY}
        built = op.build(op.coerce(request))
        method, template = found[op.id]
        assert built.method == method and built.path_template == template
        assert built.operation_id == op.id


def test_get_push_operation_builds_its_path() -> None:
    built = GET_PUSH_OPERATION.prepare({"company_id": COMPANY, "push_operation_key": KEY}).unwrap()
    assert built.path == f"/companies/{COMPANY}/push/{KEY}"
    assert built.query == ()
    encoded = GET_PUSH_OPERATION.prepare({"company_id": "a/b", "push_operation_key": "c?d"})
    assert encoded.unwrap().path == "/companies/a%2Fb/push/c%3Fd"


def test_list_push_operations_sends_paging_query_and_order() -> None:
    built = LIST_PUSH_OPERATIONS.prepare(
        {
            "company_id": COMPANY,
            "page": 2,
            "page_size": 50,
            "query": "status=Pending",
            "order_by": "-requestedOnUtc",
        }
    ).unwrap()
    assert built.path == f"/companies/{COMPANY}/push"
    assert built.query == (
        ("page", "2"),
        ("pageSize", "50"),
        ("query", "status=Pending"),
        ("orderBy", "-requestedOnUtc"),
    )


@pytest.mark.parametrize(
    ("op", "request_", "field"),
    [
        (
            GET_PUSH_OPERATION,
            {"company_id": COMPANY, "push_operation_key": " "},
            "push_operation_key",
        ),
        (GET_PUSH_OPERATION, {"company_id": "", "push_operation_key": KEY}, "company_id"),
        (
            GET_PUSH_OPERATION,
            {"company_id": COMPANY, "push_operation_key": ".."},
            "push_operation_key",
        ),
        (GET_PUSH_OPERATION, {"company_id": COMPANY}, "request"),  # a missing key
        (LIST_PUSH_OPERATIONS, {"company_id": COMPANY, "page": 0}, "page"),
        (LIST_PUSH_OPERATIONS, {"company_id": COMPANY, "page_size": 5001}, "page_size"),
        (LIST_PUSH_OPERATIONS, {"company_id": COMPANY, "query": "x" * 2048}, "query"),
        (LIST_PUSH_OPERATIONS, {"company_id": COMPANY, "order_by": 3}, "order_by"),
    ],
)
def test_bad_requests_are_rejected_before_any_io(op: Any, request_: Any, field: str) -> None:
    result = op.prepare(request_)
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, RequestValidationError) and error.field == field


def test_parse_pending_failed_and_timed_out() -> None:
    failed = {
        **PENDING,
        "status": "Failed",
        "statusCode": 400,
        "completedOnUtc": "2026-01-05T09:00:02Z",
        "changes": [],
        "validation": {
            "errors": [
                {"itemId": "customerName", "message": "required", "validatorName": "Required"}
            ],
            "warnings": [],
        },
        "errorMessage": "The customer failed validation; see validation.errors.",
    }
    for body in (PENDING, failed, {**PENDING, "status": "TimedOut", "statusCode": 504}):
        parsed = GET_PUSH_OPERATION.parse(HttpResponse(200, JSON, json.dumps(body).encode()))
        assert isinstance(parsed, Success)
        assert parsed.unwrap().status == body["status"]
    pending = GET_PUSH_OPERATION.parse(HttpResponse(200, JSON, json.dumps(PENDING).encode()))
    assert isinstance(pending.unwrap(), PushOperation)
    assert pending.unwrap().completed_on_utc is UNSET  # absent while Pending


def test_parse_a_page_and_unknown_keys_and_errors() -> None:
    page = {
        "pageNumber": 1,
        "pageSize": 100,
        "totalResults": 1,
        "_links": {"self": {"href": "/x"}, "current": {"href": "/x"}},
        "results": [{**PENDING, "somethingNew": True, "data": {"status": "Active"}}],
    }
    parsed = LIST_PUSH_OPERATIONS.parse(HttpResponse(200, JSON, json.dumps(page).encode()))
    assert isinstance(parsed.unwrap(), PushOperations)
    assert parsed.unwrap().results[0].push_operation_key == KEY  # type: ignore[index]
    not_found = {"statusCode": 404, "service": "PushApi", "error": "Not found"}
    error = GET_PUSH_OPERATION.parse(HttpResponse(404, JSON, json.dumps(not_found).encode()))
    assert isinstance(error.failure(), ApiError) and error.failure().status == 404
    assert 404 in GET_PUSH_OPERATION.error_statuses and 400 in LIST_PUSH_OPERATIONS.error_statuses
    broken = GET_PUSH_OPERATION.parse(HttpResponse(200, JSON, b'{"status":'))
    assert isinstance(broken.failure(), DecodeError)


def test_push_timeout_error_carries_the_key() -> None:
    error = PushTimeoutError(COMPANY, KEY)
    assert error.push_operation_key == KEY and error.company_id == COMPANY and error.last is None
    assert KEY in str(error)
