"""The seed-compatible client: ``CodatAccounting(...).customers.<operation>(request=...)``.

Each method returns the model or raises, exactly as ``codat-accounting`` documents:
``errors.ErrorMessage`` (with ``.data``) for documented error statuses, ``errors.SDKError``
for anything else the server answers. Transport failures raise the core's
``TransportError`` subclasses and invalid requests ``RequestValidationError``, before any
byte is sent. Everything runs through :class:`~codat_customers.client.CodatCustomers`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any, NoReturn, TypeVar

from msgspec import UNSET, UnsetType
from returns.result import Result, Success
from typing_extensions import Unpack

from codat_customers.core import (
    CREATE,
    DOWNLOAD_ATTACHMENT,
    GET,
    GET_ATTACHMENT,
    GET_CREATE_UPDATE_MODEL,
    LIST,
    LIST_ATTACHMENTS,
    UPDATE,
    ApiError,
    AsyncTransport,
    CodatError,
    DecodeError,
    HttpResponse,
    Operation,
    ResponseError,
    Transport,
)
from codat_customers.core.models import (
    Attachment,
    AttachmentsDataset,
    CreateCustomerResponse,
    Customer,
    Customers,
    PushOption,
    UpdateCustomerResponse,
)
from codat_customers.core.requests import (
    CreateCustomerRequest,
    DownloadCustomerAttachmentRequest,
    GetCreateUpdateCustomersModelRequest,
    GetCustomerAttachmentRequest,
    GetCustomerRequest,
    ListCustomerAttachmentsRequest,
    ListCustomersRequest,
    UpdateCustomerRequest,
)
from codat_customers.plugins import CachePlugin, RetryBudget

from .client import (
    SERVERS,
    CallOptions,
    Closeable,
    CodatCustomers,
    CreateOptions,
    Retries,
    SecuritySource,
)
from .downloads import AttachmentDownload
from .models import errors
from .models.operations import (
    CreateCustomerRequestTypedDict,
    DownloadCustomerAttachmentRequestTypedDict,
    GetCreateUpdateCustomersModelRequestTypedDict,
    GetCustomerAttachmentRequestTypedDict,
    GetCustomerRequestTypedDict,
    ListCustomerAttachmentsRequestTypedDict,
    ListCustomersRequestTypedDict,
    UpdateCustomerRequestTypedDict,
)
from .paging import DEFAULT_PAGE_CONCURRENCY
from .push_operations import PushOperationsResource

__all__ = ["CodatAccounting", "CustomersResource", "raise_error"]

T = TypeVar("T")


_CARRIED = ("outcome_unknown", "idempotency_key", "retry_after", "rate_limit", "correlation_id")


def _carrying(seed: errors.CodatError, error: CodatError) -> errors.CodatError:
    """``seed`` with what the client learned about ``error`` (outcome, key, rate limits)."""
    for name in _CARRIED:
        setattr(seed, name, getattr(error, name))
    return seed


def raise_error(operation: Operation[Any, Any], error: CodatError) -> NoReturn:
    """Raise the exception the peer SDK would raise for ``error``.

    The seed-style exceptions carry the same ``outcome_unknown``, ``idempotency_key``,
    ``retry_after``, ``rate_limit`` and ``correlation_id`` as the error they stand for.
    """
    if isinstance(error, ResponseError):
        raw = HttpResponse(error.status, error.headers, error.body)
        if isinstance(error, ApiError) and error.status in operation.error_statuses:
            raise _carrying(
                errors.ErrorMessage(
                    error.error_message, status_code=error.status, raw_response=raw
                ),
                error,
            ) from error
        if isinstance(error, DecodeError | ApiError) or error.status >= 400:
            message = "API error occurred" if error.status >= 400 else str(error.message)
        else:
            message = (
                f"Unexpected response received (code: {error.status}, "
                f"type: {error.content_type or '-'})"
            )
        text = error.body.decode("utf-8", errors="replace")
        raise _carrying(errors.SDKError(message, error.status, text, raw), error) from error
    raise error


def _value(operation: Operation[Any, Any], result: Result[T, CodatError]) -> T:
    if isinstance(result, Success):
        value: T = result.unwrap()
        return value
    raise_error(operation, result.failure())


class CustomersResource:
    """The eight Customers operations, returning models and raising on errors.

    Every method takes ``request`` (the request struct or a dict with the same snake_case
    keys) and the per-call options ``retries``, ``server_url`` and ``timeout_ms``.
    """

    def __init__(self, results: CodatCustomers) -> None:
        self._results = results

    def _call(self, operation: Operation[Any, T], request: object, options: CallOptions) -> T:
        return _value(operation, self._results.call(operation, request, **options))

    async def _call_async(
        self, operation: Operation[Any, T], request: object, options: CallOptions
    ) -> T:
        return _value(operation, await self._results.call_async(operation, request, **options))

    def list(
        self,
        request: ListCustomersRequest | ListCustomersRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Customers:
        """List one page of a company's customers."""
        return self._call(LIST, request, options)

    def get(
        self,
        request: GetCustomerRequest | GetCustomerRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Customer:
        """Get one customer."""
        return self._call(GET, request, options)

    def create(
        self,
        request: CreateCustomerRequest | CreateCustomerRequestTypedDict,
        **options: Unpack[CreateOptions],
    ) -> CreateCustomerResponse:
        """Create a customer; retries reuse one idempotency key, so never duplicate."""
        return self._call(CREATE, request, options)

    def update(
        self,
        request: UpdateCustomerRequest | UpdateCustomerRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> UpdateCustomerResponse:
        """Update a customer; re-sent only when the server provably did not act."""
        return self._call(UPDATE, request, options)

    def get_create_update_model(
        self,
        request: GetCreateUpdateCustomersModelRequest
        | GetCreateUpdateCustomersModelRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> PushOption:
        """Get the fields the company's integration expects for create and update."""
        return self._call(GET_CREATE_UPDATE_MODEL, request, options)

    def list_attachments(
        self,
        request: ListCustomerAttachmentsRequest | ListCustomerAttachmentsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> AttachmentsDataset:
        """List a customer's attachments."""
        return self._call(LIST_ATTACHMENTS, request, options)

    def get_attachment(
        self,
        request: GetCustomerAttachmentRequest | GetCustomerAttachmentRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Attachment:
        """Get one attachment's metadata."""
        return self._call(GET_ATTACHMENT, request, options)

    def download_attachment(
        self,
        request: DownloadCustomerAttachmentRequest | DownloadCustomerAttachmentRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> AttachmentDownload:
        """Download an attachment; read it with ``iter_bytes``, ``read`` or ``save``."""
        return AttachmentDownload(self._call(DOWNLOAD_ATTACHMENT, request, options))

    def iter_all(
        self,
        request: ListCustomersRequest | ListCustomersRequestTypedDict,
        *,
        concurrency: int = DEFAULT_PAGE_CONCURRENCY,
        **options: Unpack[CallOptions],
    ) -> Iterator[Customer]:
        """Every customer matching ``request`` across pages, lazily and in order.

        ``concurrency`` (1 to 10; default 1) pages are fetched at a time once the first page
        gives ``totalResults``, and held in memory until consumed. A page that still fails
        after its retries raises here, as :meth:`list` would; the customers already yielded
        are complete. ``break`` (or ``close()``) stops the requests in flight.
        """
        pages = self._results.iter_pages(request, concurrency=concurrency, **options)
        try:
            for number, page in enumerate(pages, start=1):
                yield from _page_customers(page, number)
        finally:
            # Stops the pages in flight now (on an error, a raised exception's traceback
            # would otherwise keep the page iterator, and its requests, alive).
            close = getattr(pages, "close", None)  # a generator's, whatever the annotation
            if close is not None:
                close()

    # Async twins: the same plan and plugins, driven by the async transport.

    async def list_async(
        self,
        request: ListCustomersRequest | ListCustomersRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Customers:
        """Async :meth:`list`."""
        return await self._call_async(LIST, request, options)

    async def get_async(
        self,
        request: GetCustomerRequest | GetCustomerRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Customer:
        """Async :meth:`get`."""
        return await self._call_async(GET, request, options)

    async def create_async(
        self,
        request: CreateCustomerRequest | CreateCustomerRequestTypedDict,
        **options: Unpack[CreateOptions],
    ) -> CreateCustomerResponse:
        """Async :meth:`create`."""
        return await self._call_async(CREATE, request, options)

    async def update_async(
        self,
        request: UpdateCustomerRequest | UpdateCustomerRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> UpdateCustomerResponse:
        """Async :meth:`update`."""
        return await self._call_async(UPDATE, request, options)

    async def get_create_update_model_async(
        self,
        request: GetCreateUpdateCustomersModelRequest
        | GetCreateUpdateCustomersModelRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> PushOption:
        """Async :meth:`get_create_update_model`."""
        return await self._call_async(GET_CREATE_UPDATE_MODEL, request, options)

    async def list_attachments_async(
        self,
        request: ListCustomerAttachmentsRequest | ListCustomerAttachmentsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> AttachmentsDataset:
        """Async :meth:`list_attachments`."""
        return await self._call_async(LIST_ATTACHMENTS, request, options)

    async def get_attachment_async(
        self,
        request: GetCustomerAttachmentRequest | GetCustomerAttachmentRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Attachment:
        """Async :meth:`get_attachment`."""
        return await self._call_async(GET_ATTACHMENT, request, options)

    async def download_attachment_async(
        self,
        request: DownloadCustomerAttachmentRequest | DownloadCustomerAttachmentRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> AttachmentDownload:
        """Async :meth:`download_attachment`; read it with ``aiter_bytes``/``aread``/``asave``."""
        return AttachmentDownload(await self._call_async(DOWNLOAD_ATTACHMENT, request, options))

    async def aiter_all(
        self,
        request: ListCustomersRequest | ListCustomersRequestTypedDict,
        *,
        concurrency: int = DEFAULT_PAGE_CONCURRENCY,
        **options: Unpack[CallOptions],
    ) -> AsyncIterator[Customer]:
        """Async :meth:`iter_all`; ``aclose()`` cancels the pages in flight."""
        pages = self._results.aiter_pages(request, concurrency=concurrency, **options)
        try:
            number = 0
            async for page in pages:
                number += 1
                for customer in _page_customers(page, number):
                    yield customer
        finally:
            # Stops the page tasks now, not whenever the page iterator is collected.
            aclose = getattr(pages, "aclose", None)
            if aclose is not None:
                await aclose()


def _page_customers(page: Result[Customers, CodatError], number: int) -> list[Customer]:
    """The customers of one page of a listing, or the peer's exception saying which page."""
    if isinstance(page, Success):
        return page.unwrap().results or []
    try:
        raise_error(LIST, page.failure())
    except Exception as exc:
        if hasattr(exc, "add_note"):  # Python 3.11+
            exc.add_note(
                f"listing customers failed at page {number} of those requested (after its "
                "retries); the customers yielded before it are complete"
            )
        raise


class CodatAccounting(Closeable):
    """The seed-compatible entry point: ``CodatAccounting(security=...).customers.list(...)``.

    It takes the peer SDK's arguments: ``security`` (a ``shared.Security`` or a function
    returning one), ``server_idx``/``server_url``, ``client``/``async_client`` (your own
    ``httpx`` clients, used through the httpx adapter), ``retry_config``, ``timeout_ms`` and
    ``debug_logger``; ``url_params`` is accepted and ignored (Codat's server URL has no
    variables). Beyond the peer: ``transport``/``async_transport`` (any adapter), ``cache``,
    ``plugins`` and ``retry_budget``, as in :class:`~codat_customers.client.CodatCustomers`.
    ``results`` is the Result-first client over the same transport and plugins.
    """

    def __init__(
        self,
        security: SecuritySource | None = None,
        server_idx: int | None = None,
        server_url: str | None = None,
        url_params: Mapping[str, str] | None = None,
        client: object | None = None,
        async_client: object | None = None,
        retry_config: Retries = UNSET,
        timeout_ms: int | None = None,
        debug_logger: logging.Logger | None = None,
        *,
        transport: Transport | None = None,
        async_transport: AsyncTransport | None = None,
        cache: CachePlugin | None = None,
        plugins: Iterable[object] = (),
        retry_budget: RetryBudget | UnsetType | None = UNSET,
    ) -> None:
        if server_url is None and server_idx is not None:
            if not 0 <= server_idx < len(SERVERS):
                raise ValueError(f"server_idx must be in 0..{len(SERVERS) - 1}")
            server_url = SERVERS[server_idx]
        if client is not None and transport is None:
            transport = _httpx_adapter("HttpxTransport", client)
        if async_client is not None and async_transport is None:
            async_transport = _httpx_adapter("HttpxAsyncTransport", async_client)
        self.results = CodatCustomers(
            security,
            server_url=server_url,
            retry_config=retry_config,
            timeout_ms=timeout_ms,
            transport=transport,
            async_transport=async_transport,
            cache=cache,
            plugins=plugins,
            logger=debug_logger,
            retry_budget=retry_budget,
        )
        self.customers = CustomersResource(self.results)
        self.push_operations = PushOperationsResource(self.results)
        """The push-operation reads and waiting for a push to complete."""

    def register_plugin(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object for every later call."""
        self.results.register_plugin(plugin, name)

    def close(self) -> None:
        """Release pooled connections."""
        self.results.close()

    async def aclose(self) -> None:
        """Release the async transport's connections."""
        await self.results.aclose()


def _httpx_adapter(name: str, client: object) -> Any:
    """Wrap a user's ``httpx`` client in the httpx adapter (the peer's ``client=``)."""
    try:
        module = importlib.import_module("codat_customers.adapters.httpx")
    except ImportError as exc:
        raise ImportError(
            "passing client=/async_client= needs the httpx adapter: "
            'pip install "codat-customers[httpx]"'
        ) from exc
    return getattr(module, name)(client)
