"""The cache keeps only answers the core accepted, and never resurrects pre-write data."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from codat_customers.plugins import CachePlugin
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from codat_customers import CodatCustomers

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"
CUSTOMER_PATH = f"/companies/{COMPANY}/data/customers/C-1"
PUSH_PATH = f"/companies/{COMPANY}/connections/{CONNECTION}/push/customers/C-1"
PUSH_BODY = {
    "companyId": COMPANY,
    "pushOperationKey": "0f0e0d0c-0b0a-0908-0706-050403020100",
    "dataConnectionKey": CONNECTION,
    "requestedOnUtc": "2024-01-01T00:00:00Z",
    "status": "Success",
    "statusCode": 200,
}


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    # The write must reach the server while the read is still being answered.
    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def client_for(server: HTTPServer, cache: CachePlugin) -> CodatCustomers:
    return CodatCustomers(
        "key", server_url=server.url_for("/").rstrip("/"), retry_config=None, cache=cache
    )


def test_a_200_the_core_rejects_is_not_cached(httpserver: HTTPServer) -> None:
    answers = iter(
        [
            Response("<html>proxy says hello</html>", content_type="text/html"),
            Response(
                json.dumps({"id": "C-1", "status": "Active"}), content_type="application/json"
            ),
        ]
    )
    httpserver.expect_request(CUSTOMER_PATH).respond_with_handler(lambda _: next(answers))
    with client_for(httpserver, CachePlugin()) as client:
        first = client.get({"company_id": COMPANY, "customer_id": "C-1"})
        second = client.get({"company_id": COMPANY, "customer_id": "C-1"})
    assert first.value_or(None) is None
    assert second.unwrap().id == "C-1"
    assert len(httpserver.log) == 2


def test_a_read_in_flight_during_a_write_is_not_stored(threaded_server: HTTPServer) -> None:
    httpserver = threaded_server
    release = threading.Event()
    reading = threading.Event()
    names = iter(["before", "after"])

    def slow_read(_: Request) -> Response:
        name = next(names)
        if name == "before":
            reading.set()
            assert release.wait(5)
        body = {"id": "C-1", "status": "Active", "customerName": name}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(CUSTOMER_PATH, method="GET").respond_with_handler(slow_read)
    httpserver.expect_request(PUSH_PATH, method="PUT").respond_with_json(PUSH_BODY)
    get = {"company_id": COMPANY, "customer_id": "C-1"}
    with client_for(httpserver, CachePlugin()) as client:
        results: list[str] = []
        reader = threading.Thread(
            target=lambda: results.append(str(client.get(get).unwrap().customer_name))
        )
        reader.start()
        assert reading.wait(5)
        client.update(
            {
                "company_id": COMPANY,
                "connection_id": CONNECTION,
                "customer_id": "C-1",
                "customer": {"status": "Active", "customer_name": "after"},
            }
        ).unwrap()
        release.set()
        reader.join(5)
        assert results == ["before"]
        # The pre-write answer must not have been cached: the next read goes to the server.
        assert client.get(get).unwrap().customer_name == "after"
    # The log is in order of completion: the slow first read finished after the write.
    assert [entry[0].method for entry in httpserver.log] == ["PUT", "GET", "GET"]
