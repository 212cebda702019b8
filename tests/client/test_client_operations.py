"""Every operation, through both clients, with dict and struct requests, over a real socket."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from client_support import (
    API_KEY,
    ATTACHMENT,
    ATTACHMENT_JSON,
    AUTH_VALUE,
    BASE,
    COMPANY,
    CONN,
    CONNECTION,
    CUSTOMER,
    CUSTOMER_JSON,
    PUSH_JSON,
    PUSH_OPTION_JSON,
    customers_page,
)
from pytest_httpserver import HTTPServer
from returns.result import Failure, Success
from werkzeug import Request

from codat_customers import AttachmentDownload, CodatAccounting, CodatCustomers
from codat_customers.models import errors, operations, shared

ATTACHMENT_BYTES = b"%PDF-1.4 \x00\x01\x02 attachment bytes"


@dataclass
class Case:
    """One operation: the request in both forms, what the server must see, what it returns."""

    name: str
    as_dict: dict[str, Any]
    as_struct: Any
    method: str
    path: str
    query: dict[str, str]
    reply: Any  # JSON-able body, or bytes for the download
    body: Any = None  # expected JSON body, or None for no body
    check: Callable[[Any], None] = field(default=lambda value: None)


def _check_list(value: Any) -> None:
    assert isinstance(value, shared.Customers)
    assert value.page_number == 2
    assert value.results[0].customer_name == "Kelly's Industrial Supplies"
    assert value.results[0].addresses[0].postal_code == "N1"
    assert value.results[0].source_modified_date is None


def _check_customer(value: Any) -> None:
    assert isinstance(value, shared.Customer)
    assert value.id == CUSTOMER
    assert value.metadata.is_deleted is False


def _check_push(kind: type) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        assert isinstance(value, kind)
        assert value.push_operation_key == PUSH_JSON["pushOperationKey"]
        assert value.status_code == 202
        assert value.timeout_in_minutes == 5

    return check


def _check_push_option(value: Any) -> None:
    assert isinstance(value, shared.PushOption)
    prop = value.properties["customerName"]
    assert prop.required is True
    assert prop.validation.warnings[0].details == "Max 50."


def _check_attachments(value: Any) -> None:
    assert isinstance(value, shared.AttachmentsDataset)
    assert [a.id for a in value.attachments] == [ATTACHMENT]


def _check_attachment(value: Any) -> None:
    assert isinstance(value, shared.Attachment)
    assert value.file_size == 12
    assert value.content_type == "application/pdf"


def _check_download(value: Any) -> None:
    assert isinstance(value, AttachmentDownload)
    with value:
        assert value.status_code == 200
        assert value.headers["Content-Type"] == "application/octet-stream"
        assert b"".join(value.iter_bytes(8)) == ATTACHMENT_BYTES


ATT = f"{CONN}/data/customers/{CUSTOMER}/attachments"

CASES = [
    Case(
        "list",
        {
            "company_id": COMPANY,
            "page": 2,
            "page_size": 50,
            "query": "metadata.isDeleted!=true",
            "order_by": "-modifiedDate",
        },
        operations.ListCustomersRequest(
            company_id=COMPANY,
            page=2,
            page_size=50,
            query="metadata.isDeleted!=true",
            order_by="-modifiedDate",
        ),
        "GET",
        f"{BASE}/data/customers",
        {
            "page": "2",
            "pageSize": "50",
            "query": "metadata.isDeleted!=true",
            "orderBy": "-modifiedDate",
        },
        customers_page([CUSTOMER_JSON], page=2, size=50, total=51),
        check=_check_list,
    ),
    Case(
        "get",
        {"company_id": COMPANY, "customer_id": CUSTOMER},
        operations.GetCustomerRequest(company_id=COMPANY, customer_id=CUSTOMER),
        "GET",
        f"{BASE}/data/customers/{CUSTOMER}",
        {},
        CUSTOMER_JSON,
        check=_check_customer,
    ),
    Case(
        "create",
        {
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "timeout_in_minutes": 5,
            "customer": {
                "customer_name": "New Co",
                "status": "Active",
                "contact_name": None,
                "addresses": [{"type": "Billing", "postal_code": "EC1"}],
            },
        },
        operations.CreateCustomerRequest(
            company_id=COMPANY,
            connection_id=CONNECTION,
            timeout_in_minutes=5,
            customer=shared.Customer(
                customer_name="New Co",
                status="Active",
                contact_name=None,
                addresses=[shared.Items(type="Billing", postal_code="EC1")],
            ),
        ),
        "POST",
        f"{CONN}/push/customers",
        {"timeoutInMinutes": "5"},
        PUSH_JSON,
        body={
            "customerName": "New Co",
            "contactName": None,
            "status": "Active",
            "addresses": [{"type": "Billing", "postalCode": "EC1"}],
        },
        check=_check_push(shared.CreateCustomerResponse),
    ),
    Case(
        "update",
        {
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": CUSTOMER,
            "force_update": True,
            "timeout_in_minutes": 5,
            "customer": {"status": "Archived", "email_address": "a@b.c"},
        },
        operations.UpdateCustomerRequest(
            company_id=COMPANY,
            connection_id=CONNECTION,
            customer_id=CUSTOMER,
            force_update=True,
            timeout_in_minutes=5,
            customer=shared.Customer(status="Archived", email_address="a@b.c"),
        ),
        "PUT",
        f"{CONN}/push/customers/{CUSTOMER}",
        {"timeoutInMinutes": "5", "forceUpdate": "true"},
        PUSH_JSON,
        body={"status": "Archived", "emailAddress": "a@b.c"},
        check=_check_push(shared.UpdateCustomerResponse),
    ),
    Case(
        "get_create_update_model",
        {"company_id": COMPANY, "connection_id": CONNECTION},
        operations.GetCreateUpdateCustomersModelRequest(
            company_id=COMPANY, connection_id=CONNECTION
        ),
        "GET",
        f"{CONN}/options/customers",
        {},
        PUSH_OPTION_JSON,
        check=_check_push_option,
    ),
    Case(
        "list_attachments",
        {"company_id": COMPANY, "connection_id": CONNECTION, "customer_id": CUSTOMER},
        operations.ListCustomerAttachmentsRequest(
            company_id=COMPANY, connection_id=CONNECTION, customer_id=CUSTOMER
        ),
        "GET",
        ATT,
        {},
        {"attachments": [ATTACHMENT_JSON]},
        check=_check_attachments,
    ),
    Case(
        "get_attachment",
        {
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": CUSTOMER,
            "attachment_id": ATTACHMENT,
        },
        operations.GetCustomerAttachmentRequest(
            company_id=COMPANY,
            connection_id=CONNECTION,
            customer_id=CUSTOMER,
            attachment_id=ATTACHMENT,
        ),
        "GET",
        f"{ATT}/{ATTACHMENT}",
        {},
        ATTACHMENT_JSON,
        check=_check_attachment,
    ),
    Case(
        "download_attachment",
        {
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": CUSTOMER,
            "attachment_id": ATTACHMENT,
        },
        operations.DownloadCustomerAttachmentRequest(
            company_id=COMPANY,
            connection_id=CONNECTION,
            customer_id=CUSTOMER,
            attachment_id=ATTACHMENT,
        ),
        "GET",
        f"{ATT}/{ATTACHMENT}/download",
        {},
        ATTACHMENT_BYTES,
        check=_check_download,
    ),
]

assert len({case.name for case in CASES}) == 8


def _serve(httpserver: HTTPServer, case: Case) -> None:
    handler = httpserver.expect_request(
        case.path, method=case.method, query_string=case.query or None
    )
    if isinstance(case.reply, bytes):
        handler.respond_with_data(case.reply, content_type="application/octet-stream")
    else:
        handler.respond_with_json(case.reply)


def _only_request(httpserver: HTTPServer) -> Request:
    httpserver.check_assertions()
    assert len(httpserver.log) == 1, [str(r) for r, _ in httpserver.log]
    request, response = httpserver.log[0]
    assert response.status_code < 400, response.get_data()  # the expectation matched
    return request


def _check_request(request: Request, case: Case) -> None:
    assert request.method == case.method
    assert request.path == case.path
    assert dict(request.args) == case.query
    assert request.headers["Authorization"] == AUTH_VALUE
    expected_accept = (
        "application/octet-stream" if case.name == "download_attachment" else "application/json"
    )
    assert request.headers["Accept"] == expected_accept
    assert request.headers["User-Agent"].startswith("codat-customers/")
    if case.body is None:
        assert request.get_data() == b""
        assert "Idempotency-Key" not in request.headers
    else:
        assert request.headers["Content-Type"] == "application/json"
        assert json.loads(request.get_data()) == case.body
    if case.method == "POST":
        assert uuid.UUID(request.headers["Idempotency-Key"]).version == 4
    else:
        assert "Idempotency-Key" not in request.headers


@pytest.mark.parametrize("form", ["dict", "struct"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_seed_client_operation(
    httpserver: HTTPServer, sdk: CodatAccounting, case: Case, form: str
) -> None:
    _serve(httpserver, case)
    request = case.as_dict if form == "dict" else case.as_struct
    value = getattr(sdk.customers, case.name)(request=request)
    case.check(value)
    _check_request(_only_request(httpserver), case)


@pytest.mark.parametrize("form", ["dict", "struct"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_result_client_operation(
    httpserver: HTTPServer, results: CodatCustomers, case: Case, form: str
) -> None:
    _serve(httpserver, case)
    request = case.as_dict if form == "dict" else case.as_struct
    outcome = getattr(results, case.name)(request)
    assert isinstance(outcome, Success), outcome
    case.check(outcome.unwrap())
    _check_request(_only_request(httpserver), case)


def test_authorization_header_is_sent_exactly_as_given(
    httpserver: HTTPServer, base_url: str
) -> None:
    httpserver.expect_request(f"{BASE}/data/customers/{CUSTOMER}").respond_with_json(CUSTOMER_JSON)
    given = "Basic c29tZS1yZWFkeS1tYWRlLWhlYWRlcg=="
    with CodatAccounting(security=shared.Security(auth_header=given), server_url=base_url) as s:
        s.customers.get(request={"company_id": COMPANY, "customer_id": CUSTOMER})
    with CodatAccounting(security=shared.Security(auth_header=API_KEY), server_url=base_url) as s:
        s.customers.get(request={"company_id": COMPANY, "customer_id": CUSTOMER})
    sent = [request.headers["Authorization"] for request, _ in httpserver.log]
    assert sent == [given, AUTH_VALUE]


def test_path_parameters_are_percent_encoded_on_the_wire(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    odd = "a/b?c d#é"
    httpserver.expect_request(f"{BASE}/data/customers/{odd}").respond_with_json(CUSTOMER_JSON)
    outcome = results.get({"company_id": COMPANY, "customer_id": odd})
    assert isinstance(outcome, Success), outcome
    request = _only_request(httpserver)
    assert request.environ["REQUEST_URI"] == (f"{BASE}/data/customers/a%2Fb%3Fc%20d%23%C3%A9")


def test_query_text_is_percent_encoded_on_the_wire(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    httpserver.expect_request(f"{BASE}/data/customers").respond_with_json(customers_page([]))
    query = "customerName~Kelly && {status=Active || status=Archived}"
    results.list({"company_id": COMPANY, "query": query})
    request = _only_request(httpserver)
    assert request.args["query"] == query
    raw = request.query_string.decode()
    assert " " not in raw
    assert "&&" not in raw
    assert "query=customerName~Kelly%20%26%26%20%7Bstatus%3DActive" in raw


@pytest.mark.parametrize(
    "request_",
    [
        {"company_id": COMPANY, "pagesize": 10},  # unknown key
        {"company_id": COMPANY, "page": 0},  # out of range
        {"company_id": ""},  # empty path parameter
    ],
)
def test_invalid_requests_never_reach_the_server(
    httpserver: HTTPServer, sdk: CodatAccounting, results: CodatCustomers, request_: Any
) -> None:
    with pytest.raises(errors.RequestValidationError):
        sdk.customers.list(request=request_)
    outcome = results.list(request_)
    assert isinstance(outcome, Failure)
    assert isinstance(outcome.failure(), errors.RequestValidationError)
    assert httpserver.log == []


def test_create_without_customer_is_rejected_before_sending(
    httpserver: HTTPServer, sdk: CodatAccounting
) -> None:
    with pytest.raises(errors.RequestValidationError) as info:
        sdk.customers.create(request={"company_id": COMPANY, "connection_id": CONNECTION})
    assert info.value.field == "customer"
    assert httpserver.log == []


def test_returns_pipeline_composes_over_the_wire(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    httpserver.expect_request(f"{BASE}/data/customers").respond_with_json(
        customers_page([CUSTOMER_JSON])
    )
    httpserver.expect_request(f"{BASE}/data/customers/{CUSTOMER}").respond_with_json(CUSTOMER_JSON)
    outcome = (
        results.list({"company_id": COMPANY})
        .map(lambda page: page.results[0].id)
        .bind(lambda cid: results.get({"company_id": COMPANY, "customer_id": cid}))
        .map(lambda customer: customer.email_address)
    )
    assert outcome == Success("kelly@example.com")
    assert [r.path for r, _ in httpserver.log] == [
        f"{BASE}/data/customers",
        f"{BASE}/data/customers/{CUSTOMER}",
    ]
