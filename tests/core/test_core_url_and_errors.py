"""``build_url`` joining and encoding; error values' text and what they must never show."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from codat_customers.core import (
    CREATE,
    GET,
    LIST,
    OPERATIONS,
    UPDATE,
    ApiError,
    CodatError,
    ConnectError,
    DecodeError,
    HttpRequest,
    HttpResponse,
    ProtocolError,
    ReadTimeoutError,
    RequestValidationError,
    ResponseError,
    TransportError,
    UnexpectedResponseError,
    build_url,
)
from codat_customers.core.errors import EXCERPT_LIMIT, body_excerpt
from core_support import JSON

SECRET = "Basic c2VjcmV0LWFwaS1rZXktZG8tbm90LWxlYWs="


def req(path: str = "/companies/c/data/customers", query: Any = ()) -> HttpRequest:
    return HttpRequest(operation_id="t", method="GET", path=path, query=tuple(query))


# --- build_url -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base",
    ["https://api.codat.io", "https://api.codat.io/", "https://api.codat.io///"],
)
def test_trailing_slashes_on_the_base_are_joined_once(base: str) -> None:
    assert build_url(base, req()) == "https://api.codat.io/companies/c/data/customers"


def test_a_base_with_a_path_prefix_keeps_it() -> None:
    url = build_url("http://127.0.0.1:8080/proxy/codat/", req())
    assert url == "http://127.0.0.1:8080/proxy/codat/companies/c/data/customers"


def test_no_query_means_no_question_mark() -> None:
    assert "?" not in build_url("https://h", req())


def test_query_values_are_fully_percent_encoded() -> None:
    query = [
        ("page", "1"),
        ("query", "customerName=Acme & Sons&&status!=Archived"),
        ("orderBy", "-modifiedDate"),
    ]
    url = build_url("https://h", req(query=query))
    assert url == (
        "https://h/companies/c/data/customers?page=1"
        "&query=customerName%3DAcme%20%26%20Sons%26%26status%21%3DArchived"
        "&orderBy=-modifiedDate"
    )
    assert parse_qsl(urlsplit(url).query) == query


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a=b", "a%3Db"),
        ("a&b", "a%26b"),
        ("a b", "a%20b"),
        ("a+b", "a%2Bb"),
        ("é", "%C3%A9"),
        ("日本", "%E6%97%A5%E6%9C%AC"),
        ("{x||y}", "%7Bx%7C%7Cy%7D"),
        ("100%", "100%25"),
        ("#?/", "%23%3F%2F"),
        ("", ""),
    ],
)
def test_each_reserved_character_in_a_query_value(value: str, encoded: str) -> None:
    url = build_url("https://h", req(query=[("query", value)]))
    assert url.endswith("?query=" + encoded)
    assert url.isascii()
    assert parse_qsl(urlsplit(url).query, keep_blank_values=True) == [("query", value)]


def test_built_requests_round_trip_through_build_url() -> None:
    request = LIST.prepare(
        {"company_id": "a/b", "query": "name~日本 & co", "order_by": "-id"}
    ).unwrap()
    url = build_url("https://api.codat.io/", request)
    parts = urlsplit(url)
    assert parts.path == "/companies/a%2Fb/data/customers"
    assert parse_qsl(parts.query) == [
        ("page", "1"),
        ("pageSize", "100"),
        ("query", "name~日本 & co"),
        ("orderBy", "-id"),
    ]


def test_every_operation_gives_an_absolute_ascii_url() -> None:
    ids = {"company_id": "c é", "connection_id": "k", "customer_id": "u/1", "attachment_id": "a?"}
    for op in OPERATIONS:
        fields = op.request_type.__struct_fields__
        request = {k: v for k, v in ids.items() if k in fields}
        if "customer" in fields:
            request["customer"] = {"status": "Active"}
        url = build_url("https://api.codat.io", op.prepare(request).unwrap())
        assert url.startswith("https://api.codat.io/companies/c%20%C3%A9/")
        assert url.isascii()
        assert "#" not in url


# --- error hierarchy and text ------------------------------------------------------------


def test_the_hierarchy() -> None:
    assert issubclass(RequestValidationError, CodatError)
    for transport in (ConnectError, ReadTimeoutError, ProtocolError):
        assert issubclass(transport, TransportError)
        assert issubclass(transport, CodatError)
        assert not issubclass(transport, ResponseError)
    for response in (ApiError, UnexpectedResponseError, DecodeError):
        assert issubclass(response, ResponseError)
        assert not issubclass(response, TransportError)
    assert issubclass(CodatError, Exception)


def test_response_error_text_has_status_content_type_and_excerpt() -> None:
    error = UnexpectedResponseError(
        "unexpected response", status=502, content_type="text/html", body=b"<h1>Bad gateway</h1>"
    )
    assert (
        str(error)
        == "unexpected response (status 502, content type text/html): <h1>Bad gateway</h1>"
    )
    blank = UnexpectedResponseError("x", status=204, content_type="", body=b"")
    assert str(blank) == "x (status 204, content type -): "


def test_long_bodies_are_cut_to_an_excerpt() -> None:
    body = b"x" * (EXCERPT_LIMIT + 100)
    error = DecodeError("bad", status=200, content_type="application/json", body=body)
    assert error.body_excerpt == "x" * EXCERPT_LIMIT + "…"
    assert len(str(error)) < EXCERPT_LIMIT + 100
    assert error.body == body  # the whole body stays available


def test_excerpt_of_binary_or_broken_utf8_never_raises() -> None:
    assert body_excerpt(b"\xff\xfe\x00abc") == "\ufffd\ufffd\x00abc"
    # A multi-byte character cut by the limit is replaced, not an exception.
    assert body_excerpt("é".encode() * 300, limit=3).startswith("é\ufffd")


def test_api_error_text_is_the_servers_message() -> None:
    body = b'{"statusCode":404,"error":"No company was found with ID x","correlationId":"c1"}'
    error = GET.parse(HttpResponse(404, JSON, body)).failure()
    assert isinstance(error, ApiError)
    assert error.message == "No company was found with ID x"
    assert str(error).startswith("No company was found with ID x (status 404, content type ")
    assert "c1" in str(error)


def test_transport_errors_carry_their_message() -> None:
    error = ReadTimeoutError("read timed out after 5.0 s")
    assert str(error) == "read timed out after 5.0 s"
    assert error.message == "read timed out after 5.0 s"


# --- credentials never leak into requests' text or errors -------------------------------


def test_request_repr_shows_header_names_but_never_values() -> None:
    request = LIST.prepare({"company_id": "c"}).unwrap().with_headers({"Authorization": SECRET})
    assert request.header("authorization") == SECRET
    for text in (repr(request), str(request), f"{request}", f"{request!r}"):
        assert SECRET not in text
        assert "c2VjcmV0" not in text
        assert "authorization" in text


@pytest.mark.parametrize(
    "response",
    [
        HttpResponse(401, {"content-type": "application/json", "authorization": SECRET}, b"{}"),
        HttpResponse(502, {"content-type": "text/html", "www-authenticate": SECRET}, b"<p>"),
        HttpResponse(200, {"content-type": "application/json", "authorization": SECRET}, b"{"),
    ],
)
def test_response_errors_do_not_render_header_values(response: HttpResponse) -> None:
    for op in (LIST, GET, CREATE, UPDATE):
        error = op.parse(response).failure()
        assert isinstance(error, ResponseError)
        for text in (str(error), repr(error), *map(str, error.args)):
            assert SECRET not in text


def test_validation_errors_do_not_echo_values_of_unknown_keys() -> None:
    error = LIST.prepare({"company_id": "c", "authorization": SECRET}).failure()
    assert isinstance(error, RequestValidationError)
    assert "authorization" in str(error)
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    wrong_type = GET.prepare({"company_id": "c", "customer_id": {"auth": SECRET}}).failure()
    assert isinstance(wrong_type, RequestValidationError)
    assert SECRET not in str(wrong_type)
