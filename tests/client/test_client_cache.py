"""The opt-in cache over a real socket: credential isolation, invalidation, TTL, LRU."""

from __future__ import annotations

from client_support import (
    API_KEY,
    AUTH_VALUE,
    BASE,
    COMPANY,
    CONN,
    CONNECTION,
    CUSTOMER,
    CUSTOMER_JSON,
    OTHER_KEY,
    PUSH_JSON,
    Sequence,
    customers_page,
    error_json,
    json_response,
    serve_download,
)
from codat_customers.plugins import CachePlugin, authorization_value
from pytest_httpserver import HTTPServer
from returns.result import Failure, Success

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import shared

GET_REQ = {"company_id": COMPANY, "customer_id": CUSTOMER}
GET_PATH = f"{BASE}/data/customers/{CUSTOMER}"
OTHER_COMPANY = "0f6d9a1e-1111-2222-3333-444455556666"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def serve_customer(httpserver: HTTPServer, path: str = GET_PATH) -> Sequence:
    seq = Sequence(lambda: json_response(CUSTOMER_JSON))
    httpserver.expect_request(path, method="GET").respond_with_handler(seq)
    return seq


def test_two_api_keys_sharing_one_cache_never_see_each_others_entries(
    httpserver: HTTPServer, base_url: str
) -> None:
    seq = serve_customer(httpserver)
    cache = CachePlugin(ttl=60)
    alice = CodatCustomers(API_KEY, server_url=base_url, cache=cache)
    bob = CodatCustomers(OTHER_KEY, server_url=base_url, cache=cache)

    assert isinstance(alice.get(GET_REQ), Success)
    assert seq.count == 1
    assert isinstance(alice.get(GET_REQ), Success)
    assert seq.count == 1  # served from the cache
    assert cache.hits == 1

    assert isinstance(bob.get(GET_REQ), Success)
    assert seq.count == 2  # Bob's key must reach the server
    assert seq.headers[1]["authorization"] == authorization_value(OTHER_KEY)
    assert isinstance(bob.get(GET_REQ), Success)
    assert isinstance(alice.get(GET_REQ), Success)
    assert seq.count == 2
    assert [h["authorization"] for h in seq.headers] == [AUTH_VALUE, authorization_value(OTHER_KEY)]


def test_a_client_without_credentials_does_not_read_a_keyed_entry(
    httpserver: HTTPServer, base_url: str
) -> None:
    seq = serve_customer(httpserver)
    cache = CachePlugin()
    CodatCustomers(API_KEY, server_url=base_url, cache=cache).get(GET_REQ)
    CodatCustomers(None, server_url=base_url, cache=cache).get(GET_REQ)
    assert seq.count == 2
    assert "authorization" not in seq.headers[1]


def test_seed_client_cache_hit_returns_an_equal_model(
    httpserver: HTTPServer, base_url: str
) -> None:
    seq = serve_customer(httpserver)
    s = CodatAccounting(
        security=shared.Security(auth_header=AUTH_VALUE), server_url=base_url, cache=CachePlugin()
    )
    first = s.customers.get(request=GET_REQ)
    second = s.customers.get(request=GET_REQ)
    assert first == second
    assert second.customer_name == CUSTOMER_JSON["customerName"]
    assert seq.count == 1


def test_different_queries_are_different_entries(httpserver: HTTPServer, base_url: str) -> None:
    seq = Sequence(lambda: json_response(customers_page([CUSTOMER_JSON])))
    httpserver.expect_request(f"{BASE}/data/customers").respond_with_handler(seq)
    client = CodatCustomers(API_KEY, server_url=base_url, cache=CachePlugin())
    client.list({"company_id": COMPANY, "page": 1})
    client.list({"company_id": COMPANY, "page": 2})
    client.list({"company_id": COMPANY, "page": 1})
    client.list({"company_id": COMPANY, "page": 2})
    assert seq.count == 2


def test_create_and_update_invalidate_the_companys_entries(
    httpserver: HTTPServer, base_url: str
) -> None:
    seq = serve_customer(httpserver)
    other = serve_customer(httpserver, f"/companies/{OTHER_COMPANY}/data/customers/{CUSTOMER}")
    httpserver.expect_request(f"{CONN}/push/customers", method="POST").respond_with_json(PUSH_JSON)
    httpserver.expect_request(f"{CONN}/push/customers/{CUSTOMER}", method="PUT").respond_with_json(
        PUSH_JSON
    )
    cache = CachePlugin()
    client = CodatCustomers(API_KEY, server_url=base_url, cache=cache)
    other_req = {"company_id": OTHER_COMPANY, "customer_id": CUSTOMER}

    client.get(GET_REQ)
    client.get(other_req)
    client.get(GET_REQ)
    assert (seq.count, other.count) == (1, 1)

    created = client.create(
        {"company_id": COMPANY, "connection_id": CONNECTION, "customer": {"status": "Active"}}
    )
    assert isinstance(created, Success)
    client.get(GET_REQ)
    client.get(other_req)
    assert (seq.count, other.count) == (2, 1)  # only the written company was dropped

    updated = client.update(
        {
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": CUSTOMER,
            "customer": {"status": "Archived"},
        }
    )
    assert isinstance(updated, Success)
    client.get(GET_REQ)
    client.get(GET_REQ)
    assert seq.count == 3


def test_a_failed_write_still_invalidates(httpserver: HTTPServer, base_url: str) -> None:
    seq = serve_customer(httpserver)
    httpserver.expect_request(f"{CONN}/push/customers", method="POST").respond_with_json(
        error_json(400), status=400
    )
    client = CodatCustomers(API_KEY, server_url=base_url, cache=CachePlugin())
    client.get(GET_REQ)
    outcome = client.create(
        {"company_id": COMPANY, "connection_id": CONNECTION, "customer": {"status": "Active"}}
    )
    assert isinstance(outcome, Failure)
    client.get(GET_REQ)
    assert seq.count == 2


def test_entries_expire_after_the_ttl(httpserver: HTTPServer, base_url: str) -> None:
    seq = serve_customer(httpserver)
    clock = FakeClock()
    client = CodatCustomers(API_KEY, server_url=base_url, cache=CachePlugin(ttl=10, clock=clock))
    client.get(GET_REQ)
    clock.now += 9.9
    client.get(GET_REQ)
    assert seq.count == 1
    clock.now += 0.2
    client.get(GET_REQ)
    assert seq.count == 2
    clock.now += 5
    client.get(GET_REQ)
    assert seq.count == 2


def test_least_recently_used_entry_is_evicted(httpserver: HTTPServer, base_url: str) -> None:
    seqs = {
        cid: serve_customer(httpserver, f"{BASE}/data/customers/{cid}") for cid in ("a", "b", "c")
    }
    cache = CachePlugin(max_entries=2)
    client = CodatCustomers(API_KEY, server_url=base_url, cache=cache)
    for cid in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" arrives
        client.get({"company_id": COMPANY, "customer_id": cid})
    assert len(cache) == 2
    for cid in ("a", "c", "b"):
        client.get({"company_id": COMPANY, "customer_id": cid})
    assert {cid: seq.count for cid, seq in seqs.items()} == {"a": 1, "b": 2, "c": 1}


def test_errors_and_downloads_are_not_cached(httpserver: HTTPServer, base_url: str) -> None:
    seq = Sequence(lambda: json_response(error_json(404), 404))
    httpserver.expect_request(GET_PATH).respond_with_handler(seq)
    serve_download(httpserver, 64 * 1024)
    cache = CachePlugin()
    client = CodatCustomers(API_KEY, server_url=base_url, cache=cache)
    client.get(GET_REQ)
    client.get(GET_REQ)
    assert seq.count == 2
    request = {
        "company_id": COMPANY,
        "connection_id": CONNECTION,
        "customer_id": CUSTOMER,
        "attachment_id": "8a210b68-6988-11ed-a1eb-0242ac120003",
    }
    for _ in range(2):
        outcome = client.download_attachment(request)
        assert len(outcome.unwrap().read()) == 64 * 1024
    downloads = [r for r, _ in httpserver.log if r.path.endswith("/download")]
    assert len(downloads) == 2
    assert len(cache) == 0
