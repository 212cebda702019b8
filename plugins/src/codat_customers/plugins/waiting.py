"""Waiting for a push operation to complete, as a sans-I/O plan with a sync and an async driver.

:func:`plan_wait` decides when to read the operation again and when to give up; it *asks*
for I/O by yielding :class:`Poll` (the driver answers with the read's ``Result``) and
:class:`~codat_customers.plugins.calls.Sleep`. :func:`wait` and :func:`wait_async` are the
only places that read or sleep, exactly as :func:`~codat_customers.plugins.calls.plan_call`
is driven by ``run``/``run_async``. The clock, the sleep and the jitter's random source are
all injectable, so tests run the whole policy without waiting.

The policy: a final operation (``Success``, ``Failed``, ``TimedOut``, or any status other
than ``Pending``) is returned at once without a request. Otherwise the operation is read
after ``initial_interval`` seconds, then at intervals growing by ``exponent`` up to
``max_interval``, each shortened by up to ``jitter`` (a fraction, drawn per wait) so that
many waiters spread out. No sleep goes past the timeout; one last read happens at the
timeout, and if the operation is still Pending the result is a
:class:`~codat_customers.core.PushTimeoutError` carrying its key.
"""

from __future__ import annotations

import asyncio
import math
import random as _random
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any

import msgspec
from codat_customers.core import CodatError, PushTimeoutError, RequestValidationError
from codat_customers.core.models import PushOperation
from codat_customers.core.requests import GetPushOperationRequest
from returns.result import Failure, Result, Success

from .calls import Sleep

__all__ = [
    "PENDING",
    "Poll",
    "WaitPlan",
    "WaitPolicy",
    "as_push_operation",
    "plan_wait",
    "wait",
    "wait_async",
]

PENDING = "Pending"
"""The one status that is not final."""

_PUSH_FIELDS = frozenset(PushOperation.__struct_fields__)


@dataclass(frozen=True, slots=True)
class Poll:
    """Ask the driver to read the push operation once (``get-push-operation``)."""

    request: GetPushOperationRequest


@dataclass(frozen=True, slots=True)
class WaitPolicy:
    """How long to wait for a push and how often to look (seconds).

    Build it with :meth:`checked` to validate values given by a caller.
    """

    timeout: float = 300.0
    initial_interval: float = 1.0
    max_interval: float = 30.0
    exponent: float = 1.5
    jitter: float = 0.25

    @classmethod
    def checked(
        cls,
        timeout: object,
        initial_interval: object = 1.0,
        max_interval: object = 30.0,
        *,
        fields: tuple[str, str, str] = ("timeout_s", "poll_interval_s", "max_poll_interval_s"),
    ) -> WaitPolicy:
        """A policy from caller values; RequestValidationError names a non-positive one."""
        values = []
        for value, name in zip((timeout, initial_interval, max_interval), fields, strict=True):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise RequestValidationError(name, f"expected seconds, got {type(value).__name__}")
            if not math.isfinite(value) or value <= 0:
                raise RequestValidationError(name, f"must be a positive number, got {value}")
            values.append(float(value))
        return cls(timeout=values[0], initial_interval=values[1], max_interval=values[2])

    def delay(self, attempt: int, draw: float) -> float:
        """The pause before read ``attempt + 1`` (0-based ``attempt``), ``draw`` in [0, 1)."""
        base = min(self.max_interval, self.initial_interval * self.exponent**attempt)
        return base * (1.0 - self.jitter * draw)


WaitPlan = Generator[Poll | Sleep, Any, Result[PushOperation, CodatError]]
"""A waiting plan: yields Poll (send back the read's Result) or Sleep (send back None)."""


def as_push_operation(operation: PushOperation) -> PushOperation:
    """``operation`` as a plain :class:`PushOperation` (a create/update answer loses ``data``)."""
    if type(operation) is PushOperation:
        return operation
    fields = {
        name: value
        for name, value in msgspec.structs.asdict(operation).items()
        if name in _PUSH_FIELDS
    }
    return PushOperation(**fields)


def plan_wait(
    company_id: str,
    push_operation_key: str,
    policy: WaitPolicy,
    *,
    first: PushOperation | None = None,
    clock: Callable[[], float] = time.monotonic,
    random: Callable[[], float] = _random.random,
) -> WaitPlan:
    """The plan of one wait; ``first`` is what the caller already holds (a create answer).

    A final ``first`` is the result with no request at all; a Pending one is not read
    again before the first interval has passed.
    """
    if first is not None and first.status != PENDING:
        return Success(as_push_operation(first))
    request = GetPushOperationRequest(company_id=company_id, push_operation_key=push_operation_key)
    started = clock()
    last = first
    attempt = 0
    must_pause = first is not None
    while True:
        if must_pause:
            left = policy.timeout - (clock() - started)
            if left <= 0:
                kept = None if last is None else as_push_operation(last)
                return Failure(PushTimeoutError(company_id, push_operation_key, kept))
            yield Sleep(min(policy.delay(attempt, random()), left))
            attempt += 1
        read: Result[PushOperation, CodatError] = yield Poll(request)
        if not isinstance(read, Success):
            return read
        last = read.unwrap()
        if last.status != PENDING:
            return Success(as_push_operation(last))
        must_pause = True


def wait(
    plan: WaitPlan,
    read: Callable[[GetPushOperationRequest], Result[PushOperation, CodatError]],
    sleep: Callable[[float], object] = time.sleep,
) -> Result[PushOperation, CodatError]:
    """Drive a waiting plan with a blocking ``read`` and ``sleep``."""
    try:
        command = next(plan)
        while True:
            if isinstance(command, Poll):
                command = plan.send(read(command.request))
            else:
                sleep(command.seconds)
                command = plan.send(None)
    except StopIteration as done:
        result: Result[PushOperation, CodatError] = done.value
        return result
    finally:
        plan.close()


async def wait_async(
    plan: WaitPlan,
    read: Callable[[GetPushOperationRequest], Awaitable[Result[PushOperation, CodatError]]],
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> Result[PushOperation, CodatError]:
    """Drive a waiting plan in async code; cancelling the task stops it at once."""
    try:
        command = next(plan)
        while True:
            if isinstance(command, Poll):
                command = plan.send(await read(command.request))
            else:
                await sleep(command.seconds)
                command = plan.send(None)
    except StopIteration as done:
        result: Result[PushOperation, CodatError] = done.value
        return result
    finally:
        plan.close()
