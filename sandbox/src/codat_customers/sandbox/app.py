"""The sandbox as an ASGI application: `create_app` wires storage, seed, faults and routes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .admin import admin_routes
from .clock import Clock, system_clock
from .errors import ApiError, error_response
from .faults import FaultConfig, FaultInjector
from .gateway import Endpoint, Handler
from .operations import ReadHandlers
from .push import PushHandlers
from .push_tracking import PushTrackingHandlers
from .seed import load_seed_info, seed_store
from .snapshot import load_snapshot
from .state import SandboxState
from .storage import Store
from .writes import WriteConfig, Writes

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

__all__ = ["DEMO_API_KEY", "create_app", "sandbox_state"]

DEMO_API_KEY = "sandbox-demo-api-key"
"""The API key a sandbox accepts unless told otherwise."""

_log = logging.getLogger("codat_customers.sandbox")

_C = "/companies/{companyId}"
_K = _C + "/connections/{connectionId}"
_ATTACHMENTS = _K + "/data/customers/{customerId}/attachments"


def _routes(state: SandboxState) -> list[Route]:
    reads = ReadHandlers(state)
    pushes = PushHandlers(state)
    tracking = PushTrackingHandlers(state)
    table: list[tuple[str, str, str, Handler]] = [
        ("GET", _C + "/data/customers", "list-customers", reads.list_customers),
        ("GET", _C + "/data/customers/{customerId}", "get-customer", reads.get_customer),
        (
            "GET",
            _K + "/options/customers",
            "get-create-update-customers-model",
            reads.get_create_update_model,
        ),
        ("POST", _K + "/push/customers", "create-customer", pushes.create),
        ("PUT", _K + "/push/customers/{customerId}", "update-customer", pushes.update),
        ("GET", _ATTACHMENTS, "list-customer-attachments", reads.list_attachments),
        ("GET", _ATTACHMENTS + "/{attachmentId}", "get-customer-attachment", reads.get_attachment),
        (
            "GET",
            _ATTACHMENTS + "/{attachmentId}/download",
            "download-customer-attachment",
            reads.download_attachment,
        ),
        ("GET", _C + "/push", "get-company-push-history", tracking.list_push_operations),
        ("GET", _C + "/push/{pushOperationKey}", "get-push-operation", tracking.get_push_operation),
    ]
    return [
        Route(path, Endpoint(state, operation, handler), methods=[method], name=operation)
        for method, path, operation, handler in table
    ]


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.to_response()


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = "Not found" if exc.status_code == 404 else str(exc.detail)
    return error_response(exc.status_code, message, headers=exc.headers)


async def _on_crash(request: Request, exc: Exception) -> Response:
    _log.exception("sandbox request failed", exc_info=exc)
    return error_response(500, "There is a problem with our server. Please try again later.")


def create_app(
    *,
    db_path: str | Path | None = None,
    seed: int = 0,
    customers: int = 40,
    api_key: str = DEMO_API_KEY,
    faults: FaultConfig | None = None,
    clock: Clock = system_clock,
    store: Store | None = None,
    snapshot: str | Path | None = None,
    companies: int = 0,
    writes: WriteConfig | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    """Build the sandbox's ASGI app.

    ``db_path`` names the SQLite file (``None``: a fresh temporary database). A database
    without data is seeded with ``seed`` and ``customers``; one that has data is used as it
    is, so a restart keeps everything. With ``snapshot`` (a file written by
    ``codat-customers export-snapshot``), a database without data is filled from it instead
    of being seeded. ``companies`` seeds that many more companies, each with ``customers``
    customers of its own. Pass ``store`` to share an open `Store` instead. ``writes`` sets
    the push mode and the sync (default: pushes complete at once, visible at once).
    The app's `SandboxState` is at ``app.state.sandbox``. With ``tracer_provider`` each
    request is a SERVER span continuing its ``traceparent`` (`tracing.trace_app`; needs the
    ``tracing`` extra).
    """
    store = store if store is not None else Store(db_path)
    info = load_seed_info(store)
    if info is None and store.is_empty():
        if snapshot is not None:
            info = load_snapshot(store, snapshot, seed=seed)
        else:
            info = seed_store(store, seed=seed, customers=customers, companies=companies)
    state = SandboxState(
        store=store,
        faults=FaultInjector(faults, daily_quota=1000 * (1 + store.count_companies())),
        api_key=api_key,
        clock=clock,
        seed=info,
        writes=Writes(store, clock, writes),
    )
    app = Starlette(
        routes=[*_routes(state), *admin_routes(state)],
        exception_handlers={
            ApiError: _on_api_error,
            HTTPException: _on_http_error,
            Exception: _on_crash,
        },
    )
    app.state.sandbox = state
    if tracer_provider is not None:
        from .tracing import trace_app  # noqa: PLC0415 - OpenTelemetry only when asked

        trace_app(app, tracer_provider)
    return app


def sandbox_state(app: Starlette) -> SandboxState:
    """The `SandboxState` of an app made by `create_app`."""
    state = app.state.sandbox
    assert isinstance(state, SandboxState)
    return state
