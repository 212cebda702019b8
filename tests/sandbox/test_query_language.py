"""The query language and orderBy: the parser and SQL compiler, then over HTTP."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from codat_customers.sandbox.query import (
    And,
    Clause,
    FieldKind,
    Or,
    QueryError,
    UnknownPropertyError,
    compile_order,
    compile_query,
    parse_query,
)
from codat_customers.sandbox.testing import RawClient, assert_error

# --- parsing --------------------------------------------------------------------------


def test_and_binds_tighter_than_or() -> None:
    tree = parse_query("a=1||b=2&&c=3")
    assert tree == Or(
        (
            Clause("a", "=", "1", 1),
            And((Clause("b", "=", "2", 6), Clause("c", "=", "3", 11))),
        )
    )


def test_braces_group_and_spaces_are_allowed() -> None:
    tree = parse_query(" { a = x || b != y } && metadata.isDeleted != true ")
    assert isinstance(tree, And)
    assert isinstance(tree.terms[0], Or)
    assert tree.terms[1] == Clause("metadata.isDeleted", "!=", "true", 25)


@pytest.mark.parametrize(
    ("text", "op"),
    [("a>=1", ">="), ("a<=1", "<="), ("a!=1", "!="), ("a>1", ">"), ("a<1", "<"), ("a~1", "~")],
)
def test_longest_operator_wins(text: str, op: str) -> None:
    tree = parse_query(text)
    assert isinstance(tree, Clause)
    assert (tree.op, tree.value) == (op, "1")


def test_values_run_to_the_next_connective_and_are_trimmed() -> None:
    tree = parse_query("customerName = Acme Bakery Ltd. && status=Active")
    assert isinstance(tree, And)
    assert tree.terms[0] == Clause("customerName", "=", "Acme Bakery Ltd.", 1)


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        ("status", 7, "an operator"),
        ("=Active", 1, "a property name"),
        ("status=", 8, "a value"),
        ("status=Active &&", 17, "a property name"),
        ("{status=Active", 15, "'}'"),
        ("status=Active}", 14, "'&&', '||' or the end"),
        ("a.=1", 3, "a property name"),
        ("status=Active && {} ", 19, "a property name"),
    ],
)
def test_malformed_queries_say_where(text: str, position: int, expected: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert caught.value.position == position
    assert caught.value.message.startswith("Malformed query.")
    assert expected in caught.value.message
    assert f"position {position}" in caught.value.message


def test_length_limit_is_2048() -> None:
    parse_query("customerName=" + "x" * (2047 - len("customerName=")))
    with pytest.raises(QueryError, match="2048"):
        parse_query("customerName=" + "x" * (2048 - len("customerName=")))


# --- compiling ------------------------------------------------------------------------


def test_values_are_parameters_never_sql() -> None:
    compiled = compile_query("customerName=x' OR 1=1 --")
    assert "OR 1=1" not in compiled.sql
    assert compiled.params == ("x' OR 1=1 --",)


def test_typed_values() -> None:
    assert compile_query("metadata.isDeleted=TRUE").params == (1,)
    assert compile_query("modifiedDate>2023-01-05").params == ("2023-01-05T00:00:00Z",)
    assert compile_query("modifiedDate<2023-01-05T10:00:00+02:00").params == (
        "2023-01-05T08:00:00Z",
    )
    numbers = {"amount": FieldKind.NUMBER}
    compiled = compile_query("amount>=10.5", numbers)
    assert compiled.params == (10.5,)
    assert compiled.sql == "json_extract(doc, '$.amount') >= ?"


@pytest.mark.parametrize(
    "text",
    [
        "customerName>a",  # strings only compare for (in)equality and contain
        "metadata.isDeleted~t",
        "metadata.isDeleted=maybe",
        "modifiedDate~2023",
        "modifiedDate>yesterday",
    ],
)
def test_operators_on_the_wrong_type_are_rejected(text: str) -> None:
    with pytest.raises(QueryError):
        compile_query(text)


def test_number_must_be_numeric() -> None:
    with pytest.raises(QueryError, match="not a number"):
        compile_query("amount>ten", {"amount": FieldKind.NUMBER})


@pytest.mark.parametrize("path", ["addresses.city", "supplementalData.content", "isCompleted"])
def test_unqueryable_paths_do_not_resolve(path: str) -> None:
    with pytest.raises(UnknownPropertyError, match=f"Could not resolve property {path}"):
        compile_query(f"{path}=x")


def test_order_by_compiles_each_key() -> None:
    assert compile_order("-modifiedDate, customername") == (
        "modified_date DESC, customer_name COLLATE NOCASE ASC"
    )
    for bad in ("", "-", "addresses", "name;drop"):
        with pytest.raises(QueryError):
            compile_order(bad)


# --- over HTTP --------------------------------------------------------------------------


def _all(api: RawClient) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = api.list(pageSize=5000)["results"]
    return results


def _matching(api: RawClient, query: str, **params: Any) -> list[dict[str, Any]]:
    page = api.list(query=query, pageSize=5000, **params)
    assert page["totalResults"] == len(page["results"])
    results: list[dict[str, Any]] = page["results"]
    return results


def _deleted(customer: dict[str, Any]) -> bool:
    return bool(customer.get("metadata", {}).get("isDeleted"))


def test_equality_is_case_insensitive(api: RawClient) -> None:
    everyone = _all(api)
    active = [c["id"] for c in everyone if c["status"] == "Active"]
    assert 0 < len(active) < len(everyone)
    assert [c["id"] for c in _matching(api, "status=active")] == active
    assert [c["id"] for c in _matching(api, "status!=Active")] == [
        c["id"] for c in everyone if c["status"] != "Active"
    ]


def test_not_equal_keeps_records_without_the_property(api: RawClient) -> None:
    everyone = _all(api)
    bare = [c["id"] for c in everyone if "metadata" not in c]
    assert bare, "the seed should have customers without metadata"
    kept = [c["id"] for c in _matching(api, "metadata.isDeleted!=true")]
    assert kept == [c["id"] for c in everyone if not _deleted(c)]
    assert set(bare) <= set(kept)
    deleted = _matching(api, "metadata.isDeleted=true")
    assert deleted and all(_deleted(c) for c in deleted)


def test_contains_and_id_lookup(api: RawClient) -> None:
    everyone = _all(api)
    target = everyone[7]
    fragment = target["customerName"][1:5].upper()
    found = _matching(api, f"customerName~{fragment}")
    assert target["id"] in [c["id"] for c in found]
    assert all(fragment.lower() in c["customerName"].lower() for c in found)
    assert [c["id"] for c in _matching(api, f"id={target['id']}")] == [target["id"]]
    assert _matching(api, "customerName~%") == []  # LIKE wildcards are literal


def test_dates_compare_as_dates(api: RawClient) -> None:
    everyone = _all(api)
    pivot = sorted(c["modifiedDate"] for c in everyone)[20]
    moment = datetime.fromisoformat(pivot.replace("Z", "+00:00"))
    with_offset = moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + "+00:00"
    later = _matching(api, f"modifiedDate>={with_offset}")
    assert sorted(c["id"] for c in later) == sorted(
        c["id"] for c in everyone if c["modifiedDate"] >= pivot
    )
    day = pivot[:10]
    before = _matching(api, f"modifiedDate<{day}")
    assert all(c["modifiedDate"] < f"{day}T00:00:00Z" for c in before)


def test_grouping_and_precedence(api: RawClient) -> None:
    everyone = _all(api)
    query = "{status=Archived || status=Unknown} && metadata.isDeleted!=true"
    expected = [
        c["id"] for c in everyone if c["status"] in ("Archived", "Unknown") and not _deleted(c)
    ]
    assert [c["id"] for c in _matching(api, query)] == expected
    unbraced = "status=Archived || status=Unknown && metadata.isDeleted!=true"
    expected_unbraced = [
        c["id"]
        for c in everyone
        if c["status"] == "Archived" or (c["status"] == "Unknown" and not _deleted(c))
    ]
    assert [c["id"] for c in _matching(api, unbraced)] == expected_unbraced


def test_order_by_ascending_and_descending(api: RawClient) -> None:
    names = [c["customerName"].lower() for c in api.list(orderBy="customerName")["results"]]
    assert names == sorted(names)
    dates = [c["modifiedDate"] for c in api.list(orderBy="-modifiedDate")["results"]]
    assert dates == sorted(dates, reverse=True)
    filtered = api.list(query="status=Active", orderBy="-modifiedDate", pageSize=5)
    assert [c["status"] for c in filtered["results"]] == ["Active"] * 5


def test_malformed_query_is_400_with_position(api: RawClient) -> None:
    response = api.get(api.c + "/data/customers", params={"query": "status=Active &&"})
    body = assert_error(response, 400)
    assert body["error"].startswith("Error parsing query - Malformed query.")
    assert "position 17" in body["error"]
    assert body["service"] == "ClientsApi"


def test_unknown_property_is_400_from_pull_api(api: RawClient) -> None:
    response = api.get(api.c + "/data/customers", params={"query": "isCompleted=true"})
    body = assert_error(response, 400)
    assert (
        body["error"] == "Error parsing query - Could not resolve property isCompleted on Dataset"
    )
    assert body["service"] == "PullApi"
    assert_error(api.get(api.c + "/data/customers", params={"orderBy": "-nothing"}), 400)


def test_long_query_is_400(api: RawClient) -> None:
    response = api.get(api.c + "/data/customers", params={"query": "id=" + "x" * 2100})
    assert "2048" in assert_error(response, 400)["error"]
