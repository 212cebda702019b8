"""The parsers' limits: bodies nested too deep or too long are a ``DecodeError`` naming the limit.

msgspec stops at the interpreter's recursion limit. Where a program raised that limit on
CPython < 3.12 (where it also bounds C code), the default parsers scan for
``MAX_JSON_DEPTH`` before msgspec runs, since a hostile body nested tens of thousands deep
would otherwise overflow the C stack (the subprocess test below); a parser given
``max_depth=`` always scans. Nothing here is timed; ``bench/parse_limits.py`` prints the
figures that show the checks are linear.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from typing import Any

import msgspec
import pytest
from codat_customers.core import (
    GET,
    LIST,
    MAX_JSON_BODY_BYTES,
    MAX_JSON_DEPTH,
    OPERATIONS,
    PUSH_OPERATIONS,
    DecodeError,
    HttpResponse,
    json_parser,
    parse_error,
)
from codat_customers.core.models import Customer, Customers
from codat_customers.core.operations import _nested_deeper_than
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

JSON = {"content-type": "application/json"}
PARSERS = [
    op.parse for op in (*OPERATIONS, *PUSH_OPERATIONS) if op.id != "download-customer-attachment"
]
ACTIVE = b'{"status":"Active"}'
LINKS = {"self": {"href": "/x"}, "current": {"href": "/x"}}


def nested_in_customer(levels: int) -> bytes:
    """A valid customer whose free-form supplemental data nests ``levels`` arrays deep."""
    inner = b"[" * levels + b"]" * levels
    return b'{"status":"Active","supplementalData":{"content":{"x":{"y":' + inner + b"}}}}"


def depth_of(value: Any) -> int:
    """Nesting depth of a decoded JSON value (the reference the scanner must agree with)."""
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    return 0


def decode_failure(body: bytes, status: int = 200) -> DecodeError:
    result = GET.parse(HttpResponse(status, JSON, body))
    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, DecodeError), repr(error)
    assert error.status == status
    assert error.content_type == "application/json"
    assert error.body == body
    return error


# --- depth -------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [10**5, 10**6])
@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda n: b"[" * n, id="open-arrays"),
        pytest.param(lambda n: b"[" * n + b"]" * n, id="balanced-arrays"),
        pytest.param(lambda n: b'{"a":' * n + b"1" + b"}" * n, id="objects"),
        pytest.param(nested_in_customer, id="inside-supplemental-data"),
        pytest.param(lambda n: b'["]",' * n, id="closers-hidden-in-strings"),
        pytest.param(lambda n: b'[{"k\\"]}":' * n, id="escaped-quotes-and-brackets"),
    ],
)
def test_deep_json_is_a_failure_saying_it_is_too_deep(levels: int, shape: Any) -> None:
    error = decode_failure(shape(levels))
    # Refused for its depth, or sooner for its shape (an array where a customer belongs);
    # either way the same bytes would fail again, so they are never re-sent.
    assert "nests deeper than" in str(error) or "Expected `object`" in str(error)
    assert error.malformed is False


def test_an_explicit_depth_limit_is_exact_at_its_edge() -> None:
    # The customer itself and its supplementalData, content and "x" take 4 levels.
    parse = json_parser(msgspec.json.Decoder(Customer), max_depth=MAX_JSON_DEPTH)
    at_limit = nested_in_customer(MAX_JSON_DEPTH - 4)
    assert isinstance(parse(HttpResponse(200, JSON, at_limit)), Success)
    over = parse(HttpResponse(200, JSON, nested_in_customer(MAX_JSON_DEPTH - 3))).failure()
    assert f"limit of {MAX_JSON_DEPTH} levels" in str(over)


def test_error_bodies_have_the_same_limits() -> None:
    deep = b'{"service":"x","other":' + b"[" * 10**5  # an unknown field: skipped, deep
    for status in (400, 404, 500):
        error = parse_error(HttpResponse(status, JSON, deep)).failure()
        assert isinstance(error, DecodeError)
        assert "nests deeper than" in str(error)
        assert error.status == status


def test_each_parser_refuses_a_deep_body() -> None:
    deep = b'{"a":' * 10**4
    for parse in PARSERS:
        error = parse(HttpResponse(200, JSON, deep)).failure()
        assert isinstance(error, DecodeError), parse
        assert "nests deeper than" in error.message


def parse_in_child(recursion_limit: int, levels: int) -> str:
    """What ``GET.parse`` makes of a customer nested ``levels`` deep, in a fresh process
    whose recursion limit was raised (a crash there must not take the test run with it)."""
    code = textwrap.dedent(
        f"""
        import sys
        from codat_customers.core import GET, HttpResponse
        sys.setrecursionlimit({recursion_limit})
        body = b'{{"status":"Active","supplementalData":{{"content":{{"x":{{"y":'
        body += b"[" * {levels} + b"]" * {levels} + b"}}}}}}}}"
        result = GET.parse(HttpResponse(200, {{"content-type": "application/json"}}, body))
        failed = type(result).__name__ == "Failure"
        print(type(result).__name__, type(result.failure()).__name__ if failed else "")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    return done.stdout.strip()


def test_a_raised_recursion_limit_turns_the_scan_on_where_c_code_shares_it() -> None:
    # 200 levels: within msgspec's guard at a limit of 5,000; over MAX_JSON_DEPTH for the scan.
    expected = "Success" if sys.version_info >= (3, 12) else "Failure DecodeError"
    assert parse_in_child(5_000, 200) == expected


def test_a_recursion_limit_raised_by_the_program_is_no_longer_a_crash() -> None:
    # Without the depth check this child died of SIGSEGV (exit -11: the C stack overflowed
    # inside msgspec's decoder; CPython 3.11, msgspec 0.19), so it runs in its own process.
    assert parse_in_child(1_000_000, 200_000) == "Failure DecodeError"


json_trees = st.recursive(
    st.none() | st.integers() | st.sampled_from(["", "]", "}", "[{", '"', "\\", '\\"]', "é"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "]}", '"[', "\\"]), inner, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(value=json_trees, limit=st.integers(0, 24))
def test_the_depth_scan_is_exact_on_valid_json(value: Any, limit: int) -> None:
    body = json.dumps(value).encode()
    assert _nested_deeper_than(body, limit) == (depth_of(value) > limit)


@settings(max_examples=300, deadline=None)
@given(value=json_trees, cut=st.integers(0, 10_000), limit=st.integers(0, 24))
def test_a_cut_body_never_scans_shallower_than_its_intact_prefix(
    value: Any, cut: int, limit: int
) -> None:
    # A decoder reads a broken body up to the error: whatever depth it reached lies in a
    # valid prefix, and the scan of the whole body never reports less than that prefix's.
    body = json.dumps(value).encode()
    prefix = body[:cut]
    opened = prefix.count(b"[") + prefix.count(b"{") - prefix.count(b"]") - prefix.count(b"}")
    if b'"' not in prefix and b"\\" not in prefix and opened > limit:
        assert _nested_deeper_than(prefix, limit)


# --- size ---------------------------------------------------------------------------------


def test_the_default_body_limit_is_far_above_a_full_page() -> None:
    customer = {
        "id": "x" * 36,
        "customerName": "n" * 200,
        "status": "Active",
        "addresses": [{"type": "Billing", "line1": "l" * 200, "city": "c" * 100}] * 4,
        "contacts": [
            {
                "status": "Active",
                "name": "m" * 100,
                "phone": [{"number": "1", "type": "Primary"}] * 3,
            }
        ]
        * 4,
    }
    page = {
        "results": [customer] * 5000,
        "pageNumber": 1,
        "pageSize": 5000,
        "totalResults": 5000,
        "_links": LINKS,
    }
    body = msgspec.json.encode(page)
    assert len(body) * 10 < MAX_JSON_BODY_BYTES
    assert isinstance(LIST.parse(HttpResponse(200, JSON, body)), Success)


def test_a_body_over_the_limit_is_a_failure_naming_it() -> None:
    small_list = replace(
        LIST, parse=json_parser(msgspec.json.Decoder(Customers), max_body_bytes=200)
    )
    body = json.dumps(
        {"results": [], "pageNumber": 1, "pageSize": 1, "totalResults": 0, "_links": LINKS}
    ).encode()
    body += b" " * (200 - len(body))
    assert isinstance(small_list.parse(HttpResponse(200, JSON, body)), Success)
    error = small_list.parse(HttpResponse(200, JSON, body + b" ")).failure()
    assert isinstance(error, DecodeError)
    assert "JSON body of 201 bytes is over the parser's limit of 200 bytes" in str(error)


def test_a_body_over_the_default_limit_is_refused_before_decoding() -> None:
    # One byte over the default, of a customer that would otherwise decode.
    body = ACTIVE + b" " * (MAX_JSON_BODY_BYTES + 1 - len(ACTIVE))
    error = decode_failure(body)
    assert f"limit of {MAX_JSON_BODY_BYTES} bytes" in str(error)
    assert len(error.body_excerpt) < 600  # the message stays short whatever the body


def test_a_depth_limit_of_its_own() -> None:
    strict = json_parser(msgspec.json.Decoder(Customer), max_depth=5)
    assert isinstance(strict(HttpResponse(200, JSON, nested_in_customer(1))), Success)
    error = strict(HttpResponse(200, JSON, nested_in_customer(2))).failure()
    assert isinstance(error, DecodeError)
    assert "limit of 5 levels" in str(error)


# --- big but legitimate shapes: decoded, not refused ---------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b'{"status":"Active","customerName":"' + b"x" * 20_000_000 + b'"}', id="long-string"
        ),
        pytest.param(
            b'{"status":"Active","supplementalData":{"content":{"x":{'
            + b",".join(b'"k%d":%d' % (i, i) for i in range(200_000))
            + b"}}}}",
            id="many-keys",
        ),
        pytest.param(
            b'{"status":"Active","customerName":"' + b"[{" * 1_000_000 + b'"}',
            id="brackets-in-a-string",
        ),
    ],
)
def test_big_shallow_bodies_decode(body: bytes) -> None:
    assert isinstance(GET.parse(HttpResponse(200, JSON, body)), Success)


def test_tens_of_megabytes_of_customers_decode() -> None:
    page = {"results": [{"status": "Active", "notes": "x" * 1000}] * 30_000}
    body = msgspec.json.encode(
        {**page, "pageNumber": 1, "pageSize": 5000, "totalResults": 1, "_links": LINKS}
    )
    assert len(body) > 30_000_000
    customers = LIST.parse(HttpResponse(200, JSON, body)).unwrap()
    assert isinstance(customers.results, list)
    assert len(customers.results) == 30_000
