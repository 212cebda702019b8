"""The Platform API's push-operation reads: one operation by key, and a company's history.

``GET /companies/{companyId}/push/{pushOperationKey}`` and ``GET /companies/{companyId}/push``
(paged, with ``query`` and ``orderBy`` as the customers list has them), as
``spec/push-operations.openapi.json`` describes them.
"""

from __future__ import annotations

import msgspec
from codat_customers.core.models import PushOperation, PushOperations
from starlette.requests import Request
from starlette.responses import Response

from .errors import ApiError
from .faults import RequestFaults
from .paging import page_links, read_paging
from .query import (
    PUSH_OPERATION_FIELDS,
    CompiledSql,
    QueryError,
    UnknownPropertyError,
    compile_order,
    compile_query,
)
from .resources import require_company
from .state import SandboxState

MAX_PUSH_PAGE_SIZE = 2000
"""The largest page of push history the contract's PagingInfo allows."""

__all__ = ["PushTrackingHandlers"]

_ENCODER = msgspec.json.Encoder()
# Stored documents are create/update responses; the Platform API answers them without data.
_OPERATION = msgspec.json.Decoder(PushOperation)
_NO_COLUMNS: dict[str, str] = {}


def _query_error(error: QueryError) -> ApiError:
    service = "PullApi" if isinstance(error, UnknownPropertyError) else "ClientsApi"
    return ApiError(400, f"Error parsing query - {error.message}", service=service)


class PushTrackingHandlers:
    """``get-push-operation`` and ``get-company-push-history``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def get_push_operation(self, request: Request, faults: RequestFaults) -> Response:
        """GET /companies/{companyId}/push/{pushOperationKey}; 404 for an unknown key."""
        company = require_company(self.state.store, request.path_params["companyId"])
        key = request.path_params["pushOperationKey"]
        doc = self.state.store.push_operation(company.id, key.lower())
        if doc is None:
            raise ApiError(404, f"No push operation was found with key {key}")
        return Response(_ENCODER.encode(_OPERATION.decode(doc)), media_type="application/json")

    async def list_push_operations(self, request: Request, faults: RequestFaults) -> Response:
        """GET /companies/{companyId}/push, oldest first unless ``orderBy`` says otherwise."""
        company = require_company(self.state.store, request.path_params["companyId"])
        params = request.query_params
        page, size = read_paging(params)
        # The contract accepts a pageSize of up to 5000 but promises pages of at most 2000
        # (PagingInfo.pageSize): a bigger request is served 2000 at a time.
        size = min(size, MAX_PUSH_PAGE_SIZE)
        where: CompiledSql | None = None
        order: str | None = None
        try:
            if params.get("query"):
                where = compile_query(params["query"], PUSH_OPERATION_FIELDS, _NO_COLUMNS)
            if params.get("orderBy"):
                order = compile_order(params["orderBy"], PUSH_OPERATION_FIELDS, _NO_COLUMNS)
        except QueryError as error:
            raise _query_error(error) from None
        total, docs = self.state.store.list_push_operations(
            company.id, where, order, size, (page - 1) * size
        )
        links = page_links(
            request.url.path, request.scope["query_string"].decode("latin-1"), page, size, total
        )
        return Response(
            _ENCODER.encode(
                PushOperations(
                    results=[_OPERATION.decode(doc) for doc in docs],
                    page_number=page,
                    page_size=size,
                    total_results=total,
                    links=links,
                )
            ),
            media_type="application/json",
        )
