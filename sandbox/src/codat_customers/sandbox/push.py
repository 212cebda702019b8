"""create and update: body validation, the push operation, forceUpdate, timeouts and
Idempotency-Key replay.

In push mode ``immediate`` a push completes at once: the response carries the final status.
In mode ``async`` it answers ``Pending`` and completes later, as Codat's do (see `writes`).
Either way a landed write reaches list and get at once, or after the next sync when a sync
interval is set.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import msgspec
from codat_customers.core.models import (
    CreateCustomerResponse,
    Customer,
    Metadata,
    PushOperationChange,
    PushOperationRef,
    UpdateCustomerResponse,
    Validation,
    ValidationItem,
)
from starlette.requests import Request
from starlette.responses import Response

from .clock import format_utc, normalise_datetime
from .errors import ApiError, validation_of
from .faults import RequestFaults
from .options import Problem, check_customer
from .resources import require_connection, require_customer
from .state import SandboxState
from .writes import PushPlan

__all__ = ["IDEMPOTENCY_TTL_SECONDS", "PushHandlers"]

IDEMPOTENCY_TTL_SECONDS = 90 * 60
"""How long the first response to an Idempotency-Key is replayed."""

_INVALID = "Error processing request - not valid."
_CUSTOMER_DECODER = msgspec.json.Decoder(Customer)
_ENCODER = msgspec.json.Encoder()
_STATUS_CODES = {"Pending": 202, "Success": 200, "Failed": 400, "TimedOut": 504}
_PLATFORM_FAILURE = Problem(
    "",
    "The accounting platform rejected the customer (a simulated failure of the sandbox's "
    "async push mode).",
    "Platform",
    schema=False,
)

PushResponse = CreateCustomerResponse | UpdateCustomerResponse
_Push = Callable[[Request, bytes], Awaitable[PushResponse]]


def _decode_body(body: bytes) -> Customer:
    try:
        return _CUSTOMER_DECODER.decode(body)
    except msgspec.ValidationError as error:
        raise ApiError(
            400, _INVALID, validation=validation_of([("", str(error), "Schema")])
        ) from None
    except msgspec.DecodeError as error:
        raise ApiError(
            400, _INVALID, validation=validation_of([("", f"Invalid JSON: {error}", "Json")])
        ) from None


def _read_bool(request: Request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return False
    if raw.lower() not in ("true", "false"):
        raise ApiError(
            400,
            _INVALID,
            validation=validation_of([(name, f"{name} must be true or false.", "Query")]),
        )
    return raw.lower() == "true"


def _read_timeout(request: Request) -> int | None:
    raw = request.query_params.get("timeoutInMinutes")
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value < 2**31:
        raise ApiError(
            400,
            _INVALID,
            validation=validation_of(
                [("timeoutInMinutes", "timeoutInMinutes must be a non-negative int32.", "Query")]
            ),
        )
    return value


def _validation(problems: list[Problem]) -> Validation:
    return Validation(
        errors=[
            ValidationItem(item_id=p.item_id, message=p.message, validator_name=p.validator)
            for p in problems
        ],
        warnings=[],
    )


class PushHandlers:
    """The create and update operations of one sandbox."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def create(self, request: Request, faults: RequestFaults) -> Response:
        """POST .../push/customers, honouring Idempotency-Key."""
        body = await request.body()
        key = request.headers.get("idempotency-key")
        if not key:
            return self._then_maybe_fail(await self._answer(self._create, request, body), faults)
        store = self.state.store
        fingerprint = hashlib.sha256(request.url.path.encode() + b"\n" + body).hexdigest()
        now = self.state.clock().timestamp()
        record = store.claim_idempotency_key(key, fingerprint, now, IDEMPOTENCY_TTL_SECONDS)
        if record is not None:
            if record.fingerprint != fingerprint:
                raise ApiError(
                    422, "The Idempotency-Key has already been used with a different request."
                )
            if record.in_flight or record.status is None:
                raise ApiError(409, "A request with this Idempotency-Key is still in progress.")
            return Response(
                record.body or b"",
                status_code=record.status,
                media_type=record.content_type,
                headers={"Idempotent-Replayed": "true"},
            )
        try:
            response = await self._answer(self._create, request, body)
        except BaseException:
            store.release_idempotency_key(key)
            raise
        store.remember_response(
            key,
            response.status_code,
            response.headers.get("content-type", "application/json"),
            bytes(response.body),
        )
        return self._then_maybe_fail(response, faults)

    async def update(self, request: Request, faults: RequestFaults) -> Response:
        """PUT .../push/customers/{customerId}, honouring forceUpdate."""
        body = await request.body()
        return self._then_maybe_fail(await self._answer(self._update, request, body), faults)

    async def _answer(self, push: _Push, request: Request, body: bytes) -> Response:
        try:
            operation = await push(request, body)
        except ApiError as error:
            return error.to_response()
        return Response(_ENCODER.encode(operation), media_type="application/json")

    def _then_maybe_fail(self, response: Response, faults: RequestFaults) -> Response:
        # The write has happened (and any Idempotency-Key remembers the real answer); the
        # client is told it failed, as when a response is lost on the way back.
        if faults.push_then_500:
            raise ApiError(500, "There is a problem with our server. Please try again later.")
        return response

    async def _prepare(
        self, request: Request, body: bytes
    ) -> tuple[Customer, list[Problem], int | None]:
        timeout = _read_timeout(request)
        customer = _decode_body(body)
        problems = check_customer(customer)
        schema_problems = [p for p in problems if p.schema]
        if schema_problems:
            raise ApiError(
                400,
                _INVALID,
                validation=validation_of(
                    [(p.item_id, p.message, p.validator) for p in schema_problems]
                ),
            )
        config = self.state.faults.config
        if config.push_latency_ms:
            await asyncio.sleep(config.push_latency_ms / 1000)
        return customer, problems, timeout

    async def _create(self, request: Request, body: bytes) -> PushResponse:
        params = request.path_params
        require_connection(self.state.store, params["companyId"], params["connectionId"])
        customer, problems, timeout = await self._prepare(request, body)
        requested = self.state.clock()
        if problems:
            return self._finish(
                CreateCustomerResponse, request, requested, timeout, customer, problems=problems
            )
        now = format_utc(requested)
        customer_id = str(uuid.uuid4())
        stored = msgspec.structs.replace(
            customer,
            id=customer_id,
            modified_date=now,
            source_modified_date=now,
            metadata=Metadata(is_deleted=False),
        )
        return self._finish(
            CreateCustomerResponse,
            request,
            requested,
            timeout,
            stored,
            change="Created",
            sent=customer,
        )

    async def _update(self, request: Request, body: bytes) -> PushResponse:
        params = request.path_params
        store = self.state.store
        company, _ = require_connection(store, params["companyId"], params["connectionId"])
        customer_id = params["customerId"]
        existing = _CUSTOMER_DECODER.decode(require_customer(store, company, customer_id))
        force = _read_bool(request, "forceUpdate")
        customer, problems, timeout = await self._prepare(request, body)
        requested = self.state.clock()
        if not force and not problems:
            problems = _stale(customer, existing)
        if problems:
            return self._finish(
                UpdateCustomerResponse, request, requested, timeout, customer, problems=problems
            )
        now = format_utc(requested)
        stored = msgspec.structs.replace(
            customer,
            id=customer_id,
            modified_date=now,
            source_modified_date=now,
            metadata=existing.metadata,
        )
        return self._finish(
            UpdateCustomerResponse,
            request,
            requested,
            timeout,
            stored,
            change="Modified",
            sent=customer,
        )

    def _finish(
        self,
        kind: type[PushResponse],
        request: Request,
        requested: datetime,
        timeout: int | None,
        data: Customer,
        *,
        change: str | None = None,
        problems: list[Problem] | None = None,
        sent: Customer | None = None,
    ) -> PushResponse:
        writes = self.state.writes
        if writes.config.push_mode == "async":
            return self._pending(
                kind, request, requested, timeout, data, change, problems, sent or data
            )
        if change is not None:
            # The write lands, TimedOut included: Codat may still apply it.
            writes.land(
                request.path_params["companyId"].lower(),
                str(data.id),
                _ENCODER.encode(data),
                created=change == "Created",
            )
        duration = self.state.faults.config.push_duration_seconds
        status = "Failed" if problems else "Success"
        if status == "Success" and timeout is not None and duration > timeout * 60:
            # Codat stops waiting, but the platform may still apply the write; so do we.
            status = "TimedOut"
        params = request.path_params
        operation = kind(
            company_id=params["companyId"].lower(),
            push_operation_key=str(uuid.uuid4()),
            data_connection_key=params["connectionId"].lower(),
            requested_on_utc=format_utc(requested),
            completed_on_utc=format_utc(requested + timedelta(seconds=duration)),
            status=status,
            status_code=_STATUS_CODES[status],
            data_type="customers",
            data=data,
            timeout_in_minutes=timeout if timeout is not None else msgspec.UNSET,
            changes=(
                [
                    PushOperationChange(
                        type=change,
                        record_ref=PushOperationRef(id=str(data.id), data_type="customers"),
                    )
                ]
                if change is not None and status != "Failed"
                else []
            ),
        )
        if problems:
            operation.validation = _validation(problems)
            operation.error_message = "The customer failed validation; see validation.errors."
        self.state.store.add_push_operation(
            operation.push_operation_key,
            operation.company_id,
            operation.data_connection_key,
            operation.requested_on_utc,
            _ENCODER.encode(operation),
        )
        return operation

    def _pending(
        self,
        kind: type[PushResponse],
        request: Request,
        requested: datetime,
        timeout: int | None,
        data: Customer,
        change: str | None,
        problems: list[Problem] | None,
        sent: Customer,
    ) -> PushResponse:
        """Answer Pending now; schedule the final status (and the write) for later."""
        writes = self.state.writes
        duration = writes.config.push_seconds
        outcome = "Failed" if problems or change is None else writes.draw_outcome()
        if outcome == "Success" and timeout is not None and duration > timeout * 60:
            outcome = "TimedOut"
        if outcome == "Failed" and not problems:
            problems = [_PLATFORM_FAILURE]
        params = request.path_params
        key = str(uuid.uuid4())
        common = {
            "company_id": params["companyId"].lower(),
            "push_operation_key": key,
            "data_connection_key": params["connectionId"].lower(),
            "requested_on_utc": format_utc(requested),
            "data_type": "customers",
            "timeout_in_minutes": timeout if timeout is not None else msgspec.UNSET,
        }
        pending = kind(**common, status="Pending", status_code=_STATUS_CODES["Pending"], data=sent)
        final = kind(
            **common,
            status=outcome,
            status_code=_STATUS_CODES[outcome],
            completed_on_utc=format_utc(requested + timedelta(seconds=duration)),
            data=data,
            changes=(
                [
                    PushOperationChange(
                        type=change,
                        record_ref=PushOperationRef(id=str(data.id), data_type="customers"),
                    )
                ]
                if outcome == "Success" and change is not None
                else []
            ),
        )
        if problems:
            final.validation = _validation(problems)
            final.error_message = "The customer failed validation; see validation.errors."
        self.state.store.add_push_operation(
            key,
            pending.company_id,
            pending.data_connection_key,
            pending.requested_on_utc,
            _ENCODER.encode(pending),
        )
        lands = outcome != "Failed"
        writes.schedule(
            key,
            requested.timestamp() + duration,
            PushPlan(
                company_id=pending.company_id,
                final=_ENCODER.encode(final).decode(),
                customer_id=str(data.id) if lands else None,
                doc=_ENCODER.encode(data).decode() if lands else None,
            ),
        )
        return pending


def _stale(customer: Customer, existing: Customer) -> list[Problem]:
    sent = customer.source_modified_date
    if not isinstance(sent, str):
        return []
    stored = existing.source_modified_date
    stored_text = stored if isinstance(stored, str) else ""
    if normalise_datetime(sent) == normalise_datetime(stored_text):
        return []
    return [
        Problem(
            "sourceModifiedDate",
            f"The customer was modified in the platform at {stored_text} after the copy sent "
            f"({sent}). Pull the customer again, or set forceUpdate=true to overwrite it.",
            "ForceUpdate",
            schema=False,
        )
    ]
