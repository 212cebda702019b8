"""The read operations: list, get, the create/update model and the three attachment calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import msgspec
from codat_customers.core.models import Attachment, AttachmentsDataset, Customers, Links
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from .errors import ApiError
from .faults import RequestFaults
from .options import CUSTOMER_PUSH_OPTION
from .paging import page_links, read_paging
from .query import CompiledSql, QueryError, UnknownPropertyError, compile_order, compile_query
from .resources import require_connection, require_customer, require_synced
from .state import SandboxState
from .storage import AttachmentRow, Store

__all__ = ["ReadHandlers"]

_ENCODER = msgspec.json.Encoder()
_ATTACHMENT = msgspec.json.Decoder(Attachment)
_PUSH_OPTION_JSON = _ENCODER.encode(CUSTOMER_PUSH_OPTION)
_NO_RESULTS = b'"results":[]}'


def _json(value: object) -> Response:
    return Response(_ENCODER.encode(value), media_type="application/json")


def _page_json(page: int, size: int, total: int, links: Links, docs: list[bytes]) -> bytes:
    """The JSON of a page of customers, ``docs`` spliced in as they are stored.

    The bytes are the ones encoding a ``Customers`` would give: ``results`` is its last
    field, so the envelope encoded with no results ends in ``[]}``, and each document is
    already a ``Customer`` as encoded (`storage.wire_form`).
    """
    envelope = _ENCODER.encode(
        Customers(page_number=page, page_size=size, total_results=total, links=links, results=[])
    )
    assert envelope.endswith(_NO_RESULTS)
    head = envelope[: -len(_NO_RESULTS)] + b'"results":['
    if not docs:
        return head + b"]}"
    # The first and last documents take the envelope's ends, so that the page (megabytes)
    # is copied once, by the join.
    docs[0] = head + docs[0]
    docs[-1] = docs[-1] + b"]}"
    return b",".join(docs)


def _query_error(error: QueryError) -> ApiError:
    service = "PullApi" if isinstance(error, UnknownPropertyError) else "ClientsApi"
    return ApiError(400, f"Error parsing query - {error.message}", service=service)


class ReadHandlers:
    """The operations that read; each takes the request and its drawn faults."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    @property
    def store(self) -> Store:
        """The sandbox's store."""
        return self.state.store

    async def list_customers(self, request: Request, faults: RequestFaults) -> Response:
        """GET /companies/{companyId}/data/customers."""
        company = require_synced(self.store, request.path_params["companyId"])
        params = request.query_params
        page, size = read_paging(params)
        where: CompiledSql | None = None
        order: str | None = None
        try:
            if params.get("query"):
                where = compile_query(params["query"])
            if params.get("orderBy"):
                order = compile_order(params["orderBy"])
        except QueryError as error:
            raise _query_error(error) from None
        path, raw_query = request.url.path, request.scope["query_string"].decode("latin-1")

        def page_json() -> bytes:
            total, docs = self.store.list_customers(
                company.id, where, order, size, (page - 1) * size
            )
            return _page_json(
                page, size, total, page_links(path, raw_query, page, size, total), docs
            )

        # Reading and joining a page of thousands takes milliseconds; in a worker thread the
        # event loop meanwhile goes on sending earlier pages and reading new requests.
        return Response(await run_in_threadpool(page_json), media_type="application/json")

    async def get_customer(self, request: Request, faults: RequestFaults) -> Response:
        """GET /companies/{companyId}/data/customers/{customerId}."""
        company = require_synced(self.store, request.path_params["companyId"])
        doc = require_customer(self.store, company, request.path_params["customerId"])
        return Response(doc, media_type="application/json")

    async def get_create_update_model(self, request: Request, faults: RequestFaults) -> Response:
        """GET .../connections/{connectionId}/options/customers."""
        params = request.path_params
        require_connection(self.store, params["companyId"], params["connectionId"])
        return Response(_PUSH_OPTION_JSON, media_type="application/json")

    def _customer_of(self, request: Request) -> tuple[str, str]:
        params = request.path_params
        company, _ = require_connection(self.store, params["companyId"], params["connectionId"])
        require_customer(self.store, company, params["customerId"])
        return company.id, params["customerId"]

    async def list_attachments(self, request: Request, faults: RequestFaults) -> Response:
        """GET .../data/customers/{customerId}/attachments."""
        company_id, customer_id = self._customer_of(request)
        docs = self.store.list_attachments(company_id, customer_id)
        return _json(AttachmentsDataset(attachments=[_ATTACHMENT.decode(doc) for doc in docs]))

    async def get_attachment(self, request: Request, faults: RequestFaults) -> Response:
        """GET .../attachments/{attachmentId}."""
        company_id, customer_id = self._customer_of(request)
        row = self._attachment(request, company_id, customer_id)
        return Response(row.doc, media_type="application/json")

    async def download_attachment(self, request: Request, faults: RequestFaults) -> Response:
        """GET .../attachments/{attachmentId}/download, streamed chunk by chunk."""
        company_id, customer_id = self._customer_of(request)
        row = self._attachment(request, company_id, customer_id)
        return StreamingResponse(
            self._chunks(row.id),
            media_type="application/octet-stream",
            headers={
                "Content-Length": str(row.file_size),
                "Content-Disposition": _disposition(row.name or row.id),
            },
        )

    def _attachment(self, request: Request, company_id: str, customer_id: str) -> AttachmentRow:
        attachment_id = request.path_params["attachmentId"].lower()
        row = self.store.attachment(company_id, customer_id, attachment_id)
        if row is None:
            raise ApiError(404, f"No attachment was found with ID {attachment_id}")
        return row

    async def _chunks(self, attachment_id: str) -> AsyncIterator[bytes]:
        seq = 0
        while (chunk := self.store.attachment_chunk(attachment_id, seq)) is not None:
            if chunk:
                yield chunk
            seq += 1


def _disposition(filename: str) -> str:
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
