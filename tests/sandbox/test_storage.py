"""Persistence across restarts, big streamed attachments, and in-process use of the app."""

from __future__ import annotations

import asyncio
import hashlib
import tracemalloc
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from codat_customers.sandbox import SandboxServer, create_app, sandbox_state
from codat_customers.sandbox.admin import pattern_chunks
from codat_customers.sandbox.testing import RawClient


def test_restart_on_the_same_file_keeps_data(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with SandboxServer(db_path=db, customers=5) as first:
        api = RawClient(first)
        created = api.create({"customerName": "Survivor Ltd", "status": "Active"}).json()["data"]
        seeded = api.list()["results"][0]
        api.update(seeded["id"], {**seeded, "customerName": "Changed Ltd"})
        customer_id = first.customer_id
    with SandboxServer(db_path=db, customers=500, seed=99) as second:
        api = RawClient(second)
        assert second.customer_id == customer_id  # not re-seeded
        page = api.list()
        assert page["totalResults"] == 6
        names = {c["customerName"] for c in page["results"]}
        assert {"Survivor Ltd", "Changed Ltd"} <= names
        assert api.get(f"{api.c}/data/customers/{created['id']}").json() == created
    assert db.exists()


def test_seeding_is_deterministic() -> None:
    def snapshot(seed: int) -> list[Any]:
        with SandboxServer(seed=seed, customers=15) as server:
            api = RawClient(server)
            files = api.get(f"{api.k}/data/customers/{server.customer_id}/attachments").json()
            return [api.list()["results"], files]

    assert snapshot(3) == snapshot(3)
    assert snapshot(3) != snapshot(4)


def test_big_attachment_streams_without_loading_it_whole(api: RawClient) -> None:
    size = 48 * 1024 * 1024 + 123
    tracemalloc.start()
    try:
        added = api.admin("POST", "attachments", {"size": size, "name": "big.bin"})
        assert added.status == 201
        info = added.json()
        expected = hashlib.sha256(b"".join(pattern_chunks(size))).hexdigest()
        tracemalloc.reset_peak()
        assert info["sha256"] == expected
        attachment = info["attachment"]
        path = (
            f"{api.k}/data/customers/{info['customerId']}/attachments/{attachment['id']}/download"
        )
        response = api.get(path, preload=False)
        assert int(response.headers["content-length"]) == size
        digest = hashlib.sha256()
        for chunk in response.stream(256 * 1024):
            digest.update(chunk)
        response.release_conn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest.hexdigest() == expected
    # Server and client share this process: both together stay far below the file size.
    assert peak < 16 * 1024 * 1024, peak
    listed = api.get(f"{api.k}/data/customers/{info['customerId']}/attachments").json()
    assert attachment in listed["attachments"]


def test_admin_attachment_needs_a_known_customer(api: RawClient) -> None:
    assert api.admin("POST", "attachments", {"size": 1, "customer_id": "nope"}).status == 404
    assert api.admin("POST", "attachments", {"size": -1}).status == 400


def test_in_process_app_answers_asgi_calls() -> None:
    app = create_app(customers=3)
    state = sandbox_state(app)
    sent: list[MutableMapping[str, Any]] = []

    async def call() -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": f"/companies/{state.seed.company_id if state.seed else ''}/data/customers",
            "raw_path": b"",
            "query_string": b"pageSize=2",
            "root_path": "",
            "headers": [(b"authorization", state.auth_header.encode())],
            "server": ("sandbox", 80),
            "client": ("test", 1),
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)

    asyncio.run(call())
    state.store.close()
    assert sent[0]["status"] == 200
    assert b'"totalResults":3' in sent[1]["body"]
