"""iter_all / iter_pages over a real socket: three pages following pageNumber/totalResults."""

from __future__ import annotations

import pytest
from client_support import BASE, COMPANY, Sequence, customers_page, error_json, json_response
from pytest_httpserver import HTTPServer
from returns.result import Failure, Success
from werkzeug import Request, Response

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import errors

LIST_PATH = f"{BASE}/data/customers"
TOTAL = 5
SIZE = 2


def paged_handler(fail_on: int | None = None):
    """Serve 5 customers in pages of ``pageSize``; record the pages asked for."""
    asked: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        asked.append(dict(request.args))
        page = int(request.args["page"])
        size = int(request.args["pageSize"])
        if page == fail_on:
            return json_response(error_json(409, "The data set has not been requested."), 409)
        ids = range((page - 1) * size, min(page * size, TOTAL))
        results = [{"id": f"C-{i}", "status": "Active", "customerName": f"N{i}"} for i in ids]
        return json_response(customers_page(results, page=page, size=size, total=TOTAL))

    return handler, asked


def test_iter_all_follows_three_pages(httpserver: HTTPServer, sdk: CodatAccounting) -> None:
    handler, asked = paged_handler()
    httpserver.expect_request(LIST_PATH).respond_with_handler(handler)
    customers = sdk.customers.iter_all(
        request={"company_id": COMPANY, "page_size": SIZE, "query": "status=Active"}
    )
    assert [c.id for c in customers] == [f"C-{i}" for i in range(TOTAL)]
    assert asked == [
        {"page": str(page), "pageSize": "2", "query": "status=Active"} for page in (1, 2, 3)
    ]


def test_iter_all_is_lazy(httpserver: HTTPServer, sdk: CodatAccounting) -> None:
    handler, asked = paged_handler()
    httpserver.expect_request(LIST_PATH).respond_with_handler(handler)
    iterator = sdk.customers.iter_all(request={"company_id": COMPANY, "page_size": SIZE})
    assert asked == []
    assert next(iterator).id == "C-0"
    assert next(iterator).id == "C-1"
    assert len(asked) == 1
    assert next(iterator).id == "C-2"
    assert len(asked) == 2


def test_iter_pages_yields_three_results(httpserver: HTTPServer, results: CodatCustomers) -> None:
    handler, asked = paged_handler()
    httpserver.expect_request(LIST_PATH).respond_with_handler(handler)
    pages = list(results.iter_pages({"company_id": COMPANY, "page_size": SIZE}))
    assert all(isinstance(page, Success) for page in pages)
    assert [p.unwrap().page_number for p in pages] == [1, 2, 3]
    assert [len(p.unwrap().results) for p in pages] == [2, 2, 1]
    assert [a["page"] for a in asked] == ["1", "2", "3"]


def test_iter_pages_starts_from_the_requested_page(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    handler, asked = paged_handler()
    httpserver.expect_request(LIST_PATH).respond_with_handler(handler)
    pages = list(results.iter_pages({"company_id": COMPANY, "page_size": SIZE, "page": 2}))
    assert [p.unwrap().page_number for p in pages] == [2, 3]
    assert [a["page"] for a in asked] == ["2", "3"]


def test_iter_pages_stops_after_a_failure(httpserver: HTTPServer, results: CodatCustomers) -> None:
    handler, asked = paged_handler(fail_on=2)
    httpserver.expect_request(LIST_PATH).respond_with_handler(handler)
    pages = list(results.iter_pages({"company_id": COMPANY, "page_size": SIZE}))
    assert isinstance(pages[0], Success)
    assert isinstance(pages[1], Failure)
    assert pages[1].failure().status == 409
    assert len(pages) == 2
    assert len(asked) == 2


def test_iter_all_raises_the_failure_after_the_good_pages(
    httpserver: HTTPServer, sdk: CodatAccounting
) -> None:
    handler, _ = paged_handler(fail_on=2)
    httpserver.expect_request(LIST_PATH).respond_with_handler(handler)
    seen: list[str] = []
    with pytest.raises(errors.ErrorMessage) as info:
        for customer in sdk.customers.iter_all(request={"company_id": COMPANY, "page_size": SIZE}):
            seen.append(customer.id)
    assert seen == ["C-0", "C-1"]
    assert info.value.status_code == 409


def test_an_empty_page_ends_paging_even_if_total_says_more(
    httpserver: HTTPServer, sdk: CodatAccounting
) -> None:
    seq = Sequence(lambda: json_response(customers_page([], page=1, size=2, total=100)))
    httpserver.expect_request(LIST_PATH).respond_with_handler(seq)
    assert list(sdk.customers.iter_all(request={"company_id": COMPANY, "page_size": 2})) == []
    assert seq.count == 1


def test_invalid_paging_request_fails_before_any_request(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    pages = list(results.iter_pages({"company_id": COMPANY, "page_size": 0}))
    assert len(pages) == 1
    assert isinstance(pages[0].failure(), errors.RequestValidationError)
    assert httpserver.log == []
