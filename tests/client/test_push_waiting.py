"""Following a write to its outcome (issue 15): the push reads on both faces, sync and async,
and the waiting helper: its policy with a fake clock, and the whole lifecycle against a
sandbox in push mode ``async``."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from codat_customers.core import (
    ApiError,
    CodatError,
    PushTimeoutError,
    RequestValidationError,
)
from codat_customers.core.models import (
    CreateCustomerResponse,
    Customer,
    PushOperation,
)
from codat_customers.core.requests import CreateCustomerRequest, GetPushOperationRequest
from codat_customers.plugins.waiting import Poll, WaitPolicy, plan_wait, wait
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.writes import PushOutcomes, WriteConfig
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import errors

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
KEY = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


def _operation(status: str, **extra: Any) -> PushOperation:
    return PushOperation(
        company_id=COMPANY,
        push_operation_key=KEY,
        data_connection_key="2e9d2c44-f675-40ba-8049-353bfcb5e171",
        requested_on_utc="2026-01-05T09:00:00Z",
        status=status,
        status_code={"Pending": 202, "Success": 200, "Failed": 400}.get(status, 504),
        **extra,
    )


class Scripted:
    """A fake clock, sleep and read: each read answers the next scripted status."""

    def __init__(self, statuses: list[str]) -> None:
        self.statuses = statuses
        self.now = 0.0
        self.sleeps: list[float] = []
        self.reads: list[GetPushOperationRequest] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def read(self, request: GetPushOperationRequest) -> Result[PushOperation, CodatError]:
        self.reads.append(request)
        status = self.statuses.pop(0) if self.statuses else "Pending"
        return Success(_operation(status))


def _wait(script: Scripted, policy: WaitPolicy, first: PushOperation | None, draw: float = 0.0):
    plan = plan_wait(COMPANY, KEY, policy, first=first, clock=script.clock, random=lambda: draw)
    return wait(plan, script.read, script.sleep)


def test_a_final_operation_is_returned_without_a_request() -> None:
    for status in ("Failed", "Success", "TimedOut"):
        script = Scripted([])
        answer = CreateCustomerResponse(
            **_fields(_operation(status)), data=Customer(status="Active")
        )
        result = _wait(script, WaitPolicy(timeout=10), answer)
        assert result.unwrap() == _operation(status)  # as a PushOperation, without data
        assert script.reads == [] and script.sleeps == []


def _fields(operation: PushOperation) -> dict[str, Any]:
    return {name: getattr(operation, name) for name in operation.__struct_fields__}


def test_pending_is_polled_with_growing_intervals_until_final() -> None:
    script = Scripted(["Pending", "Pending", "Success"])
    policy = WaitPolicy(timeout=100, initial_interval=1, max_interval=2, exponent=1.5, jitter=0)
    result = _wait(script, policy, _operation("Pending"))
    assert result.unwrap().status == "Success"
    assert script.sleeps == [1.0, 1.5, 2.0]  # capped at max_interval
    assert [r.push_operation_key for r in script.reads] == [KEY] * 3


def test_jitter_shortens_each_pause_by_up_to_its_fraction() -> None:
    policy = WaitPolicy(timeout=100, initial_interval=4, jitter=0.25)
    assert policy.delay(0, 0.0) == 4.0
    assert policy.delay(0, 0.999) == pytest.approx(3.001, abs=0.01)


def test_a_key_alone_is_read_at_once() -> None:
    script = Scripted(["Success"])
    assert _wait(script, WaitPolicy(timeout=5), None).unwrap().status == "Success"
    assert script.sleeps == [] and len(script.reads) == 1


def test_still_pending_at_the_timeout_is_a_push_timeout_error_with_the_key() -> None:
    script = Scripted([])
    policy = WaitPolicy(timeout=10, initial_interval=3, max_interval=3, jitter=0)
    result = _wait(script, policy, _operation("Pending"))
    error = result.failure()
    assert isinstance(error, PushTimeoutError) and isinstance(error, CodatError)
    assert error.push_operation_key == KEY and error.company_id == COMPANY
    assert error.last is not None and error.last.status == "Pending"
    assert sum(script.sleeps) == pytest.approx(10)  # never sleeps past the timeout
    assert script.sleeps[-1] == pytest.approx(1)  # the last pause is cut to what is left


def test_a_failed_read_ends_the_wait() -> None:
    def read(request: GetPushOperationRequest) -> Result[PushOperation, CodatError]:
        return Failure(CodatError("gone"))

    plan = plan_wait(COMPANY, KEY, WaitPolicy(timeout=5), clock=lambda: 0.0)
    assert isinstance(wait(plan, read, lambda s: None).failure(), CodatError)


def test_the_plan_asks_for_io_only_through_commands() -> None:
    plan = plan_wait(COMPANY, KEY, WaitPolicy(timeout=5), clock=lambda: 0.0)
    command = next(plan)
    assert isinstance(command, Poll) and command.request.company_id == COMPANY
    plan.close()


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), "10", True])
def test_a_bad_timeout_is_rejected_before_any_request(timeout: Any) -> None:
    client = CodatCustomers("key", server_url="http://127.0.0.1:9", retry_config=None)
    result = client.wait_for_push(KEY, company_id=COMPANY, timeout_s=timeout)
    error = result.failure()
    assert isinstance(error, RequestValidationError) and error.field == "timeout_s"
    with pytest.raises(RequestValidationError, match="timeout_s"):
        CodatAccounting("key", server_url="http://127.0.0.1:9").push_operations.wait(
            _operation("Pending"), timeout_s=timeout
        )


def test_a_key_needs_its_company() -> None:
    client = CodatCustomers("key", server_url="http://127.0.0.1:9", retry_config=None)
    error = client.wait_for_push(KEY).failure()
    assert isinstance(error, RequestValidationError) and error.field == "company_id"


# --- against the sandbox --------------------------------------------------------------


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(writes=WriteConfig(push_mode="async", push_seconds=0.3)) as server:
        yield server


def _clients(server: SandboxServer) -> tuple[CodatCustomers, CodatAccounting]:
    return (
        CodatCustomers(server.api_key, server_url=server.base_url),
        CodatAccounting(server.api_key, server_url=server.base_url),
    )


def _create(server: SandboxServer) -> CreateCustomerRequest:
    return CreateCustomerRequest(
        company_id=server.company_id,
        connection_id=server.connection_id,
        customer=Customer(customer_name="Lifecycle Ltd", status="Active"),
    )


FAST_POLL: dict[str, Any] = {"poll_interval_s": 0.05, "max_poll_interval_s": 0.1, "timeout_s": 10}


def test_result_face_lifecycle(sandbox: SandboxServer) -> None:
    results, _ = _clients(sandbox)
    with results:
        answer = results.create(_create(sandbox)).unwrap()
        assert answer.status == "Pending" and answer.status_code == 202
        pending = results.get_push_operation(
            {"company_id": sandbox.company_id, "push_operation_key": answer.push_operation_key}
        ).unwrap()
        assert type(pending) is PushOperation and pending.status == "Pending"
        final = results.create(_create(sandbox)).bind(
            lambda op: results.wait_for_push(op, **FAST_POLL)
        )
        operation = final.unwrap()
        assert operation.status == "Success"
        assert isinstance(operation.changes, list)
        customer_id = operation.changes[0].record_ref.id  # type: ignore[union-attr]
        got = results.get({"company_id": sandbox.company_id, "customer_id": customer_id})
        assert got.unwrap().customer_name == "Lifecycle Ltd"
        # The default policy composes directly, too.
        assert results.create(_create(sandbox)).bind(results.wait_for_push).unwrap().status == (
            "Success"
        )
        history = results.list_push_operations(
            {"company_id": sandbox.company_id, "query": "status=Success", "page_size": 1}
        ).unwrap()
        assert history.total_results == 3 and len(history.results or []) == 1
        pages = list(
            results.iter_push_operation_pages({"company_id": sandbox.company_id, "page_size": 1})
        )
        assert len(pages) == 3
        missing = results.get_push_operation(
            {"company_id": sandbox.company_id, "push_operation_key": str(uuid.uuid4())}
        ).failure()
        assert isinstance(missing, ApiError) and missing.status == 404


def test_sdk_face_lifecycle(sandbox: SandboxServer) -> None:
    _, sdk = _clients(sandbox)
    with sdk:
        answer = sdk.customers.create(request=_create(sandbox))
        assert answer.status == "Pending"
        final = sdk.push_operations.wait(answer, **FAST_POLL)
        assert final.status == "Success"
        by_key = sdk.push_operations.wait(
            answer.push_operation_key, company_id=sandbox.company_id, **FAST_POLL
        )
        assert by_key == final
        listed = list(sdk.push_operations.iter_all({"company_id": sandbox.company_id}))
        assert [op.push_operation_key for op in listed] == [answer.push_operation_key]
        assert sdk.push_operations.list({"company_id": sandbox.company_id}).total_results == 1
        with pytest.raises(errors.ErrorMessage) as raised:
            sdk.push_operations.get(
                {"company_id": sandbox.company_id, "push_operation_key": str(uuid.uuid4())}
            )
        assert raised.value.status_code == 404


def test_failed_and_timed_out_outcomes_on_both_faces() -> None:
    outcomes = PushOutcomes(success=0, failed=1)
    writes = WriteConfig(push_mode="async", push_seconds=0.2, outcomes=outcomes)
    with SandboxServer(writes=writes) as server:
        results, sdk = _clients(server)
        failed = results.create(_create(server)).bind(
            lambda op: results.wait_for_push(op, **FAST_POLL)
        )
        assert failed.unwrap().status == "Failed"  # a Failed push is a value, not an error
        server.set_writes(outcomes=PushOutcomes(success=0, timed_out=1))
        answer = sdk.customers.create(request=_create(server))
        assert sdk.push_operations.wait(answer, **FAST_POLL).status == "TimedOut"
        results.close()
        sdk.close()


def test_waiting_times_out_with_the_key() -> None:
    with SandboxServer(writes=WriteConfig(push_mode="async", push_seconds=3600)) as server:
        results, sdk = _clients(server)
        answer = results.create(_create(server)).unwrap()
        error = results.wait_for_push(answer, timeout_s=0.2, poll_interval_s=0.05).failure()
        assert isinstance(error, PushTimeoutError)
        assert error.push_operation_key == answer.push_operation_key
        with pytest.raises(PushTimeoutError):
            sdk.push_operations.wait(answer, timeout_s=0.1, poll_interval_s=0.05)
        results.close()
        sdk.close()


def test_async_faces(sandbox: SandboxServer) -> None:
    results, sdk = _clients(sandbox)

    async def scenario() -> None:
        created = results.create_async(_create(sandbox))
        final = await created.bind(
            lambda op: results.wait_for_push_async(op, **FAST_POLL)
        ).awaitable()
        operation = unsafe_perform_io(final).unwrap()
        assert operation.status == "Success"
        answer = await sdk.customers.create_async(request=_create(sandbox))
        assert (await sdk.push_operations.wait_async(answer, **FAST_POLL)).status == "Success"
        got = await sdk.push_operations.get_async(
            {"company_id": sandbox.company_id, "push_operation_key": answer.push_operation_key}
        )
        assert got.status == "Success"
        page = await sdk.push_operations.list_async({"company_id": sandbox.company_id})
        assert page.total_results == 2
        listed = [
            op async for op in sdk.push_operations.aiter_all({"company_id": sandbox.company_id})
        ]
        assert len(listed) == 2
        listed_page = await results.list_push_operations_async(
            {"company_id": sandbox.company_id}
        ).awaitable()
        assert unsafe_perform_io(listed_page).unwrap().total_results == 2
        # Cancelling a wait stops it at once.
        sandbox.set_writes(push_seconds=3600)
        slow = await sdk.customers.create_async(request=_create(sandbox))
        task = asyncio.ensure_future(sdk.push_operations.wait_async(slow, timeout_s=60))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await results.aclose()
        await sdk.aclose()

    asyncio.run(scenario())
    results.close()
    sdk.close()
