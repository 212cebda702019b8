"""The sandbox's own endpoints under ``/_sandbox``: faults, big attachments, push history,
request counts.

They sit outside Codat's paths and need no API key; the server binds to localhost.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
from codat_customers.core.models import Attachment
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .clock import format_utc
from .errors import ApiError
from .faults import FaultConfig
from .resources import require_company, require_customer
from .seed import DEMO_COMPANY_ID, add_companies
from .state import SandboxState
from .storage import CHUNK_SIZE
from .writes import WriteConfig

__all__ = ["AddAttachment", "AddCompanies", "admin_routes", "pattern_chunks"]

_ENCODER = msgspec.json.Encoder()
_PATTERN = bytes(range(256)) * (CHUNK_SIZE // 256)


class AddAttachment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of ``POST /_sandbox/attachments``."""

    size: int = msgspec.field(default=0)
    customer_id: str | None = None
    company_id: str = DEMO_COMPANY_ID
    name: str = "large-file.bin"
    content_type: str = "application/octet-stream"


class AddCompanies(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of ``POST /_sandbox/companies``."""

    count: int = 1
    customers: int = 40
    seed: int | None = None
    """Seed of the ids and data (default: a fresh one, so repeated calls never collide)."""


def pattern_chunks(size: int) -> Iterator[bytes]:
    """``size`` bytes of the repeating pattern 0x00..0xFF, one chunk at a time."""
    remaining = size
    while remaining > 0:
        chunk = _PATTERN[: min(remaining, len(_PATTERN))]
        remaining -= len(chunk)
        yield chunk


def _json(value: object, status: int = 200) -> Response:
    return Response(_ENCODER.encode(value), status_code=status, media_type="application/json")


def _decode(body: bytes, kind: type[Any]) -> Any:
    try:
        return msgspec.json.decode(body or b"{}", type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise ApiError(400, f"Invalid sandbox request: {error}", service="Sandbox") from None


def admin_routes(state: SandboxState) -> list[Route]:
    """Routes of the admin API for one sandbox."""

    async def faults(request: Request) -> Response:
        injector = state.faults
        if request.method == "DELETE":
            injector.configure(FaultConfig())
        elif request.method == "PUT":
            injector.configure(_decode(await request.body(), FaultConfig))
        elif request.method == "POST":
            patch = _decode(await request.body(), dict[str, Any])
            merged = {**msgspec.to_builtins(injector.config), **patch}
            try:
                injector.configure(msgspec.convert(merged, FaultConfig))
            except msgspec.ValidationError as error:
                raise ApiError(400, f"Invalid faults: {error}", service="Sandbox") from None
        return _json(injector.config)

    async def add_attachment(request: Request) -> Response:
        spec: AddAttachment = _decode(await request.body(), AddAttachment)
        if spec.size < 0:
            raise ApiError(400, "size must not be negative", service="Sandbox")
        company = require_company(state.store, spec.company_id)
        customer_id = spec.customer_id or (state.seed.customer_id if state.seed else "")
        require_customer(state.store, company, customer_id)
        attachment_id = str(uuid.uuid4())
        now = format_utc(state.clock())
        meta = Attachment(
            id=attachment_id,
            name=spec.name,
            content_type=spec.content_type,
            file_size=spec.size,
            include_when_sent=False,
            date_created=now,
            modified_date=now,
        )
        # Writing a big file takes seconds: off the event loop, so other requests go on.
        _, digest = await run_in_threadpool(
            state.store.add_attachment,
            company.id,
            customer_id,
            attachment_id,
            name=spec.name,
            content_type=spec.content_type,
            doc=_ENCODER.encode(meta),
            chunks=pattern_chunks(spec.size),
        )
        return _json(
            {
                "attachment": meta,
                "customerId": customer_id,
                "sha256": digest,
                "downloadPath": f"/companies/{company.id}/connections/<connectionId>/data/"
                f"customers/{customer_id}/attachments/{attachment_id}/download",
            },
            status=201,
        )

    async def add_companies_route(request: Request) -> Response:
        spec: AddCompanies = _decode(await request.body(), AddCompanies)
        if not 0 <= spec.count <= 10_000 or not 0 <= spec.customers <= 1_000_000:
            raise ApiError(
                400, "count must be 0..10000 and customers 0..1000000", service="Sandbox"
            )
        seed = spec.seed if spec.seed is not None else uuid.uuid4().int
        added = await run_in_threadpool(
            add_companies, state.store, spec.count, customers=spec.customers, seed=seed
        )
        return _json({"companies": added}, status=201)

    async def push_operations(request: Request) -> Response:
        company_id = request.query_params.get("companyId", DEMO_COMPANY_ID)
        state.writes.settle()
        docs = state.store.push_operations(company_id.lower())
        return Response(b'{"results":[' + b",".join(docs) + b"]}", media_type="application/json")

    async def stats(request: Request) -> Response:
        if request.method == "DELETE":
            state.stats.reset()
        return _json(state.stats.snapshot())

    async def info(request: Request) -> Response:
        return _json(
            {"authHeader": state.auth_header, "seed": state.seed, "faults": state.faults.config}
        )

    return [
        Route("/_sandbox/faults", faults, methods=["GET", "PUT", "POST", "DELETE"]),
        Route("/_sandbox/attachments", add_attachment, methods=["POST"]),
        Route("/_sandbox/companies", add_companies_route, methods=["POST"]),
        Route("/_sandbox/push-operations", push_operations, methods=["GET"]),
        Route("/_sandbox/info", info, methods=["GET"]),
        Route("/_sandbox/stats", stats, methods=["GET", "DELETE"]),
        *_write_routes(state),
    ]


def _write_routes(state: SandboxState) -> list[Route]:
    """``/_sandbox/writes`` (the push mode and the sync), ``/_sandbox/sync`` and
    ``/_sandbox/complete-pushes``."""

    async def writes(request: Request) -> Response:
        engine = state.writes
        if request.method == "DELETE":
            engine.configure(WriteConfig())
        elif request.method == "PUT":
            engine.configure(_decode(await request.body(), WriteConfig))
        elif request.method == "POST":
            patch = _decode(await request.body(), dict[str, Any])
            merged = {**msgspec.to_builtins(engine.config), **patch}
            try:
                engine.configure(msgspec.convert(merged, WriteConfig))
            except msgspec.ValidationError as error:
                raise ApiError(400, f"Invalid writes: {error}", service="Sandbox") from None
        return _json(engine.config)

    async def sync(request: Request) -> Response:
        synced = await run_in_threadpool(state.writes.sync)
        return _json({"synced": synced})

    async def complete_pushes(request: Request) -> Response:
        completed = await run_in_threadpool(state.writes.complete_all)
        return _json({"completed": completed})

    return [
        Route("/_sandbox/writes", writes, methods=["GET", "PUT", "POST", "DELETE"]),
        Route("/_sandbox/sync", sync, methods=["POST"]),
        Route("/_sandbox/complete-pushes", complete_pushes, methods=["POST"]),
    ]
