"""``create``/``update`` against a sandbox whose pushes answer Pending: without ``--wait`` the
Pending answer is shown (exit 0); with ``--wait`` the final state is."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from cli_support import Cli
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.writes import PushOutcomes, WriteConfig


@pytest.fixture(scope="module")
def async_cli() -> Iterator[Cli]:
    with SandboxServer(writes=WriteConfig(push_mode="async", push_seconds=0.5)) as server:
        yield Cli(server)


def test_create_shows_pending_without_wait(async_cli: Cli) -> None:
    sandbox = async_cli.sandbox
    body = json.dumps({"customerName": "Wait Ltd", "status": "Active"})
    ran = async_cli("-o", "json", "create", sandbox.company_id, sandbox.connection_id, stdin=body)
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["status"] == "Pending"
    assert "--wait" in ran.err


def test_create_and_update_with_wait(async_cli: Cli) -> None:
    sandbox = async_cli.sandbox
    company, connection = sandbox.company_id, sandbox.connection_id
    body = json.dumps({"customerName": "Wait Ltd", "status": "Active"})
    ran = async_cli("-o", "json", "create", company, connection, "--wait", stdin=body)
    assert ran.code == 0, ran.err
    final = json.loads(ran.out)
    assert final["status"] == "Success" and "completedOnUtc" in final
    customer_id = final["changes"][0]["recordRef"]["id"]
    current = json.loads(async_cli("-o", "json", "get", company, customer_id).out)
    renamed = json.dumps({**current, "customerName": "Waited Ltd"})
    updated = async_cli(
        "-o", "json", "update", company, connection, customer_id, "--wait", stdin=renamed
    )
    assert updated.code == 0, updated.err
    assert json.loads(updated.out)["status"] == "Success"
    assert (
        json.loads(async_cli("-o", "json", "get", company, customer_id).out)["customerName"]
        == "Waited Ltd"
    )


def test_wait_reports_failed_and_timeouts(async_cli: Cli) -> None:
    sandbox = async_cli.sandbox
    company, connection = sandbox.company_id, sandbox.connection_id
    body = json.dumps({"customerName": "Wait Ltd", "status": "Active"})
    sandbox.set_writes(outcomes=PushOutcomes(success=0, failed=1))
    try:
        failed = async_cli("create", company, connection, "--wait", stdin=body)
        assert failed.code == 3 and "Failed" in failed.err
        sandbox.set_writes(push_seconds=3600)
        late = async_cli(
            "create", company, connection, "--wait", "--wait-timeout", "0.5", stdin=body
        )
        assert late.code == 3 and "still Pending" in late.err
    finally:
        sandbox.set_writes(WriteConfig(push_mode="async", push_seconds=0.5))
