"""Property tests: building never raises but RequestValidationError; parsing never raises."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from codat_customers.core import (
    OPERATIONS,
    CodatError,
    HttpRequest,
    HttpResponse,
    RequestValidationError,
    ResponseError,
    build_url,
    parse_download,
    parse_error,
)
from codat_customers.core.models import Customer
from codat_customers.core.requests import (
    CreateCustomerRequest,
    ListCustomersRequest,
    UpdateCustomerRequest,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

PROPERTY = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text including lone surrogates, which str.encode("utf-8") rejects.
any_text = st.text() | st.text(st.characters(categories=["Cs"]) | st.characters(), max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | any_text
    | st.binary(max_size=8)
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(any_text | st.integers(), inner, max_size=4)
    ),
    max_leaves=12,
)

REQUEST_KEYS = sorted({name for op in OPERATIONS for name in op.request_type.__struct_fields__})
_CUSTOMER_NAMES = set(Customer.__struct_fields__) | set(Customer.__struct_encode_fields__)
CUSTOMER_KEYS = [*sorted(_CUSTOMER_NAMES), "postal_code", "postalCode", "type", "content"]


@st.composite
def customer_like(draw: st.DrawFn) -> Any:
    """A customer dict with real field names and arbitrary (often wrong) values."""
    keys = draw(st.lists(st.sampled_from(CUSTOMER_KEYS), max_size=6, unique=True))
    data: dict[str, Any] = {key: draw(junk) for key in keys}
    if draw(st.booleans()):
        data["status"] = draw(st.sampled_from(["Active", "Archived", "Suspended"]) | junk)
    if draw(st.booleans()):
        data["addresses"] = [
            {"type": draw(any_text), "postal_code": draw(junk), "line1": draw(junk)}
        ]
    if draw(st.booleans()):
        data["supplemental_data"] = {"content": draw(junk)}
    return data


@st.composite
def request_like(draw: st.DrawFn) -> Any:
    """A dict whose keys are mostly real request fields and whose values are anything."""
    keys = draw(st.lists(st.sampled_from(REQUEST_KEYS), max_size=8, unique=True))
    data: dict[Any, Any] = {}
    for key in keys:
        if key.endswith("_id"):
            data[key] = draw(any_text | junk)
        elif key == "customer":
            data[key] = draw(customer_like() | junk)
        else:
            data[key] = draw(junk)
    if draw(st.integers(0, 9)) == 0:
        data[draw(any_text | st.integers())] = draw(junk)
    return data


@st.composite
def struct_like(draw: st.DrawFn) -> Any:
    """Request structs built directly (msgspec does not check types in __init__)."""
    customer = draw(
        st.none()
        | junk
        | st.builds(
            Customer,
            status=junk,
            customer_name=junk,
            addresses=junk,
            supplemental_data=st.none(),
        )
    )
    kind = draw(st.sampled_from(["list", "create", "update"]))
    if kind == "list":
        return ListCustomersRequest(
            company_id=draw(any_text | junk),
            page=draw(junk),
            page_size=draw(st.integers(-10, 6000) | junk),
            query=draw(st.none() | any_text | junk),
            order_by=draw(st.none() | any_text),
        )
    if kind == "create":
        return CreateCustomerRequest(
            company_id=draw(any_text),
            connection_id=draw(any_text),
            customer=customer,
            timeout_in_minutes=draw(st.none() | st.integers() | junk),
        )
    return UpdateCustomerRequest(
        company_id=draw(any_text),
        connection_id=draw(any_text),
        customer_id=draw(any_text | junk),
        customer=customer,
        force_update=draw(st.booleans() | junk),
    )


inputs = request_like() | struct_like() | junk


def check_prepared(result: Result[HttpRequest, CodatError]) -> None:
    assert isinstance(result, Success | Failure)
    if isinstance(result, Failure):
        error = result.failure()
        assert isinstance(error, RequestValidationError), repr(error)
        assert error.field
        return
    request = result.unwrap()
    assert isinstance(request, HttpRequest)
    url = build_url("https://api.codat.io/", request)  # must not raise either
    assert url.isascii()
    assert url.startswith("https://api.codat.io/companies/")
    if request.body is not None:
        assert isinstance(msgspec.json.decode(request.body), dict)


@PROPERTY
@given(value=inputs)
def test_prepare_only_ever_returns_a_result(value: Any) -> None:
    for op in OPERATIONS:
        check_prepared(op.prepare(value))


@PROPERTY
@given(value=inputs)
def test_build_of_coerce_raises_only_request_validation_error(value: Any) -> None:
    for op in OPERATIONS:
        try:
            request = op.build(op.coerce(value))
        except RequestValidationError:
            continue
        assert isinstance(request, HttpRequest)


@PROPERTY
@given(
    company_id=any_text,
    connection_id=any_text,
    customer_id=any_text,
    attachment_id=any_text,
)
def test_any_text_ids_either_build_an_encoded_path_or_fail_validation(
    company_id: str, connection_id: str, customer_id: str, attachment_id: str
) -> None:
    ids = {
        "company_id": company_id,
        "connection_id": connection_id,
        "customer_id": customer_id,
        "attachment_id": attachment_id,
    }
    for op in OPERATIONS:
        fields = op.request_type.__struct_fields__
        request: dict[str, Any] = {k: v for k, v in ids.items() if k in fields}
        if "customer" in fields:
            request["customer"] = {"status": "Active"}
        result = op.prepare(request)
        check_prepared(result)
        if isinstance(result, Success):
            built = result.unwrap()
            assert built.company_id == company_id
            # One segment per id: the path has the template's shape whatever the ids hold.
            assert (
                built.path.count("/")
                == {
                    "list-customers": 4,
                    "get-customer": 5,
                    "get-create-update-customers-model": 6,
                    "create-customer": 6,
                    "update-customer": 7,
                    "list-customer-attachments": 8,
                    "get-customer-attachment": 9,
                    "download-customer-attachment": 10,
                }[op.id]
            )


# --- parsing ---------------------------------------------------------------------------

content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/problem+json",
        "text/html",
        "text/plain",
        "application/octet-stream",
        "",
    ]
) | st.text(max_size=30)
statuses = st.sampled_from([200, 200, 200, 204, 301, 400, 401, 404, 409, 429, 500, 502, 503]) | (
    st.integers(min_value=-1, max_value=1000)
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=15,
)
SPEC_KEYS = [
    "pageNumber",
    "pageSize",
    "totalResults",
    "_links",
    "results",
    "status",
    "id",
    "attachments",
    "type",
    "displayName",
    "required",
    "properties",
    "statusCode",
    "error",
    "companyId",
    "pushOperationKey",
    "fileSize",
]


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:
        return json.dumps(draw(json_values)).encode()
    shaped = {key: draw(json_values) for key in draw(st.lists(st.sampled_from(SPEC_KEYS)))}
    encoded = json.dumps(shaped).encode()
    if kind == 3:  # truncated somewhere
        return encoded[: draw(st.integers(0, len(encoded)))]
    return encoded


PARSERS = [op.parse for op in OPERATIONS] + [parse_download]


@PROPERTY
@given(status=statuses, content_type=content_types, body=bodies())
def test_parsing_any_response_returns_a_result(status: int, content_type: str, body: bytes) -> None:
    response = HttpResponse(status, {"content-type": content_type}, body)
    for parse in PARSERS:
        result = parse(response)
        assert isinstance(result, Success | Failure)
        if isinstance(result, Failure):
            error = result.failure()
            assert isinstance(error, ResponseError), repr(error)
            assert error.status == status
            str(error)  # rendering never raises
        else:
            assert status == 200


@PROPERTY
@given(status=statuses, content_type=content_types, body=bodies())
def test_parse_error_always_fails_with_a_response_error(
    status: int, content_type: str, body: bytes
) -> None:
    result = parse_error(HttpResponse(status, {"content-type": content_type}, body))
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, ResponseError)
    assert error.body == body
    assert str(status) in str(error)


@PROPERTY
@given(headers=st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=4))
def test_parsing_with_arbitrary_headers_never_raises(headers: dict[str, str]) -> None:
    response = HttpResponse(200, headers, b'{"status":"Active"}')
    for parse in PARSERS:
        assert isinstance(parse(response), Success | Failure)
