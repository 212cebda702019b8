"""Writes as they really happen (issue 15): push mode ``async`` (Pending, then Success, Failed
or TimedOut), "visible after the next sync", the push-operation reads, and idempotency and
faults in both modes. A fake clock drives completion, so nothing sleeps."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.cli import build_parser
from codat_customers.sandbox.testing import RawClient, assert_error
from codat_customers.sandbox.writes import PushOutcomes, WriteConfig

NEW = {"customerName": "Harbour Coffee Roasters Ltd", "status": "Active"}


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _server(clock: FakeClock, **writes: Any) -> SandboxServer:
    return SandboxServer(clock=clock, writes=WriteConfig(**writes))


@pytest.fixture
def async_api(clock: FakeClock) -> Iterator[RawClient]:
    with _server(clock, push_mode="async", push_seconds=5) as server:
        client = RawClient(server)
        yield client
        client.close()


def _operation(api: RawClient, key: str) -> dict[str, Any]:
    response = api.get(f"{api.c}/push/{key}")
    assert response.status == 200, response.data
    result: dict[str, Any] = response.json()
    return result


def test_async_push_answers_pending_then_succeeds(async_api: RawClient, clock: FakeClock) -> None:
    response = async_api.create(NEW)
    assert response.status == 200
    pending = response.json()
    assert pending["status"] == "Pending" and pending["statusCode"] == 202
    assert "completedOnUtc" not in pending and not pending.get("changes")
    key = pending["pushOperationKey"]
    tracked = _operation(async_api, key)
    assert tracked["status"] == "Pending" and "data" not in tracked
    clock.advance(4.9)
    assert _operation(async_api, key)["status"] == "Pending"
    clock.advance(0.2)
    final = _operation(async_api, key)
    assert final["status"] == "Success" and final["statusCode"] == 200
    assert final["completedOnUtc"] == "2026-01-05T09:00:05Z"
    customer_id = final["changes"][0]["recordRef"]["id"]
    assert async_api.get(f"{async_api.c}/data/customers/{customer_id}").status == 200


def test_the_record_is_absent_until_the_push_completes(
    async_api: RawClient, clock: FakeClock
) -> None:
    query = "customerName=Harbour Coffee Roasters Ltd"
    before = async_api.list(query=query)["totalResults"]
    async_api.create(NEW)
    assert async_api.list(query=query)["totalResults"] == before
    clock.advance(6)
    assert async_api.list(query=query)["totalResults"] == before + 1


def test_a_push_breaking_the_model_is_pending_then_failed(
    async_api: RawClient, clock: FakeClock
) -> None:
    pending = async_api.create({"status": "Active"}).json()  # no customerName
    assert pending["status"] == "Pending"
    clock.advance(5)
    final = _operation(async_api, pending["pushOperationKey"])
    assert final["status"] == "Failed" and final["statusCode"] == 400
    assert final["validation"]["errors"][0]["itemId"] == "customerName"
    assert final["changes"] == []


@pytest.mark.parametrize(
    ("outcomes", "status", "lands"),
    [
        (PushOutcomes(success=0, failed=1), "Failed", False),
        (PushOutcomes(success=0, timed_out=1), "TimedOut", True),
    ],
)
def test_the_mix_of_outcomes(
    clock: FakeClock, outcomes: PushOutcomes, status: str, lands: bool
) -> None:
    with _server(clock, push_mode="async", push_seconds=1, outcomes=outcomes) as server:
        api = RawClient(server)
        before = api.list()["totalResults"]
        key = api.create(NEW).json()["pushOperationKey"]
        clock.advance(1)
        final = _operation(api, key)
        assert final["status"] == status
        assert "completedOnUtc" in final
        if status == "Failed":
            assert final["validation"]["errors"][0]["validatorName"] == "Platform"
        # A TimedOut write still lands.
        assert api.list()["totalResults"] == before + (1 if lands else 0)
        api.close()


def test_a_push_slower_than_its_timeout_times_out_and_still_lands(clock: FakeClock) -> None:
    with _server(clock, push_mode="async", push_seconds=120) as server:
        api = RawClient(server)
        before = api.list()["totalResults"]
        pending = api.create(NEW, params={"timeoutInMinutes": 1}).json()
        assert pending["timeoutInMinutes"] == 1
        clock.advance(120)
        assert _operation(api, pending["pushOperationKey"])["status"] == "TimedOut"
        assert api.list()["totalResults"] == before + 1
        api.close()


def test_async_update_lands_on_completion(async_api: RawClient, clock: FakeClock) -> None:
    customer_id = async_api.server.customer_id
    current = async_api.get(f"{async_api.c}/data/customers/{customer_id}").json()
    changed = {**current, "customerName": "Renamed Ltd"}
    pending = async_api.update(customer_id, changed).json()
    assert pending["status"] == "Pending"
    path = f"{async_api.c}/data/customers/{customer_id}"
    assert async_api.get(path).json()["customerName"] == current["customerName"]
    clock.advance(5)
    assert async_api.get(path).json()["customerName"] == "Renamed Ltd"
    final = _operation(async_api, pending["pushOperationKey"])
    assert final["changes"][0]["type"] == "Modified"


def test_visible_after_the_next_sync(clock: FakeClock) -> None:
    with _server(clock, sync_interval_seconds=60) as server:
        api = RawClient(server)
        operation = api.create(NEW).json()
        assert operation["status"] == "Success"  # immediate mode: final at once...
        path = f"{api.c}/data/customers/{operation['changes'][0]['recordRef']['id']}"
        assert api.get(path).status == 404  # ...but not synced yet
        clock.advance(59)
        assert api.get(path).status == 404
        clock.advance(1)
        assert api.get(path).status == 200
        # An admin call runs a sync at once.
        second = api.create(NEW).json()["changes"][0]["recordRef"]["id"]
        assert api.get(f"{api.c}/data/customers/{second}").status == 404
        assert api.admin("POST", "sync").json() == {"synced": 1}
        assert api.get(f"{api.c}/data/customers/{second}").status == 200
        api.close()


def test_async_and_sync_together(clock: FakeClock) -> None:
    with _server(clock, push_mode="async", push_seconds=5, sync_interval_seconds=30) as server:
        api = RawClient(server)
        key = api.create(NEW).json()["pushOperationKey"]
        clock.advance(5)
        final = _operation(api, key)
        path = f"{api.c}/data/customers/{final['changes'][0]['recordRef']['id']}"
        assert final["status"] == "Success" and api.get(path).status == 404
        clock.advance(30)
        assert api.get(path).status == 200
        api.close()


def test_idempotency_replays_the_pending_answer(async_api: RawClient, clock: FakeClock) -> None:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = async_api.create(NEW, headers=headers)
    again = async_api.create(NEW, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    history = async_api.get(f"{async_api.c}/push").json()
    assert history["totalResults"] == 1


def test_push_then_500_still_schedules_the_write(async_api: RawClient, clock: FakeClock) -> None:
    async_api.server.set_faults(push_then_500_rate=1.0)
    assert_error(async_api.create(NEW), 500)
    async_api.server.clear_faults()
    history = async_api.get(f"{async_api.c}/push").json()["results"]
    assert [op["status"] for op in history] == ["Pending"]
    clock.advance(5)
    assert _operation(async_api, history[0]["pushOperationKey"])["status"] == "Success"


def test_push_history_paging_query_and_order(async_api: RawClient, clock: FakeClock) -> None:
    keys = []
    for _ in range(3):
        keys.append(async_api.create(NEW).json()["pushOperationKey"])
        clock.advance(1)
    async_api.create({"status": "Active"})  # fails when it completes
    clock.advance(10)
    page = async_api.get(f"{async_api.c}/push", params={"pageSize": 2}).json()
    assert page["totalResults"] == 4 and len(page["results"]) == 2
    assert "next" in page["_links"]
    assert [op["pushOperationKey"] for op in page["results"]] == keys[:2]
    failed = async_api.get(f"{async_api.c}/push", params={"query": "status=Failed"}).json()
    assert failed["totalResults"] == 1
    newest = async_api.get(f"{async_api.c}/push", params={"orderBy": "-requestedOnUtc"}).json()
    assert newest["results"][-1]["pushOperationKey"] == keys[0]
    bad = async_api.get(f"{async_api.c}/push", params={"query": "nope=1"})
    assert_error(bad, 400)


def test_unknown_push_key_and_company_are_404(async_api: RawClient) -> None:
    assert_error(async_api.get(f"{async_api.c}/push/{uuid.uuid4()}"), 404)
    assert_error(async_api.get(f"/companies/{uuid.uuid4()}/push"), 404)


def test_admin_switches_the_mode(clock: FakeClock) -> None:
    with _server(clock) as server:
        api = RawClient(server)
        assert api.create(NEW).json()["status"] == "Success"
        config = api.admin("POST", "writes", {"push_mode": "async"}).json()
        assert config["push_mode"] == "async"
        pending = api.create(NEW).json()
        assert pending["status"] == "Pending"
        assert api.admin("POST", "complete-pushes").json() == {"completed": 1}
        assert _operation(api, pending["pushOperationKey"])["status"] == "Success"
        assert api.admin("POST", "writes", {"push_mode": "later"}).status == 400
        assert api.admin("DELETE", "writes").json()["push_mode"] == "immediate"
        api.close()


@pytest.mark.codat_sandbox(push_mode="async")
def test_the_fixture_takes_the_push_mode(codat_sandbox: SandboxServer) -> None:
    assert codat_sandbox.state.writes.config.push_mode == "async"


def test_the_cli_parses_the_write_options() -> None:
    args = build_parser().parse_args(
        [
            "sandbox",
            "--push-mode",
            "async",
            "--push-seconds",
            "3",
            "--push-outcomes",
            "success=8,failed=1,timed_out=1",
            "--sync-interval",
            "10",
        ]
    )
    assert args.push_mode == "async" and args.push_seconds == 3
    assert args.push_outcomes == PushOutcomes(success=8, failed=1, timed_out=1)
    assert args.sync_interval == 10
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sandbox", "--push-outcomes", "success=-1"])
