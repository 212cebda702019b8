"""Fuzzing every builder and every parser of the core with hostile input.

``test_core_properties.py`` covers the eight Customers operations with moderate junk; this
file adds the two push-operation reads, hostile text (huge, lone surrogates, NUL, CR/LF,
dot segments, percent signs, emoji), requests that are valid but for one field, bodies
that are *almost* valid (a documented example with one mutation), and checks what a
failure carries: the status, the content type and an excerpt of the body.

Two budgets: the default keeps the whole file to a few seconds for CI; ``CODAT_FUZZ=long``
runs many more examples (see docs/contributing.md)::

    CODAT_FUZZ=long uv run --all-extras pytest tests/core/test_core_fuzz.py -q \\
        --hypothesis-show-statistics
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import msgspec
from codat_customers.core import (
    OPERATIONS,
    PUSH_OPERATIONS,
    CodatError,
    HttpRequest,
    HttpResponse,
    Operation,
    RequestValidationError,
    ResponseError,
    build_url,
    parse_download,
    parse_error,
)
from codat_customers.core.errors import body_excerpt
from core_support import success_examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

settings.register_profile(
    "codat-fuzz-default",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "codat-fuzz-long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings(
    settings.get_profile(
        "codat-fuzz-long" if os.environ.get("CODAT_FUZZ") == "long" else "codat-fuzz-default"
    )
)

ALL_OPERATIONS: tuple[Operation[Any, Any], ...] = (*OPERATIONS, *PUSH_OPERATIONS)
COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"
ID_FIELDS = ("company_id", "connection_id", "customer_id", "attachment_id", "push_operation_key")
VALID_IDS = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
    "customer_id": "C-1",
    "attachment_id": "A-1",
    "push_operation_key": "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
}
CUSTOMER = {"customer_name": "Acme", "status": "Active", "addresses": [{"type": "Billing"}]}


def valid_request(op: Operation[Any, Any]) -> dict[str, Any]:
    """The smallest request of ``op`` that builds (ids, a customer where one is needed)."""
    fields = op.request_type.__struct_fields__
    request: dict[str, Any] = {k: v for k, v in VALID_IDS.items() if k in fields}
    if "customer" in fields:
        request["customer"] = dict(CUSTOMER)
    return request


# --- hostile values ------------------------------------------------------------------------

NASTY_PIECES = [
    "../",
    "..",
    ".",
    "/",
    "?",
    "#",
    "%2F",
    "%",
    "%00",
    "\r",
    "\n",
    "\r\nX-Injected: 1",
    "\x00",
    " ",
    "\t",
    "é",
    "日本",
    "\U0001f600",
    "\u202e",
    "\ufeff",
    "\ud800",
    "\udfff",
    "&",
    "=",
    "+",
    ";",
    "\\",
    '"',
]
nasty_text = st.one_of(
    st.lists(st.sampled_from(NASTY_PIECES) | st.text(max_size=3), max_size=8).map("".join),
    st.text(st.characters(codec=None), max_size=20),
    st.text(st.characters(categories=["Cs", "Cc", "Zs", "So"]), max_size=10),
    st.builds(
        lambda piece, n: piece * n,
        st.sampled_from(["a", "é", "/", "\x00"]),
        st.integers(0, 100_000),
    ),
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**100), max_value=2**100)
    | st.floats()
    | nasty_text
    | st.binary(max_size=16)
    | st.just(object())
)
garbage = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner)
        | st.frozensets(st.integers(), max_size=3)
        | st.dictionaries(nasty_text | st.integers(), inner, max_size=4)
    ),
    max_leaves=16,
)


@st.composite
def hostile_requests(draw: st.DrawFn, op: Operation[Any, Any]) -> object:
    """A request of ``op``: valid but for one or two fields, a struct, or garbage."""
    kind = draw(st.sampled_from(["field", "two-fields", "drop", "extra", "struct", "garbage"]))
    request = valid_request(op)
    fields = sorted(op.request_type.__struct_fields__)
    if kind in ("field", "two-fields"):
        for name in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2, unique=True)):
            request[name] = draw(nasty_text | garbage)
    elif kind == "drop":
        del request[draw(st.sampled_from(sorted(request)))]
    elif kind == "extra":
        request[draw(nasty_text)] = draw(garbage)
    elif kind == "struct":
        # msgspec does not type-check __init__, so a struct can hold anything.
        values = {
            name: draw(nasty_text | garbage) for name in draw(st.sets(st.sampled_from(fields)))
        }
        return op.request_type(**{**_as_struct_fields(op, request), **values})
    else:
        return draw(garbage)
    return request


def _as_struct_fields(op: Operation[Any, Any], request: dict[str, Any]) -> dict[str, Any]:
    coerced = op.coerce(request)
    return {name: getattr(coerced, name) for name in op.request_type.__struct_fields__}


def check_built(op: Operation[Any, Any], request: object) -> None:
    """``build(coerce(request))`` returns a sound request or raises a named validation error."""
    try:
        built = op.build(op.coerce(request))
    except RequestValidationError as error:
        head = error.field.split(".", 1)[0].split("[", 1)[0]
        assert head in {*op.request_type.__struct_fields__, "request"}, error.field
        assert error.problem
        return
    assert isinstance(built, HttpRequest)
    url = build_url("https://api.codat.io", built)
    assert url.isascii()
    assert not any(c in url for c in "\r\n\x00 #\\"), url
    assert built.path.count("/") == built.path_template.count("/")
    for name, value in built.headers:
        assert name.isascii() and value.isascii()
        assert "\r" not in value and "\n" not in value
    prepared = op.prepare(request)
    assert isinstance(prepared, Success)


@FUZZ
@given(data=st.data())
def test_every_builder_returns_a_request_or_names_the_bad_field(data: st.DataObject) -> None:
    op = data.draw(st.sampled_from(ALL_OPERATIONS), label="operation")
    check_built(op, data.draw(hostile_requests(op), label="request"))


@FUZZ
@given(data=st.data())
def test_prepare_never_raises_on_hostile_requests(data: st.DataObject) -> None:
    op = data.draw(st.sampled_from(ALL_OPERATIONS), label="operation")
    result = op.prepare(data.draw(hostile_requests(op), label="request"))
    assert isinstance(result, Success | Failure)
    if isinstance(result, Failure):
        assert isinstance(result.failure(), RequestValidationError)


@FUZZ
@given(data=st.data(), text=nasty_text)
def test_an_id_is_exactly_one_segment_that_decodes_back(data: st.DataObject, text: str) -> None:
    op = data.draw(st.sampled_from(ALL_OPERATIONS))
    field = data.draw(
        st.sampled_from([f for f in ID_FIELDS if f in op.request_type.__struct_fields__])
    )
    request = valid_request(op)
    request[field] = text
    result = op.prepare(request)
    if isinstance(result, Failure):
        error = result.failure()
        assert isinstance(error, RequestValidationError)
        assert error.field == field
        return
    built = result.unwrap()
    segments = built.path.split("/")
    template = built.path_template.split("/")
    assert len(segments) == len(template)
    parameter = (
        "{" + "".join(p.capitalize() if i else p for i, p in enumerate(field.split("_"))) + "}"
    )
    position = template.index(parameter)
    assert unquote(segments[position], errors="strict") == text
    assert all(segment not in {".", ".."} for segment in segments)
    # What a server sees: the URL's path has the same segments, nothing moved to the query.
    parts = urlsplit(build_url("https://api.codat.io", built))
    assert parts.path.split("/") == segments
    assert parts.fragment == ""


@FUZZ
@given(
    data=st.data(),
    query=st.none() | nasty_text.filter(lambda t: len(t) < 2048),
    order_by=st.none() | nasty_text,
)
def test_query_values_reach_the_url_exactly(
    data: st.DataObject, query: str | None, order_by: str | None
) -> None:
    op = data.draw(
        st.sampled_from([o for o in ALL_OPERATIONS if "query" in o.request_type.__struct_fields__])
    )
    result = op.prepare({**valid_request(op), "query": query, "order_by": order_by})
    if isinstance(result, Failure):
        error = result.failure()
        assert isinstance(error, RequestValidationError)
        assert error.field in {"query", "order_by"}
        return
    url = build_url("https://api.codat.io", result.unwrap())
    parts = urlsplit(url)
    sent = dict(parse_qsl(parts.query, keep_blank_values=True, errors="strict"))
    assert sent.get("query") == query
    assert sent.get("orderBy") == order_by
    assert set(sent) <= {"page", "pageSize", "query", "orderBy"}


# --- parsers ---------------------------------------------------------------------------------

PUSH_OPERATION = {
    "companyId": COMPANY,
    "pushOperationKey": VALID_IDS["push_operation_key"],
    "dataConnectionKey": CONNECTION,
    "requestedOnUtc": "2026-01-05T09:00:00Z",
    "status": "Pending",
    "statusCode": 202,
    "dataType": "customers",
}
LINKS = {"self": {"href": "/x"}, "current": {"href": "/x"}}
VALID_BODIES: list[Any] = [
    *(value for op in OPERATIONS for _, value in success_examples(op.id)),
    PUSH_OPERATION,
    {
        "results": [PUSH_OPERATION],
        "pageNumber": 1,
        "pageSize": 1,
        "totalResults": 1,
        "_links": LINKS,
    },
    {"statusCode": 404, "error": "Not found", "correlationId": "c-1", "validation": {"errors": []}},
]
PARSERS = [op.parse for op in ALL_OPERATIONS] + [parse_download, parse_error]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | nasty_text.filter(lambda t: not any("\ud800" <= c <= "\udfff" for c in t)),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """``value`` with one change somewhere inside: a key dropped or added, a value's type."""
    if isinstance(value, dict) and value and depth < 6 and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        return {**value, key: draw(mutated(value[key], depth + 1))}
    if isinstance(value, list) and value and depth < 6 and draw(st.booleans()):
        index = draw(st.integers(0, len(value) - 1))
        return [*value[:index], draw(mutated(value[index], depth + 1)), *value[index + 1 :]]
    change = draw(st.sampled_from(["replace", "drop", "add", "wrap", "deepen"]))
    if change == "drop" and isinstance(value, dict) and value:
        key = draw(st.sampled_from(sorted(value)))
        return {k: v for k, v in value.items() if k != key}
    if change == "add" and isinstance(value, dict):
        return {**value, draw(st.text(max_size=12)): draw(json_values)}
    if change == "wrap":
        return [value]
    if change == "deepen":
        return _deepen(value, draw(st.integers(1, 300)))
    return draw(json_values)


def _deepen(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = [value]
    return value


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """Arbitrary bytes, arbitrary JSON, or a valid body mutated, then maybe damaged as bytes."""
    kind = draw(st.sampled_from(["bytes", "json", "close", "close", "close"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "json":
        return msgspec.json.encode(draw(json_values))
    body = msgspec.json.encode(draw(mutated(draw(st.sampled_from(VALID_BODIES)))))
    damage = draw(st.sampled_from(["none", "none", "truncate", "byte", "repeat"]))
    if damage == "truncate":
        return body[: draw(st.integers(0, len(body)))]
    if damage == "byte":
        at = draw(st.integers(0, len(body)))
        return body[:at] + bytes([draw(st.integers(0, 255))]) + body[at:]
    if damage == "repeat":
        return body * draw(st.integers(2, 5))
    return body


content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "application/problem+json",
        "text/json",
        "text/html",
        "application/octet-stream",
        "",
    ]
) | nasty_text.filter(lambda t: len(t) < 200)
statuses = st.sampled_from(
    [200, 200, 200, 201, 202, 204, 304, 400, 401, 404, 409, 429, 500, 503]
) | st.integers(-5, 1000)


@FUZZ
@given(status=statuses, content_type=content_types, body=bodies())
def test_every_parser_returns_a_result_that_carries_the_response(
    status: int, content_type: str, body: bytes
) -> None:
    response = HttpResponse(status, {"content-type": content_type}, body)
    for parse in PARSERS:
        result = parse(response)
        assert isinstance(result, Success | Failure), parse
        if isinstance(result, Success):
            assert status == 200, parse
            continue
        error = result.failure()
        assert isinstance(error, ResponseError) and isinstance(error, CodatError), repr(error)
        assert error.status == status
        assert error.content_type == response.content_type
        assert error.body == body
        excerpt = error.body_excerpt
        assert excerpt == body_excerpt(body)
        rendered = str(error)
        assert str(status) in rendered
        assert excerpt in rendered
        repr(error)


@FUZZ
@given(body=bodies())
def test_a_valid_body_parses_and_a_changed_one_never_raises(body: bytes) -> None:
    response = HttpResponse(200, {"content-type": "application/json"}, body)
    for op in ALL_OPERATIONS:
        assert isinstance(op.parse(response), Success | Failure)
