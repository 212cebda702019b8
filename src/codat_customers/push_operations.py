"""Following a write to its outcome: the push-operation reads and waiting for a push.

A create or update usually answers ``Pending``: the record is written seconds to minutes
later, or not at all. Two reads of Codat's Platform API track it (``get-push-operation``
and ``get-company-push-history``), and a waiting helper polls the first until the
operation is final:

- :class:`PushOperationsMixin` gives :class:`~codat_customers.client.CodatCustomers` its
  Result-returning methods (``get_push_operation``, ``list_push_operations``,
  ``iter_push_operation_pages``, ``wait_for_push`` and their async twins);
- :class:`PushOperationsResource` is ``CodatAccounting(...).push_operations``: ``get``,
  ``list``, ``iter_all``, ``wait`` (and async twins), returning models and raising.

The waiting policy itself is the sans-I/O plan of :mod:`codat_customers.plugins.waiting`.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from returns.future import FutureResult
from returns.result import Failure, Result, Success
from typing_extensions import Unpack

from codat_customers.core import (
    GET_PUSH_OPERATION,
    LIST_PUSH_OPERATIONS,
    CodatError,
    Operation,
    RequestValidationError,
)
from codat_customers.core.models import PushOperation, PushOperations
from codat_customers.core.requests import GetPushOperationRequest, ListPushOperationsRequest
from codat_customers.plugins.waiting import WaitPolicy, plan_wait, wait, wait_async

from .models.operations import (
    GetPushOperationRequestTypedDict,
    ListPushOperationsRequestTypedDict,
)

if TYPE_CHECKING:
    from .client import CallOptions, CodatCustomers, CreateOptions

__all__ = ["DEFAULT_WAIT_TIMEOUT_S", "PushOperationsMixin", "PushOperationsResource"]

T = TypeVar("T")

DEFAULT_WAIT_TIMEOUT_S = 300.0
"""How long :meth:`PushOperationsMixin.wait_for_push` waits unless told otherwise."""

PushTarget = PushOperation | str
"""What a wait starts from: a create/update answer (or any push operation), or a push key."""


def _start(target: object, company_id: object) -> tuple[str, str, PushOperation | None]:
    """``(company_id, push_operation_key, first)`` of a wait; RequestValidationError if bad."""
    if isinstance(target, PushOperation):
        return target.company_id, target.push_operation_key, target
    if isinstance(target, str):
        if not isinstance(company_id, str) or not company_id.strip():
            raise RequestValidationError(
                "company_id", "is required when waiting on a push operation key"
            )
        if not target.strip():
            raise RequestValidationError("push_operation_key", "must not be empty")
        return company_id, target, None
    raise RequestValidationError(
        "push_operation", f"expected a push operation or its key, got {type(target).__name__}"
    )


class PushOperationsMixin:
    """The push-operation reads and the waiting helper, returning ``Result`` values."""

    if TYPE_CHECKING:

        def call(
            self, operation: Operation[Any, T], request: object, **options: Unpack[CreateOptions]
        ) -> Result[T, CodatError]:
            """Run an operation (:meth:`CodatCustomers.call`)."""

        async def call_async(
            self, operation: Operation[Any, T], request: object, **options: Unpack[CreateOptions]
        ) -> Result[T, CodatError]:
            """Run an operation in async code (:meth:`CodatCustomers.call_async`)."""

        def future(
            self, operation: Operation[Any, T], request: object, **options: Unpack[CreateOptions]
        ) -> FutureResult[T, CodatError]:
            """Run an operation as a ``FutureResult`` (:meth:`CodatCustomers.future`)."""

    def get_push_operation(
        self,
        request: GetPushOperationRequest | GetPushOperationRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Result[PushOperation, CodatError]:
        """Get one push operation by its key (``GetPushOperationRequest``); 404 if unknown."""
        return self.call(GET_PUSH_OPERATION, request, **options)

    def list_push_operations(
        self,
        request: ListPushOperationsRequest | ListPushOperationsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Result[PushOperations, CodatError]:
        """List one page of a company's push operations (``ListPushOperationsRequest``)."""
        return self.call(LIST_PUSH_OPERATIONS, request, **options)

    def get_push_operation_async(
        self,
        request: GetPushOperationRequest | GetPushOperationRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> FutureResult[PushOperation, CodatError]:
        """Async :meth:`get_push_operation`."""
        return self.future(GET_PUSH_OPERATION, request, **options)

    def list_push_operations_async(
        self,
        request: ListPushOperationsRequest | ListPushOperationsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> FutureResult[PushOperations, CodatError]:
        """Async :meth:`list_push_operations`."""
        return self.future(LIST_PUSH_OPERATIONS, request, **options)

    def iter_push_operation_pages(
        self,
        request: ListPushOperationsRequest | ListPushOperationsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Iterator[Result[PushOperations, CodatError]]:
        """Every page of push operations from ``request.page`` on, in order, one at a time.

        Ends after the last page or after a ``Failure`` (yielded).
        """
        page: ListPushOperationsRequest | Failure[CodatError] | None = _first_page(request)
        while isinstance(page, ListPushOperationsRequest):
            result = self.call(LIST_PUSH_OPERATIONS, page, **options)
            yield result
            page = _next_page(page, result)
        if isinstance(page, Failure):
            yield page

    async def aiter_push_operation_pages(
        self,
        request: ListPushOperationsRequest | ListPushOperationsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> AsyncIterator[Result[PushOperations, CodatError]]:
        """Async :meth:`iter_push_operation_pages`."""
        page: ListPushOperationsRequest | Failure[CodatError] | None = _first_page(request)
        while isinstance(page, ListPushOperationsRequest):
            result = await self.call_async(LIST_PUSH_OPERATIONS, page, **options)
            yield result
            page = _next_page(page, result)
        if isinstance(page, Failure):
            yield page

    def wait_for_push(
        self,
        push_operation: PushTarget,
        *,
        company_id: str | None = None,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval_s: float = 1.0,
        max_poll_interval_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        random_source: Callable[[], float] = random.random,
        **options: Unpack[CallOptions],
    ) -> Result[PushOperation, CodatError]:
        """The final state of a push: ``Success``, ``Failed`` or ``TimedOut``.

        ``push_operation`` is a create/update answer (or any push operation), or a
        ``pushOperationKey`` with ``company_id``. A final operation is returned at once
        without a request. A Pending one is read again after ``poll_interval_s`` seconds,
        then at intervals growing 1.5 times up to ``max_poll_interval_s``, with jitter,
        until it is final or ``timeout_s`` seconds have passed: then the result is a
        :class:`~codat_customers.core.PushTimeoutError` carrying the key (the push may
        still complete). A failed read (404 for an unknown key, after the read's own
        retries) ends the wait with that error. Non-positive timeouts and intervals are
        a :class:`~codat_customers.core.RequestValidationError` before any request.
        ``options`` apply to every read; ``clock``, ``sleep`` and ``random_source`` are
        injectable for tests. Composes: ``client.create(request).bind(client.wait_for_push)``.
        """
        try:
            policy = WaitPolicy.checked(timeout_s, poll_interval_s, max_poll_interval_s)
            company, key, first = _start(push_operation, company_id)
        except RequestValidationError as exc:
            return Failure(exc)
        plan = plan_wait(company, key, policy, first=first, clock=clock, random=random_source)

        def read(request: GetPushOperationRequest) -> Result[PushOperation, CodatError]:
            return self.call(GET_PUSH_OPERATION, request, **options)

        return wait(plan, read, sleep)

    def wait_for_push_async(
        self,
        push_operation: PushTarget,
        *,
        company_id: str | None = None,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval_s: float = 1.0,
        max_poll_interval_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        random_source: Callable[[], float] = random.random,
        **options: Unpack[CallOptions],
    ) -> FutureResult[PushOperation, CodatError]:
        """Async :meth:`wait_for_push`, as a ``FutureResult``; cancelling the awaiting task
        stops the wait at once.

        Composes: ``client.create_async(request).bind(client.wait_for_push_async)``.
        """
        return FutureResult(
            self._wait_for_push(
                push_operation,
                company_id,
                timeout_s,
                poll_interval_s,
                max_poll_interval_s,
                clock,
                sleep,
                random_source,
                options,
            )
        )

    async def _wait_for_push(
        self,
        push_operation: PushTarget,
        company_id: str | None,
        timeout_s: float,
        poll_interval_s: float,
        max_poll_interval_s: float,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[object]],
        random_source: Callable[[], float],
        options: CallOptions,
    ) -> Result[PushOperation, CodatError]:
        try:
            policy = WaitPolicy.checked(timeout_s, poll_interval_s, max_poll_interval_s)
            company, key, first = _start(push_operation, company_id)
        except RequestValidationError as exc:
            return Failure(exc)
        plan = plan_wait(company, key, policy, first=first, clock=clock, random=random_source)

        async def read(request: GetPushOperationRequest) -> Result[PushOperation, CodatError]:
            return await self.call_async(GET_PUSH_OPERATION, request, **options)

        return await wait_async(plan, read, sleep)


def _first_page(
    request: object,
) -> ListPushOperationsRequest | Failure[CodatError]:
    try:
        return LIST_PUSH_OPERATIONS.coerce(request)
    except RequestValidationError as exc:
        return Failure(exc)


def _next_page(
    page: ListPushOperationsRequest, result: Result[PushOperations, CodatError]
) -> ListPushOperationsRequest | None:
    if not isinstance(result, Success):
        return None
    answer: PushOperations = result.unwrap()
    if page.page * page.page_size >= answer.total_results or not answer.results:
        return None
    return ListPushOperationsRequest(
        company_id=page.company_id,
        page=page.page + 1,
        page_size=page.page_size,
        query=page.query,
        order_by=page.order_by,
    )


class PushOperationsResource:
    """``CodatAccounting(...).push_operations``: the push reads and waiting, raising on errors.

    Errors are those of the customers operations: ``errors.ErrorMessage`` for documented
    statuses (404 for an unknown key), ``errors.SDKError`` otherwise; a wait that runs out
    of time raises :class:`~codat_customers.core.PushTimeoutError`.
    """

    def __init__(self, results: CodatCustomers) -> None:
        self._results = results

    def get(
        self,
        request: GetPushOperationRequest | GetPushOperationRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> PushOperation:
        """Get one push operation by its key."""
        return _value(GET_PUSH_OPERATION, self._results.get_push_operation(request, **options))

    def list(
        self,
        request: ListPushOperationsRequest | ListPushOperationsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> PushOperations:
        """List one page of a company's push operations."""
        return _value(LIST_PUSH_OPERATIONS, self._results.list_push_operations(request, **options))

    def iter_all(
        self,
        request: ListPushOperationsRequest | ListPushOperationsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Iterator[PushOperation]:
        """Every push operation matching ``request`` across pages, lazily and in order."""
        for page in self._results.iter_push_operation_pages(request, **options):
            yield from _value(LIST_PUSH_OPERATIONS, page).results or []

    def wait(
        self,
        push_operation: PushTarget,
        *,
        company_id: str | None = None,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval_s: float = 1.0,
        max_poll_interval_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        random_source: Callable[[], float] = random.random,
        **options: Unpack[CallOptions],
    ) -> PushOperation:
        """The final push operation (see :meth:`PushOperationsMixin.wait_for_push`), or raise.

        Still Pending after ``timeout_s`` raises :class:`~codat_customers.core.PushTimeoutError`
        (with ``push_operation_key``); a Failed operation is returned, not raised.
        """
        result = self._results.wait_for_push(
            push_operation,
            company_id=company_id,
            timeout_s=timeout_s,
            poll_interval_s=poll_interval_s,
            max_poll_interval_s=max_poll_interval_s,
            clock=clock,
            sleep=sleep,
            random_source=random_source,
            **options,
        )
        return _value(GET_PUSH_OPERATION, result)

    async def get_async(
        self,
        request: GetPushOperationRequest | GetPushOperationRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> PushOperation:
        """Async :meth:`get`."""
        result = await self._results.call_async(GET_PUSH_OPERATION, request, **options)
        return _value(GET_PUSH_OPERATION, result)

    async def list_async(
        self,
        request: ListPushOperationsRequest | ListPushOperationsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> PushOperations:
        """Async :meth:`list`."""
        result = await self._results.call_async(LIST_PUSH_OPERATIONS, request, **options)
        return _value(LIST_PUSH_OPERATIONS, result)

    async def aiter_all(
        self,
        request: ListPushOperationsRequest | ListPushOperationsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> AsyncIterator[PushOperation]:
        """Async :meth:`iter_all`."""
        async for page in self._results.aiter_push_operation_pages(request, **options):
            for operation in _value(LIST_PUSH_OPERATIONS, page).results or []:
                yield operation

    async def wait_async(
        self,
        push_operation: PushTarget,
        *,
        company_id: str | None = None,
        timeout_s: float = DEFAULT_WAIT_TIMEOUT_S,
        poll_interval_s: float = 1.0,
        max_poll_interval_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        random_source: Callable[[], float] = random.random,
        **options: Unpack[CallOptions],
    ) -> PushOperation:
        """Async :meth:`wait`; cancelling the awaiting task stops the wait."""
        result = await self._results._wait_for_push(
            push_operation,
            company_id,
            timeout_s,
            poll_interval_s,
            max_poll_interval_s,
            clock,
            sleep,
            random_source,
            options,
        )
        return _value(GET_PUSH_OPERATION, result)


def _value(operation: Operation[Any, Any], result: Result[T, CodatError]) -> T:
    from .sdk import raise_error  # noqa: PLC0415 - sdk imports this module

    if isinstance(result, Success):
        value: T = result.unwrap()
        return value
    raise_error(operation, result.failure())
