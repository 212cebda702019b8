"""Paging: page numbers, sizes, totals after filtering and the _links."""

from __future__ import annotations

import pytest
from codat_customers.sandbox.testing import RawClient, assert_error


def test_pages_cover_every_record_once(api: RawClient) -> None:
    seen: list[str] = []
    page_number = 1
    while True:
        page = api.list(page=page_number, pageSize=7)
        assert page["pageSize"] == 7 and page["totalResults"] == 40
        seen += [c["id"] for c in page["results"]]
        if "next" not in page["_links"]:
            break
        page_number += 1
    assert page_number == 6
    assert len(seen) == len(set(seen)) == 40
    assert seen == [c["id"] for c in api.list()["results"]]


def test_links_follow_the_documented_shape(api: RawClient) -> None:
    base = api.c + "/data/customers"
    response = api.get(base, raw_query="page=2&pageSize=5&query=metadata.isDeleted!%3Dtrue")
    links = response.json()["_links"]
    assert links["self"] == {"href": base}
    assert links["current"] == {
        "href": base + "?page=2&pageSize=5&query=metadata.isDeleted!%3Dtrue"
    }
    assert links["next"] == {"href": base + "?page=3&pageSize=5&query=metadata.isDeleted!%3Dtrue"}
    assert links["previous"] == {
        "href": base + "?page=1&pageSize=5&query=metadata.isDeleted!%3Dtrue"
    }


def test_first_page_has_no_previous_and_last_no_next(api: RawClient) -> None:
    first = api.list(pageSize=20)
    assert "previous" not in first["_links"]
    assert first["_links"]["current"]["href"].endswith("/data/customers?pageSize=20")
    assert first["_links"]["next"]["href"].endswith("/data/customers?page=2&pageSize=20")
    last = api.list(page=2, pageSize=20)
    assert "next" not in last["_links"]
    assert last["_links"]["previous"]["href"].endswith("?page=1&pageSize=20")
    bare = api.get(api.c + "/data/customers").json()["_links"]
    assert bare["current"] == bare["self"]
    assert "next" not in bare and "previous" not in bare


def test_links_encode_characters_that_are_not_uri_safe(api: RawClient) -> None:
    response = api.get(api.c + "/data/customers", raw_query="pageSize=1&query={status=Active}")
    assert response.status == 200
    assert response.json()["_links"]["next"]["href"].endswith(
        "?page=2&pageSize=1&query=%7Bstatus=Active%7D"
    )


def test_total_counts_after_filtering(api: RawClient) -> None:
    everyone = api.list()["results"]
    page = api.list(query="status=Active", pageSize=3)
    assert page["totalResults"] == sum(c["status"] == "Active" for c in everyone)
    assert len(page["results"]) == 3


def test_past_the_last_page_is_empty(api: RawClient) -> None:
    page = api.list(page=9, pageSize=10)
    assert page["results"] == []
    assert page["totalResults"] == 40
    assert "next" not in page["_links"] and "previous" in page["_links"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page": -1},
        {"page": "two"},
        {"pageSize": 0},
        {"pageSize": 5001},
        {"pageSize": "x"},
        {"page": 2**31},
    ],
)
def test_out_of_range_paging_is_400(api: RawClient, params: dict[str, object]) -> None:
    assert_error(api.get(api.c + "/data/customers", params=params), 400)


def test_max_page_size_is_accepted(api: RawClient) -> None:
    assert api.list(pageSize=5000)["pageSize"] == 5000
