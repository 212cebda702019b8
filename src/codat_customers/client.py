"""The Result-first client: the eight operations returning ``returns`` ``Result`` values.

Nothing is raised for API, transport or validation problems: every call returns
``Success(model)`` or ``Failure(CodatError)``, ready for ``bind``/``map``/``flow``. The
seed-compatible :class:`~codat_customers.sdk.CodatAccounting` is a thin layer over this.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import pluggy
from msgspec import UNSET, UnsetType
from returns.result import Failure, Result
from typing_extensions import TypedDict, Unpack

from codat_customers.core import (
    CREATE,
    DOWNLOAD_ATTACHMENT,
    GET,
    GET_ATTACHMENT,
    GET_CREATE_UPDATE_MODEL,
    LIST,
    LIST_ATTACHMENTS,
    UPDATE,
    CodatError,
    Operation,
    RequestValidationError,
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
from codat_customers.plugins import (
    DEFAULT_RETRY,
    AuthPlugin,
    CachePlugin,
    CallContext,
    IdempotencyPlugin,
    LoggingPlugin,
    RetryConfig,
    RetryPlugin,
    credential_fingerprint,
    new_plugin_manager,
    plan_call,
    run,
)

from .downloads import AttachmentDownload
from .models.shared import Security
from .paging import iter_pages

__all__ = ["DEFAULT_SERVER_URL", "CallOptions", "CodatCustomers", "resolve_server_url"]

T = TypeVar("T")

DEFAULT_SERVER_URL = "https://api.codat.io"
SERVER_URL_ENV = "CODAT_SERVER_URL"

Retries = RetryConfig | None | UnsetType


class CallOptions(TypedDict, total=False):
    """Per-call overrides accepted by every operation."""

    retries: RetryConfig | None
    """Retry policy for this call; ``None`` turns retries off."""
    server_url: str | None
    """Base URL for this call."""
    timeout_ms: int | None
    """Connect and read timeout for this call, in milliseconds."""


def resolve_server_url(server_url: str | None) -> str:
    """``server_url`` if given, else ``$CODAT_SERVER_URL``, else Codat's production URL."""
    return server_url or os.environ.get(SERVER_URL_ENV) or DEFAULT_SERVER_URL


class CodatCustomers:
    """A client for the Customers operations whose methods return ``Result`` values.

    :param security: the credential (``Security``, a ``"Basic ..."`` value or an API key).
    :param server_url: the API's base URL (default: ``$CODAT_SERVER_URL``, then
        ``https://api.codat.io``).
    :param retry_config: the default retry policy (default: the contract's backoff);
        ``None`` turns retries off.
    :param timeout_ms: connect and read timeout for every call, in milliseconds.
    :param transport: the adapter that sends requests (default: urllib3).
    :param cache: a :class:`CachePlugin` to cache GET responses (off by default).
    :param plugins: more plugin objects to register after the built-in ones.
    """

    def __init__(
        self,
        security: Security | str | None = None,
        *,
        server_url: str | None = None,
        retry_config: Retries = UNSET,
        timeout_ms: int | None = None,
        transport: Transport | None = None,
        cache: CachePlugin | None = None,
        plugins: Iterable[object] = (),
    ) -> None:
        credential = security.auth_header if isinstance(security, Security) else security
        auth = AuthPlugin(credential) if credential else None
        self.server_url = resolve_server_url(server_url)
        self.retry_config: RetryConfig | None = (
            DEFAULT_RETRY if isinstance(retry_config, UnsetType) else retry_config
        )
        self.timeout_ms = timeout_ms
        if transport is None:
            # Imported here so clients built on another adapter never import urllib3.
            from codat_customers.adapters.urllib3 import Urllib3Transport  # noqa: PLC0415

            transport = Urllib3Transport()
        self.transport: Transport = transport
        self.cache = cache
        self._fingerprint = auth.fingerprint if auth else credential_fingerprint(None)
        builtins: list[object] = [IdempotencyPlugin(), RetryPlugin(), LoggingPlugin()]
        self.plugin_manager: pluggy.PluginManager = new_plugin_manager(
            [*builtins, *([auth] if auth else []), *([cache] if cache else []), *plugins]
        )

    def register_plugin(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object whose ``@hookimpl`` methods join every later call."""
        self.plugin_manager.register(plugin, name=name)

    def context(
        self,
        operation_id: str,
        *,
        retries: Retries = UNSET,
        server_url: str | None = None,
        timeout_ms: int | None = None,
    ) -> CallContext:
        """The plugin-visible context of one call with these per-call overrides."""
        timeout = timeout_ms if timeout_ms is not None else self.timeout_ms
        return CallContext(
            operation_id=operation_id,
            base_url=server_url or self.server_url,
            timeout=None if timeout is None else timeout / 1000,
            retry=self.retry_config if isinstance(retries, UnsetType) else retries,
            credential_fingerprint=self._fingerprint,
        )

    def call(
        self,
        operation: Operation[Any, T],
        request: object,
        *,
        retries: Retries = UNSET,
        server_url: str | None = None,
        timeout_ms: int | None = None,
    ) -> Result[T, CodatError]:
        """Run any operation from the core's table: validate, build, send, parse."""
        try:
            http_request = operation.build(operation.coerce(request))
        except RequestValidationError as exc:
            return Failure(exc)
        context = self.context(
            operation.id, retries=retries, server_url=server_url, timeout_ms=timeout_ms
        )
        plan = plan_call(self.plugin_manager.hook, http_request, context, operation.parse)
        return run(plan, self.transport, context)

    # The eight operations. ``request`` is the operation's request struct or its dict form.

    def list(
        self, request: object, **options: Unpack[CallOptions]
    ) -> Result[Customers, CodatError]:
        """List one page of a company's customers (``ListCustomersRequest``)."""
        return self.call(LIST, request, **options)

    def get(self, request: object, **options: Unpack[CallOptions]) -> Result[Customer, CodatError]:
        """Get one customer (``GetCustomerRequest``)."""
        return self.call(GET, request, **options)

    def create(
        self, request: object, **options: Unpack[CallOptions]
    ) -> Result[CreateCustomerResponse, CodatError]:
        """Create a customer (``CreateCustomerRequest``); safe to retry (idempotency key)."""
        return self.call(CREATE, request, **options)

    def update(
        self, request: object, **options: Unpack[CallOptions]
    ) -> Result[UpdateCustomerResponse, CodatError]:
        """Update a customer (``UpdateCustomerRequest``)."""
        return self.call(UPDATE, request, **options)

    def get_create_update_model(
        self, request: object, **options: Unpack[CallOptions]
    ) -> Result[PushOption, CodatError]:
        """Get the fields an integration expects (``GetCreateUpdateCustomersModelRequest``)."""
        return self.call(GET_CREATE_UPDATE_MODEL, request, **options)

    def list_attachments(
        self, request: object, **options: Unpack[CallOptions]
    ) -> Result[AttachmentsDataset, CodatError]:
        """List a customer's attachments (``ListCustomerAttachmentsRequest``)."""
        return self.call(LIST_ATTACHMENTS, request, **options)

    def get_attachment(
        self, request: object, **options: Unpack[CallOptions]
    ) -> Result[Attachment, CodatError]:
        """Get one attachment's metadata (``GetCustomerAttachmentRequest``)."""
        return self.call(GET_ATTACHMENT, request, **options)

    def download_attachment(
        self, request: object, **options: Unpack[CallOptions]
    ) -> Result[AttachmentDownload, CodatError]:
        """Download an attachment (``DownloadCustomerAttachmentRequest``), streamed."""
        return self.call(DOWNLOAD_ATTACHMENT, request, **options).map(AttachmentDownload)

    def iter_pages(
        self, request: object, **options: Unpack[CallOptions]
    ) -> Iterator[Result[Customers, CodatError]]:
        """Every page of customers from ``request.page`` on, lazily; ends after a failure."""
        try:
            first = LIST.coerce(request)
        except RequestValidationError as exc:
            yield Failure(exc)
            return
        yield from iter_pages(lambda page: self.list(page, **options), first)

    def close(self) -> None:
        """Release the transport's connections."""
        self.transport.close()

    def __enter__(self) -> CodatCustomers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CodatCustomers(server_url={self.server_url!r})"
