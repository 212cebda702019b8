"""Request building: paths, percent-encoding, query parameters, headers and JSON bodies."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

import msgspec
import pytest
from codat_customers.core import (
    CREATE,
    DOWNLOAD_ATTACHMENT,
    GET,
    GET_ATTACHMENT,
    GET_CREATE_UPDATE_MODEL,
    LIST,
    LIST_ATTACHMENTS,
    OPERATIONS,
    UPDATE,
    HttpRequest,
    build_create_customer,
    build_download_customer_attachment,
    build_get_create_update_customers_model,
    build_get_customer,
    build_get_customer_attachment,
    build_list_customer_attachments,
    build_list_customers,
    build_update_customer,
)
from codat_customers.core.models import (
    UNSET,
    AccountingAddressType,
    Contact,
    Customer,
    CustomerStatus,
    Items,
    Metadata,
    PhoneNumberItems,
    PhoneNumberType,
    SupplementalData,
)
from codat_customers.core.requests import (
    CreateCustomerRequest,
    DownloadCustomerAttachmentRequest,
    GetCreateUpdateCustomersModelRequest,
    GetCustomerAttachmentRequest,
    GetCustomerRequest,
    ListCustomerAttachmentsRequest,
    ListCustomersRequest,
    UpdateCustomerRequest,
)
from core_support import COMPANY, CONNECTION, OPS_BY_ID, operations_in_spec

CUSTOMER_ID = "cust-1"
ATTACHMENT_ID = "att-1"

# Every id field an operation takes, with the placeholder name the contract uses.
ID_PARAMS = {
    "company_id": "companyId",
    "connection_id": "connectionId",
    "customer_id": "customerId",
    "attachment_id": "attachmentId",
}


def full_request(op_id: str, **ids: str) -> dict[str, Any]:
    """The smallest valid dict request for an operation, with optional id overrides."""
    values = {
        "company_id": COMPANY,
        "connection_id": CONNECTION,
        "customer_id": CUSTOMER_ID,
        "attachment_id": ATTACHMENT_ID,
        **ids,
    }
    fields = OPS_BY_ID[op_id].request_type.__struct_fields__
    request = {name: value for name, value in values.items() if name in fields}
    if "customer" in fields:
        request["customer"] = {"status": "Active"}
    return request


def prepared(op: Any, request: Any) -> HttpRequest:
    result = op.prepare(request)
    value = result.value_or(None)
    assert isinstance(value, HttpRequest), result
    return value


def body_of(request: HttpRequest) -> dict[str, Any]:
    assert request.body is not None
    data: dict[str, Any] = json.loads(request.body)
    return data


# --- paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op_id", "method", "template"),
    [(op_id, method, path) for op_id, method, path, _ in operations_in_spec()],
)
def test_every_spec_operation_builds_its_method_and_path(
    op_id: str, method: str, template: str
) -> None:
    op = OPS_BY_ID[op_id]
    request = prepared(op, full_request(op_id))
    expected = template
    for field, placeholder in ID_PARAMS.items():
        value = {
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": CUSTOMER_ID,
            "attachment_id": ATTACHMENT_ID,
        }[field]
        expected = expected.replace("{" + placeholder + "}", value)
    assert "{" not in expected
    assert request.method == method
    assert request.path == expected
    assert request.operation_id == op_id
    assert request.company_id == COMPANY


def test_the_table_covers_exactly_the_spec_operations() -> None:
    assert sorted(op.id for op in OPERATIONS) == sorted(o for o, _, _, _ in operations_in_spec())
    assert len({op.name for op in OPERATIONS}) == 8


@pytest.mark.parametrize(
    ("build", "request_struct", "path"),
    [
        (
            build_list_customers,
            ListCustomersRequest(company_id="c"),
            "/companies/c/data/customers",
        ),
        (
            build_get_customer,
            GetCustomerRequest(company_id="c", customer_id="u"),
            "/companies/c/data/customers/u",
        ),
        (
            build_get_create_update_customers_model,
            GetCreateUpdateCustomersModelRequest(company_id="c", connection_id="k"),
            "/companies/c/connections/k/options/customers",
        ),
        (
            build_create_customer,
            CreateCustomerRequest(company_id="c", connection_id="k", customer=Customer(status="A")),
            "/companies/c/connections/k/push/customers",
        ),
        (
            build_update_customer,
            UpdateCustomerRequest(
                company_id="c", connection_id="k", customer_id="u", customer=Customer(status="A")
            ),
            "/companies/c/connections/k/push/customers/u",
        ),
        (
            build_list_customer_attachments,
            ListCustomerAttachmentsRequest(company_id="c", connection_id="k", customer_id="u"),
            "/companies/c/connections/k/data/customers/u/attachments",
        ),
        (
            build_get_customer_attachment,
            GetCustomerAttachmentRequest(
                company_id="c", connection_id="k", customer_id="u", attachment_id="a"
            ),
            "/companies/c/connections/k/data/customers/u/attachments/a",
        ),
        (
            build_download_customer_attachment,
            DownloadCustomerAttachmentRequest(
                company_id="c", connection_id="k", customer_id="u", attachment_id="a"
            ),
            "/companies/c/connections/k/data/customers/u/attachments/a/download",
        ),
    ],
)
def test_build_functions_called_directly_on_structs(
    build: Any, request_struct: msgspec.Struct, path: str
) -> None:
    request = build(request_struct)
    assert isinstance(request, HttpRequest)
    assert request.path == path
    assert request.company_id == "c"


# --- percent-encoding ------------------------------------------------------------------

AWKWARD_IDS = [
    ("a/b", "a%2Fb"),
    ("a?b=1", "a%3Fb%3D1"),
    ("a#frag", "a%23frag"),
    ("100%", "100%25"),
    ("%2F", "%252F"),
    ("two words", "two%20words"),
    ("café", "caf%C3%A9"),
    ("日本", "%E6%97%A5%E6%9C%AC"),
    ("a+b&c;d", "a%2Bb%26c%3Bd"),
    ("~user_1-2.x", "~user_1-2.x"),
    ("...", "..."),
]


@pytest.mark.parametrize(("raw", "encoded"), AWKWARD_IDS)
@pytest.mark.parametrize("op_id", sorted(OPS_BY_ID))
def test_every_id_is_percent_encoded_as_one_segment(op_id: str, raw: str, encoded: str) -> None:
    op = OPS_BY_ID[op_id]
    for field in ID_PARAMS:
        if field not in op.request_type.__struct_fields__:
            continue
        request = prepared(op, full_request(op_id, **{field: raw}))
        segments = request.path.split("/")
        assert encoded in segments, (field, request.path)
        # The path still has the template's number of segments: no id leaks a separator.
        baseline = prepared(op, full_request(op_id)).path.split("/")
        assert len(segments) == len(baseline)
        assert "?" not in request.path
        assert "#" not in request.path
        assert " " not in request.path
        assert request.path.isascii()
        assert [unquote(s) for s in segments] == [
            unquote(s) if s != _baseline_segment(field) else raw for s in baseline
        ]


def _baseline_segment(field: str) -> str:
    return {
        "company_id": COMPANY,
        "connection_id": CONNECTION,
        "customer_id": CUSTOMER_ID,
        "attachment_id": ATTACHMENT_ID,
    }[field]


def test_company_id_on_the_request_is_the_raw_value() -> None:
    request = prepared(GET, {"company_id": "a/b é", "customer_id": "x"})
    assert request.company_id == "a/b é"
    assert request.path == "/companies/a%2Fb%20%C3%A9/data/customers/x"


# --- query parameters ------------------------------------------------------------------


def test_list_defaults_to_page_1_and_page_size_100() -> None:
    request = prepared(LIST, {"company_id": COMPANY})
    assert request.query == (("page", "1"), ("pageSize", "100"))
    assert request.body is None


def test_list_sends_paging_query_and_order_by_raw_and_in_order() -> None:
    request = prepared(
        LIST,
        {
            "company_id": COMPANY,
            "page": 3,
            "page_size": 5000,
            "query": "metadata.isDeleted!=true&&customerName~Acme & Co",
            "order_by": "-modifiedDate",
        },
    )
    assert request.query == (
        ("page", "3"),
        ("pageSize", "5000"),
        ("query", "metadata.isDeleted!=true&&customerName~Acme & Co"),
        ("orderBy", "-modifiedDate"),
    )


def test_list_accepts_camel_case_request_keys_only_as_snake_case() -> None:
    # Request-level keys are the peer's snake_case names; pageSize is not one of them.
    result = LIST.prepare({"company_id": COMPANY, "pageSize": 10})
    assert "pageSize" in str(result.failure())


def test_list_query_of_2047_characters_is_accepted() -> None:
    request = prepared(LIST, {"company_id": COMPANY, "query": "a" * 2047})
    assert dict(request.query)["query"] == "a" * 2047


def test_list_page_size_bounds_are_inclusive() -> None:
    assert dict(prepared(LIST, {"company_id": "c", "page_size": 1}).query)["pageSize"] == "1"
    assert dict(prepared(LIST, {"company_id": "c", "page_size": 5000}).query)["pageSize"] == "5000"


def test_none_query_and_order_by_are_not_sent() -> None:
    request = prepared(LIST, {"company_id": "c", "query": None, "order_by": None})
    assert [k for k, _ in request.query] == ["page", "pageSize"]


def test_create_sends_timeout_only_when_given() -> None:
    plain = prepared(CREATE, full_request("create-customer"))
    assert plain.query == ()
    timed = prepared(CREATE, {**full_request("create-customer"), "timeout_in_minutes": 30})
    assert timed.query == (("timeoutInMinutes", "30"),)
    zero = prepared(CREATE, {**full_request("create-customer"), "timeout_in_minutes": 0})
    assert zero.query == (("timeoutInMinutes", "0"),)


def test_update_sends_force_update_only_when_true() -> None:
    base = full_request("update-customer")
    assert prepared(UPDATE, base).query == ()
    assert prepared(UPDATE, {**base, "force_update": False}).query == ()
    assert prepared(UPDATE, {**base, "force_update": True}).query == (("forceUpdate", "true"),)
    both = prepared(UPDATE, {**base, "force_update": True, "timeout_in_minutes": 5})
    assert both.query == (("timeoutInMinutes", "5"), ("forceUpdate", "true"))


@pytest.mark.parametrize(
    "op", [GET, GET_CREATE_UPDATE_MODEL, LIST_ATTACHMENTS, GET_ATTACHMENT, DOWNLOAD_ATTACHMENT]
)
def test_operations_without_query_parameters_send_none(op: Any) -> None:
    assert prepared(op, full_request(op.id)).query == ()


# --- headers and response kinds -------------------------------------------------------


@pytest.mark.parametrize(
    "op", [LIST, GET, GET_CREATE_UPDATE_MODEL, LIST_ATTACHMENTS, GET_ATTACHMENT]
)
def test_read_operations_accept_json_and_send_no_body(op: Any) -> None:
    request = prepared(op, full_request(op.id))
    assert request.method == "GET"
    assert request.header("accept") == "application/json"
    assert request.header("content-type") is None
    assert request.body is None
    assert request.response_kind == "json"


@pytest.mark.parametrize("op", [CREATE, UPDATE])
def test_push_operations_send_json(op: Any) -> None:
    request = prepared(op, full_request(op.id))
    assert request.header("accept") == "application/json"
    assert request.header("content-type") == "application/json"
    assert request.response_kind == "json"
    assert body_of(request) == {"status": "Active"}


def test_download_asks_for_a_stream_of_octets() -> None:
    request = prepared(DOWNLOAD_ATTACHMENT, full_request("download-customer-attachment"))
    assert request.header("accept") == "application/octet-stream"
    assert request.response_kind == "stream"
    assert request.body is None


def test_no_operation_sets_an_authorization_header_itself() -> None:
    for op in OPERATIONS:
        request = prepared(op, full_request(op.id))
        assert request.header("authorization") is None
        assert all(name == name.lower() for name, _ in request.headers)


# --- JSON bodies -----------------------------------------------------------------------

SNAKE_CUSTOMER: dict[str, Any] = {
    "status": "Active",
    "customer_name": "Acme Ltd",
    "contact_name": "Jane",
    "email_address": "jane@acme.example",
    "default_currency": "GBP",
    "registration_number": None,
    "tax_number": "GB123",
    "addresses": [
        {"type": "Billing", "line1": "1 High St", "postal_code": "AB1 2CD", "country": None}
    ],
    "contacts": [
        {
            "status": "Active",
            "name": "Jane",
            "phone": [{"number": "+44 1", "type": "Mobile"}, {"number": None, "type": "Fax"}],
            "address": {"type": "Delivery", "postal_code": "ZZ9"},
            "modified_date": "2022-10-23T00:00:00Z",
        }
    ],
    "metadata": {"is_deleted": False},
    "supplemental_data": {
        "content": {"my_config": {"snake_key": 1, "camelKey": [1, 2], "Weird Key!": {"a_b": None}}}
    },
    "modified_date": "2022-10-23T00:00:00Z",
    "source_modified_date": None,
}

CAMEL_CUSTOMER: dict[str, Any] = {
    "status": "Active",
    "customerName": "Acme Ltd",
    "contactName": "Jane",
    "emailAddress": "jane@acme.example",
    "defaultCurrency": "GBP",
    "registrationNumber": None,
    "taxNumber": "GB123",
    "addresses": [
        {"type": "Billing", "line1": "1 High St", "postalCode": "AB1 2CD", "country": None}
    ],
    "contacts": [
        {
            "status": "Active",
            "name": "Jane",
            "phone": [{"number": "+44 1", "type": "Mobile"}, {"number": None, "type": "Fax"}],
            "address": {"type": "Delivery", "postalCode": "ZZ9"},
            "modifiedDate": "2022-10-23T00:00:00Z",
        }
    ],
    "metadata": {"isDeleted": False},
    "supplementalData": {
        "content": {"my_config": {"snake_key": 1, "camelKey": [1, 2], "Weird Key!": {"a_b": None}}}
    },
    "modifiedDate": "2022-10-23T00:00:00Z",
    "sourceModifiedDate": None,
}


def test_snake_case_dict_is_sent_as_camel_case_json() -> None:
    request = prepared(
        CREATE, {"company_id": COMPANY, "connection_id": CONNECTION, "customer": SNAKE_CUSTOMER}
    )
    assert body_of(request) == CAMEL_CUSTOMER


def test_camel_case_dict_gives_the_same_body() -> None:
    snake = prepared(
        CREATE, {"company_id": COMPANY, "connection_id": CONNECTION, "customer": SNAKE_CUSTOMER}
    )
    camel = prepared(
        CREATE, {"company_id": COMPANY, "connection_id": CONNECTION, "customer": CAMEL_CUSTOMER}
    )
    assert camel.body == snake.body


def test_struct_customer_gives_the_same_body_as_its_dict() -> None:
    customer = Customer(
        status=CustomerStatus.ACTIVE,
        customer_name="Acme Ltd",
        contact_name="Jane",
        email_address="jane@acme.example",
        default_currency="GBP",
        registration_number=None,
        tax_number="GB123",
        addresses=[
            Items(
                type=AccountingAddressType.BILLING,
                line1="1 High St",
                postal_code="AB1 2CD",
                country=None,
            )
        ],
        contacts=[
            Contact(
                status="Active",
                name="Jane",
                phone=[
                    PhoneNumberItems(number="+44 1", type=PhoneNumberType.MOBILE),
                    PhoneNumberItems(number=None, type="Fax"),
                ],
                address=Items(type="Delivery", postal_code="ZZ9"),
                modified_date="2022-10-23T00:00:00Z",
            )
        ],
        metadata=Metadata(is_deleted=False),
        supplemental_data=SupplementalData(
            content={"my_config": {"snake_key": 1, "camelKey": [1, 2], "Weird Key!": {"a_b": None}}}
        ),
        modified_date="2022-10-23T00:00:00Z",
        source_modified_date=None,
    )
    request = build_create_customer(
        CreateCustomerRequest(company_id=COMPANY, connection_id=CONNECTION, customer=customer)
    )
    assert body_of(request) == CAMEL_CUSTOMER


def test_unset_fields_are_omitted_and_explicit_none_is_sent_as_null() -> None:
    request = prepared(
        UPDATE,
        {
            **full_request("update-customer"),
            "customer": {"status": "Active", "email_address": None, "phone": None},
        },
    )
    assert request.body == b'{"status":"Active","emailAddress":null,"phone":null}'
    body = body_of(request)
    assert "customerName" not in body
    assert body["emailAddress"] is None


def test_struct_with_only_status_sends_only_status() -> None:
    customer = Customer(status="Active")
    assert customer.customer_name is UNSET
    request = build_update_customer(
        UpdateCustomerRequest(company_id="c", connection_id="k", customer_id="u", customer=customer)
    )
    assert request.body == b'{"status":"Active"}'


def test_supplemental_content_keys_are_preserved_verbatim() -> None:
    content = {
        "snake_case_config": {"nested_key": {"deeper_key": "v"}, "already_camel": 1},
        "CamelConfig": {"x_y": [{"inner_key": True}]},
    }
    request = prepared(
        CREATE,
        {
            **full_request("create-customer"),
            "customer": {"status": "Active", "supplemental_data": {"content": content}},
        },
    )
    assert body_of(request)["supplementalData"] == {"content": content}


@pytest.mark.parametrize(
    "status", [CustomerStatus.ARCHIVED, "Archived", CustomerStatus.ARCHIVED.value]
)
def test_enum_members_and_plain_strings_are_accepted(status: Any) -> None:
    via_dict = prepared(CREATE, {**full_request("create-customer"), "customer": {"status": status}})
    via_struct = build_create_customer(
        CreateCustomerRequest(company_id="c", connection_id="k", customer=Customer(status=status))
    )
    assert body_of(via_dict) == {"status": "Archived"}
    assert via_struct.body == b'{"status":"Archived"}'


def test_unknown_enum_value_in_a_request_is_sent_as_given() -> None:
    request = prepared(
        CREATE, {**full_request("create-customer"), "customer": {"status": "Suspended"}}
    )
    assert body_of(request) == {"status": "Suspended"}


def test_customer_struct_inside_a_dict_request_is_accepted() -> None:
    request = prepared(
        CREATE, {"company_id": "c", "connection_id": "k", "customer": Customer(status="Active")}
    )
    assert request.body == b'{"status":"Active"}'


def test_tuples_are_accepted_where_lists_are_expected() -> None:
    request = prepared(
        CREATE,
        {
            **full_request("create-customer"),
            "customer": {"status": "A", "addresses": ({"type": "Billing", "postal_code": "1"},)},
        },
    )
    assert body_of(request)["addresses"] == [{"type": "Billing", "postalCode": "1"}]


def test_request_struct_passes_through_coerce_unchanged() -> None:
    struct = ListCustomersRequest(company_id="c", page=2)
    assert LIST.coerce(struct) is struct
    assert prepared(LIST, struct).query[0] == ("page", "2")


def test_build_is_deterministic_and_does_not_mutate_the_input() -> None:
    request = {
        "company_id": "c",
        "connection_id": "k",
        "customer": {"status": "A", "customer_name": "n", "supplemental_data": {"content": {}}},
    }
    snapshot = json.dumps(request, sort_keys=True)
    first = prepared(CREATE, request)
    second = prepared(CREATE, request)
    assert first == second
    assert json.dumps(request, sort_keys=True) == snapshot


def test_http_request_is_immutable_and_with_headers_returns_a_copy() -> None:
    request = prepared(LIST, {"company_id": "c"})
    with pytest.raises(AttributeError):
        request.path = "/elsewhere"  # type: ignore[misc]
    extended = request.with_headers({"Authorization": "Basic secret", "Accept": "text/plain"})
    assert request.header("authorization") is None
    assert extended.header("authorization") == "Basic secret"
    assert extended.header("accept") == "text/plain"
    assert [k for k, _ in extended.headers].count("accept") == 1
    assert request.with_headers({}) is request


def test_operation_ids_match_the_path_template_shape() -> None:
    for op in OPERATIONS:
        path = prepared(op, full_request(op.id)).path
        assert re.fullmatch(r"(/[A-Za-z0-9%._~-]+)+", path), path
