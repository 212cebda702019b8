"""Bad request input: always a RequestValidationError naming the field, before any I/O."""

from __future__ import annotations

from typing import Any

import pytest
from codat_customers.core import (
    CREATE,
    GET,
    LIST,
    OPERATIONS,
    UPDATE,
    CodatError,
    RequestValidationError,
    build_create_customer,
    build_get_customer,
    build_list_customers,
    build_update_customer,
)
from codat_customers.core.models import Customer, Items, SupplementalData
from codat_customers.core.requests import (
    CreateCustomerRequest,
    GetCustomerRequest,
    ListCustomersRequest,
    UpdateCustomerRequest,
)
from core_support import OPS_BY_ID
from returns.result import Failure

PUSH = {"company_id": "c", "connection_id": "k"}


def rejected(op: Any, request: Any) -> RequestValidationError:
    """Assert ``prepare`` fails with a validation error and the raising path agrees."""
    result = op.prepare(request)
    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, RequestValidationError)
    assert isinstance(error, CodatError)
    assert isinstance(error, ValueError)
    with pytest.raises(RequestValidationError) as raised:
        op.build(op.coerce(request))
    assert raised.value.field == error.field
    assert str(error) == f"invalid request: {error.field}: {error.problem}"
    return error


@pytest.mark.parametrize(
    ("request_dict", "field", "fragment"),
    [
        ({"company_id": "c", "page_size": 0}, "page_size", "between 1 and 5000"),
        ({"company_id": "c", "page_size": 5001}, "page_size", "5001"),
        ({"company_id": "c", "page_size": -1}, "page_size", "-1"),
        ({"company_id": "c", "page": 0}, "page", "got 0"),
        ({"company_id": "c", "page": -5}, "page", "-5"),
        ({"company_id": "c", "page": 2**31}, "page", "2147483648"),
        ({"company_id": "c", "page": "2"}, "page", "int"),
        ({"company_id": "c", "page": 1.5}, "page", "int"),
        ({"company_id": "c", "page": True}, "page", ""),
        ({"company_id": "c", "page_size": None}, "page_size", ""),
        ({"company_id": "c", "query": "q" * 2048}, "query", "2047"),
        ({"company_id": "c", "query": 5}, "query", "str"),
        ({"company_id": "c", "order_by": ["-id"]}, "order_by", "str"),
        ({"company_id": ""}, "company_id", "empty"),
        ({"company_id": "   "}, "company_id", "empty"),
        ({"company_id": 123}, "company_id", "str"),
        ({"company_id": None}, "company_id", "str"),
        ({"company_id": "."}, "company_id", "'.'"),
        ({"company_id": ".."}, "company_id", "'..'"),
        ({"company_id": "c", "unknown": 1}, "request", "unknown"),
        ({}, "request", "company_id"),
    ],
)
def test_list_request_problems_name_the_field(
    request_dict: dict[str, Any], field: str, fragment: str
) -> None:
    error = rejected(LIST, request_dict)
    assert error.field == field
    assert fragment in error.problem or fragment in str(error)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
@pytest.mark.parametrize("bad", ["", " ", "\t\n", "..", ".", 7, None, b"bytes", ["x"]])
def test_every_id_field_of_every_operation_is_checked(op: Any, bad: Any) -> None:
    base = {
        "company_id": "c",
        "connection_id": "k",
        "customer_id": "u",
        "attachment_id": "a",
        "customer": {"status": "Active"},
    }
    fields = op.request_type.__struct_fields__
    for field in ("company_id", "connection_id", "customer_id", "attachment_id"):
        if field not in fields:
            continue
        request = {k: v for k, v in base.items() if k in fields}
        request[field] = bad
        assert rejected(op, request).field == field


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
def test_lone_surrogates_in_ids_are_rejected_not_raised(op: Any) -> None:
    # Bug fixed in core: quote() raised UnicodeEncodeError from inside prepare().
    fields = op.request_type.__struct_fields__
    request: dict[str, Any] = {
        k: "id" for k in ("company_id", "connection_id", "customer_id", "attachment_id")
    }
    request = {k: v for k, v in request.items() if k in fields}
    if "customer" in fields:
        request["customer"] = {"status": "Active"}
    request["company_id"] = "bad\ud800id"
    assert rejected(op, request).field == "company_id"


@pytest.mark.parametrize("field", ["query", "order_by"])
def test_lone_surrogates_in_query_text_are_rejected_before_sending(field: str) -> None:
    # Bug fixed in core: the request was built and build_url() later raised UnicodeEncodeError.
    assert rejected(LIST, {"company_id": "c", field: "x\udfff"}).field == field


def test_missing_required_keys_are_named() -> None:
    assert "connection_id" in str(
        rejected(CREATE, {"company_id": "c", "customer": {"status": "A"}})
    )
    assert "customer_id" in str(rejected(GET, {"company_id": "c"}))


def test_missing_customer_on_create_and_update() -> None:
    assert rejected(CREATE, PUSH).field == "customer"
    assert rejected(CREATE, {**PUSH, "customer": None}).field == "customer"
    assert rejected(UPDATE, {**PUSH, "customer_id": "u"}).field == "customer"
    with pytest.raises(RequestValidationError, match="customer: is required"):
        build_create_customer(CreateCustomerRequest(company_id="c", connection_id="k"))


def test_customer_without_status_is_rejected() -> None:
    error = rejected(CREATE, {**PUSH, "customer": {"customer_name": "x"}})
    assert error.field == "customer"
    assert "status" in error.problem


@pytest.mark.parametrize(
    ("customer", "field"),
    [
        ({"status": 3}, "customer.status"),
        ({"status": "A", "customer_name": 5}, "customer.customer_name"),
        ({"status": "A", "addresses": {"type": "Billing"}}, "customer.addresses"),
        ({"status": "A", "addresses": [{"type": "Billing", "postal_code": 5}]}, ""),
        ({"status": "A", "addresses": [{"line1": "no type"}]}, "customer.addresses[0]"),
        ({"status": "A", "contacts": [{"status": "A", "phone": [{"type": "Fax"}]}]}, ""),
        ({"status": "A", "metadata": {"is_deleted": "yes"}}, "customer.metadata.is_deleted"),
        ({"status": "A", "supplemental_data": {"content": {"k": 1}}}, ""),
        ({"status": "A", "default_currency": None}, "customer.default_currency"),
    ],
)
def test_wrong_nested_types_in_a_dict_name_the_snake_case_path(
    customer: dict[str, Any], field: str
) -> None:
    error = rejected(CREATE, {**PUSH, "customer": customer})
    assert error.field.startswith("customer")
    if field:
        assert error.field == field


def test_postal_code_of_the_wrong_type_names_the_exact_path() -> None:
    bad = {"status": "A", "addresses": [{"type": "Billing", "postal_code": 5}]}
    error = rejected(CREATE, {**PUSH, "customer": bad})
    assert error.field == "customer.addresses[0].postal_code"
    assert "int" in error.problem
    camel = {"status": "A", "addresses": [{"type": "Billing", "postalCode": 5}]}
    assert rejected(CREATE, {**PUSH, "customer": camel}).field == error.field


def test_phone_number_missing_its_required_number_names_the_path() -> None:
    bad = {"status": "A", "contacts": [{"status": "A", "phone": [{"type": "Fax"}]}]}
    error = rejected(UPDATE, {**PUSH, "customer_id": "u", "customer": bad})
    assert error.field == "customer.contacts[0].phone[0]"
    assert "number" in error.problem


def test_structs_built_directly_with_wrong_types_are_rejected() -> None:
    with pytest.raises(RequestValidationError) as raised:
        build_create_customer(
            CreateCustomerRequest(company_id="c", connection_id="k", customer=Customer(status=3))  # type: ignore[arg-type]
        )
    assert raised.value.field == "customer.status"
    direct = CreateCustomerRequest(
        company_id="c",
        connection_id="k",
        customer=Customer(status="A", addresses=[Items(type="Billing", postal_code=5)]),  # type: ignore[arg-type]
    )
    assert rejected(CREATE, direct).field == "customer.addresses[0].postal_code"


@pytest.mark.parametrize(
    "customer",
    [
        Customer(status=2**70),  # type: ignore[arg-type]
        Customer(status="A", supplemental_data=SupplementalData(content={"k": {"v": object()}})),
        Customer(status="A", supplemental_data=SupplementalData(content={"k": "not a dict"})),  # type: ignore[dict-item]
        Customer(status="A", customer_name="bad \ud800 text"),
    ],
)
def test_unencodable_customers_are_validation_errors(customer: Customer) -> None:
    request = CreateCustomerRequest(company_id="c", connection_id="k", customer=customer)
    assert rejected(CREATE, request).field.startswith("customer")


def test_cyclic_customer_content_is_a_validation_error_not_a_recursion_error() -> None:
    # Bug fixed in core: a cycle escaped build/prepare as RecursionError.
    loop: dict[str, Any] = {}
    loop["self"] = loop
    direct = CreateCustomerRequest(
        company_id="c",
        connection_id="k",
        customer=Customer(status="A", supplemental_data=SupplementalData(content={"k": loop})),
    )
    assert rejected(CREATE, direct).field == "customer"
    as_dict = {**PUSH, "customer": {"status": "A", "addresses": [loop]}}
    assert rejected(CREATE, as_dict).field.startswith("customer.addresses[0]")
    free_form = {**PUSH, "customer": {"status": "A", "supplemental_data": {"content": {"k": loop}}}}
    assert rejected(CREATE, free_form).field in {"request", "customer"}


def test_unknown_keys_inside_a_customer_dict_are_rejected_by_name() -> None:
    typo = {**PUSH, "customer": {"status": "A", "custmer_name": "x"}}
    assert rejected(CREATE, typo).field == "customer.custmer_name"
    nested = {
        **PUSH,
        "customer": {"status": "A", "contacts": [{"status": "A", "phone": [{"typ": "Fax"}]}]},
    }
    assert rejected(CREATE, nested).field == "customer.contacts[0].phone[0].typ"
    camel = {**PUSH, "customer": {"status": "A", "customerName": "x", "taxNumber": None}}
    assert (
        CREATE.prepare(camel).unwrap().body == b'{"status":"A","customerName":"x","taxNumber":null}'
    )


def test_struct_fields_of_the_wrong_type_are_caught_by_build() -> None:
    with pytest.raises(RequestValidationError, match="page_size"):
        build_list_customers(ListCustomersRequest(company_id="c", page_size="10"))  # type: ignore[arg-type]
    with pytest.raises(RequestValidationError, match="customer_id"):
        build_get_customer(GetCustomerRequest(company_id="c", customer_id=None))  # type: ignore[arg-type]
    with pytest.raises(RequestValidationError, match="force_update"):
        build_update_customer(
            UpdateCustomerRequest(
                company_id="c",
                connection_id="k",
                customer_id="u",
                customer=Customer(status="A"),
                force_update="yes",  # type: ignore[arg-type]
            )
        )
    with pytest.raises(RequestValidationError, match="timeout_in_minutes"):
        build_create_customer(
            CreateCustomerRequest(
                company_id="c",
                connection_id="k",
                customer=Customer(status="A"),
                timeout_in_minutes=-1,
            )
        )
    with pytest.raises(RequestValidationError, match="expected a Customer, got dict"):
        build_create_customer(
            CreateCustomerRequest(company_id="c", connection_id="k", customer={"status": "A"})  # type: ignore[arg-type]
        )


@pytest.mark.parametrize("value", [None, 42, "company", ["company_id", "c"], object()])
def test_non_mapping_requests_are_rejected(value: Any) -> None:
    error = rejected(LIST, value)
    assert error.field == "request"
    assert "ListCustomersRequest" in error.problem


def test_a_struct_of_another_operation_is_rejected() -> None:
    error = rejected(LIST, GetCustomerRequest(company_id="c", customer_id="u"))
    assert error.field == "request"


def test_non_string_keys_are_rejected() -> None:
    assert rejected(LIST, {1: "c"}).field == "request"
    assert rejected(CREATE, {**PUSH, "customer": {1: "A"}}).field.startswith("customer")


def test_timeout_and_force_update_types() -> None:
    create = {**PUSH, "customer": {"status": "A"}}
    assert rejected(CREATE, {**create, "timeout_in_minutes": "5"}).field == "timeout_in_minutes"
    assert rejected(CREATE, {**create, "timeout_in_minutes": 2**31}).field == "timeout_in_minutes"
    update = {**create, "customer_id": "u"}
    assert rejected(UPDATE, {**update, "force_update": "true"}).field == "force_update"
    assert rejected(UPDATE, {**update, "force_update": 1}).field == "force_update"


def test_validation_error_is_returned_for_every_operation_table_entry() -> None:
    for op in OPS_BY_ID.values():
        assert rejected(op, {"company_id": ""}).field in {"company_id", "request"}
