"""List pages assembled from stored bytes are exactly what encoding the models gives.

The sandbox keeps each customer as the bytes a list page carries (``wire``), made when the
customer is written, and joins them into a page. These tests hold that to the old rule: a
page's body is byte for byte the encoding of ``Customers`` decoded from it, whatever the
query, order, page or write path, and a database written before the column existed reads
the same.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import msgspec
import pytest
from codat_customers.core.models import Customer, Customers
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.storage import Store, wire_form
from codat_customers.sandbox.testing import RawClient

_PAGE = msgspec.json.Decoder(Customers)
_CUSTOMER = msgspec.json.Decoder(Customer)


def _page_bytes(api: RawClient, **params: Any) -> bytes:
    response = api.get(api.c + "/data/customers", params=params)
    assert response.status == 200, response.data
    return bytes(response.data)


def _canonical(body: bytes) -> bytes:
    return msgspec.json.encode(_PAGE.decode(body))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": 2, "pageSize": 7},
        {"pageSize": 5000},
        {"query": "status=Active && metadata.isDeleted!=true", "orderBy": "-modifiedDate"},
        {"query": "customerName~a || status=Archived", "orderBy": "customerName,-id"},
        {"page": 99, "pageSize": 10},
        {"query": "id=no-such-customer"},
    ],
)
def test_a_page_is_the_encoding_of_its_model(api: RawClient, params: dict[str, Any]) -> None:
    body = _page_bytes(api, **params)
    assert body == _canonical(body)


def test_each_listed_customer_is_the_stored_one(api: RawClient) -> None:
    page = _PAGE.decode(_page_bytes(api, pageSize=40))
    assert page.results
    for customer in page.results:
        stored = api.get(f"{api.c}/data/customers/{customer.id}")
        assert _CUSTOMER.decode(stored.data) == customer


def test_written_customers_are_listed_in_the_encoding_of_the_model(api: RawClient) -> None:
    created = api.create(
        {"customerName": "Wire Ltd", "status": "Active", "contactName": "Ada", "phone": "1"}
    ).json()["data"]
    api.update(created["id"], {**created, "customerName": "Wire Two Ltd"})
    body = _page_bytes(api, query="customerName~Wire")
    assert body == _canonical(body)
    (listed,) = _PAGE.decode(body).results or []
    assert listed.customer_name == "Wire Two Ltd"


def test_writes_applied_by_a_sync_are_listed_in_the_encoding_of_the_model() -> None:
    with SandboxServer(customers=3, push_mode="immediate") as server:
        server.set_writes(sync_interval_seconds=3600)
        api = RawClient(server)
        seeded = api.list()["results"][0]
        api.update(seeded["id"], {**seeded, "customerName": "Synced Ltd"})
        api.create({"customerName": "Synced New Ltd", "status": "Archived"})
        assert server.sync() == 2
        body = _page_bytes(api, query="customerName~Synced", orderBy="customerName")
        assert body == _canonical(body)
        names = [c.customer_name for c in _PAGE.decode(body).results or []]
        assert names == ["Synced Ltd", "Synced New Ltd"]
        api.close()


def test_a_database_from_before_the_wire_column_lists_the_same(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with SandboxServer(db_path=db, customers=30) as server:
        api = RawClient(server)
        before = [_page_bytes(api, page=n, pageSize=8) for n in (1, 2, 4)]
        api.close()
    old = sqlite3.connect(db)
    old.execute("ALTER TABLE customers DROP COLUMN wire")
    old.close()
    with SandboxServer(db_path=db) as server:
        api = RawClient(server)
        assert [_page_bytes(api, page=n, pageSize=8) for n in (1, 2, 4)] == before
        api.close()


def test_a_stored_document_that_is_not_a_customer_fails_only_when_listed(tmp_path: Path) -> None:
    # Only a snapshot can store such a document; listing it fails as it always did.
    store = Store(tmp_path / "sandbox.db")
    try:
        store.add_company("c", "C")
        assert wire_form(b'{"id": "x", "customerName": "No status"}') is None
        store.bulk_insert_customers("c", [("x", b'{"id": "x", "customerName": "No status"}')])
        assert store.get_customer("c", "x") is not None
        with pytest.raises(msgspec.ValidationError):
            store.list_customers("c", None, None, 10, 0)
    finally:
        store.close()


def test_pages_keep_the_order_asked_for_across_the_whole_listing(api: RawClient) -> None:
    ordered = [c["id"] for c in api.list(pageSize=40, orderBy="-customerName")["results"]]
    paged = [
        c["id"]
        for n in range(1, 9)
        for c in api.list(page=n, pageSize=5, orderBy="-customerName")["results"]
    ]
    assert paged == ordered and len(set(paged)) == 40
