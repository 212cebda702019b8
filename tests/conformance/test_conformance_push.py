"""The write lifecycle on every adapter (issue 15): a create answers Pending, the push reads
follow it, and the waiting helper returns the final operation, on both faces."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from codat_customers.core import ApiError, PushTimeoutError
from codat_customers.core.models import PushOperation
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.writes import WriteConfig
from conformance_support import Driver
from returns.result import Success

from codat_customers.models import errors
from codat_customers.push_operations import PushOperationsResource

POLL: dict[str, Any] = {"poll_interval_s": 0.05, "max_poll_interval_s": 0.1, "timeout_s": 30}


@pytest.fixture
def async_writes(sandbox: SandboxServer) -> Iterator[SandboxServer]:
    """The shared sandbox in push mode async, back to immediate after the test."""
    sandbox.set_writes(WriteConfig(push_mode="async", push_seconds=0.2))
    yield sandbox
    sandbox.set_writes(WriteConfig())


def _create(sandbox: SandboxServer) -> dict[str, Any]:
    return {
        "company_id": sandbox.company_id,
        "connection_id": sandbox.connection_id,
        "customer": {"customer_name": f"Conformance {uuid.uuid4()}", "status": "Active"},
    }


def test_result_face_follows_a_write(driver: Driver, async_writes: SandboxServer) -> None:
    client = driver.client()
    created = driver.invoke("result", client, "create", _create(async_writes))
    answer = created.unwrap()
    assert answer.status == "Pending" and answer.status_code == 202
    read = driver.invoke(
        "result",
        client,
        "get_push_operation",
        {"company_id": answer.company_id, "push_operation_key": answer.push_operation_key},
    )
    assert type(read.unwrap()) is PushOperation
    final = driver.invoke("result", client, "wait_for_push", answer, **POLL)
    assert isinstance(final, Success) and final.unwrap().status == "Success"
    page = driver.invoke(
        "result",
        client,
        "list_push_operations",
        {"company_id": answer.company_id, "query": f"pushOperationKey={answer.push_operation_key}"},
    )
    assert page.unwrap().total_results == 1
    missing = driver.invoke(
        "result",
        client,
        "get_push_operation",
        {"company_id": answer.company_id, "push_operation_key": str(uuid.uuid4())},
    )
    assert isinstance(missing.failure(), ApiError) and missing.failure().status == 404


def test_seed_face_follows_a_write(driver: Driver, async_writes: SandboxServer) -> None:
    client = driver.client()
    pushes = PushOperationsResource(client)
    answer = driver.invoke("seed", client, "create", _create(async_writes)).unwrap()
    unknown = {"company_id": answer.company_id, "push_operation_key": str(uuid.uuid4())}
    async_writes.set_writes(push_seconds=3600)
    slow = driver.invoke("seed", client, "create", _create(async_writes)).unwrap()
    short = {"timeout_s": 0.1, "poll_interval_s": 0.05}
    if driver.is_async:
        final = driver.run(pushes.wait_async(answer, **POLL))
        with pytest.raises(errors.ErrorMessage):
            driver.run(pushes.get_async(unknown))
        with pytest.raises(PushTimeoutError):
            driver.run(pushes.wait_async(slow, **short))
    else:
        final = pushes.wait(answer, **POLL)
        with pytest.raises(errors.ErrorMessage):
            pushes.get(unknown)
        with pytest.raises(PushTimeoutError):
            pushes.wait(slow, **short)
    assert final.status == "Success"
