"""Paging ends even when the server does not advance through pages."""

from __future__ import annotations

import itertools
import json

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from codat_customers import CodatCustomers

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"


def test_server_that_ignores_page_parameter_does_not_loop_forever(
    httpserver: HTTPServer,
) -> None:
    # A server (or proxy) that ignores ?page= always answers page 1 of 10.
    asked: list[str] = []

    def handler(request: Request) -> Response:
        asked.append(request.args["page"])
        body = {
            "results": [{"id": "C-1", "status": "Active"}, {"id": "C-2", "status": "Active"}],
            "pageNumber": 1,
            "pageSize": 2,
            "totalResults": 20,
            "_links": {"self": {"href": "/x"}, "current": {"href": "/x"}},
        }
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(f"/companies/{COMPANY}/data/customers").respond_with_handler(handler)
    with CodatCustomers(
        "key", server_url=httpserver.url_for("/").rstrip("/"), retry_config=None
    ) as client:
        pages = list(
            itertools.islice(client.iter_pages({"company_id": COMPANY, "page_size": 2}), 50)
        )
    assert len(pages) < 50
    assert asked == ["1", "2"]
