"""The Result-first client: the eight operations returning ``returns`` ``Result`` values.

Nothing is raised for API, transport or validation problems: every call returns
``Success(model)`` or ``Failure(CodatError)``, ready for ``bind``/``map``/``flow``. The
seed-compatible :class:`~codat_customers.sdk.CodatAccounting` is a thin layer over this.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import pluggy
from msgspec import UNSET, UnsetType
from returns.future import FutureResult
from returns.result import Failure, Result
from typing_extensions import Self, TypedDict, Unpack

from codat_customers.core import (
    CREATE,
    DOWNLOAD_ATTACHMENT,
    GET,
    GET_ATTACHMENT,
    GET_CREATE_UPDATE_MODEL,
    LIST,
    LIST_ATTACHMENTS,
    UPDATE,
    AsyncTransport,
    CodatError,
    HttpRequest,
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
from codat_customers.plugins import (
    DEFAULT_RETRY,
    AuthPlugin,
    CachePlugin,
    CallContext,
    IdempotencyPlugin,
    LoggingPlugin,
    RetryBudget,
    RetryConfig,
    RetryPlugin,
    call_hooks,
    new_plugin_manager,
    plan_call,
    run,
    run_async,
)

from . import paging
from .async_default import default_async_transport
from .downloads import AttachmentDownload
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
from .models.shared import Security
from .paging import DEFAULT_PAGE_CONCURRENCY
from .push_operations import PushOperationsMixin

__all__ = [
    "DEFAULT_SERVER_URL",
    "SERVERS",
    "CallOptions",
    "Closeable",
    "CodatCustomers",
    "CreateOptions",
    "SecuritySource",
    "resolve_server_url",
]

T = TypeVar("T")

DEFAULT_SERVER_URL = "https://api.codat.io"
SERVERS = (DEFAULT_SERVER_URL,)
"""The contract's servers, for the peer SDK's ``server_idx``."""
SERVER_URL_ENV = "CODAT_SERVER_URL"
MAX_TIMEOUT_MS = 2**31 - 1
"""The largest ``timeout_ms`` accepted (about 24.8 days); ``None`` means no limit."""

Retries = RetryConfig | None | UnsetType
SecuritySource = Security | str | Callable[[], Security | str]


class CallOptions(TypedDict, total=False):
    """Per-call overrides accepted by every operation."""

    retries: RetryConfig | None
    """Retry policy for this call; ``None`` turns retries off."""
    server_url: str | None
    """Base URL for this call."""
    timeout_ms: int | None
    """Connect and read timeout for this call, in milliseconds."""
    deadline_ms: float | None
    """A bound on the whole call, retries and waits included, in milliseconds. No retry
    starts after it, each attempt's timeout is cut to what is left, and async calls are
    cancelled when it passes (sync ones stop at the next read that exceeds it)."""
    http_headers: Mapping[str, str] | None
    """Extra headers for this call. They win over every plugin's (an ``Authorization`` here
    replaces the client's credential for this call); values are never logged or echoed."""


class CreateOptions(CallOptions, total=False):
    """The per-call options of ``create``: :class:`CallOptions` and an idempotency key."""

    idempotency_key: str | None
    """The ``Idempotency-Key`` to send instead of a random one: derive it from your own
    record (for example its primary key) so a re-run job, even in a new process, replays the
    first answer instead of creating a second customer. 1 to 255 printable ASCII characters."""


def resolve_server_url(server_url: str | None) -> str:
    """``server_url`` if given, else ``$CODAT_SERVER_URL``, else Codat's production URL."""
    return server_url or os.environ.get(SERVER_URL_ENV) or DEFAULT_SERVER_URL


class Closeable:
    """``with`` and ``async with`` support for anything with ``close`` and ``aclose``."""

    def close(self) -> None:
        """Release resources."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Release resources held for async use."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class CodatCustomers(PushOperationsMixin, Closeable):
    """A client for the Customers operations whose methods return ``Result`` values.

    :param security: the credential: ``Security``, a ``"Basic ..."`` value, an API key, or
        a function returning one of these (called per request, for rotating keys).
    :param server_url: the API's base URL (default: ``$CODAT_SERVER_URL``, then
        ``https://api.codat.io``).
    :param retry_config: the default retry policy (default: the contract's backoff);
        ``None`` turns retries off.
    :param timeout_ms: connect and read timeout for every call, in milliseconds.
    :param transport: the adapter that sends requests (default: urllib3).
    :param async_transport: the adapter for ``*_async`` methods (default: ``transport`` run
        in worker threads if you gave one, else the fastest installed: aiohttp, else the
        threaded transport; see :attr:`async_transport`).
    :param cache: a :class:`CachePlugin` to cache GET responses (off by default).
    :param plugins: more plugin objects to register after the built-in ones.
    :param logger: where the logging plugin writes (default: the ``codat_customers`` logger).
    :param retry_budget: the token bucket every retry of this client draws from (default: a
        fresh :class:`~codat_customers.plugins.RetryBudget`); ``None`` for no budget.

    A client pickles (for ``multiprocessing``, Dask, Ray, Celery): the copy is built again
    from the constructor's arguments plus the plugins given to :meth:`register_plugin`
    since, with new connection pools and plugin state. Every argument must pickle: a
    credential provider must be a module-level function (a lambda or a nested function
    does not pickle with the standard :mod:`pickle`), and a transport built on your own
    pool or client cannot be pickled. See docs/scale.md.
    """

    _arguments: tuple[tuple[Any, ...], dict[str, Any]]
    _registered: list[tuple[object, str | None]]

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        """Remember the constructor's arguments: a pickled copy is rebuilt from them."""
        client = super().__new__(cls)
        client._arguments = (args, kwargs)
        client._registered = []
        return client

    def __reduce__(self) -> tuple[Any, ...]:
        args, kwargs = self._arguments
        return (_rebuild_client, (type(self), args, kwargs, list(self._registered)))

    def __init__(
        self,
        security: SecuritySource | None = None,
        *,
        server_url: str | None = None,
        retry_config: Retries = UNSET,
        timeout_ms: int | None = None,
        transport: Transport | None = None,
        async_transport: AsyncTransport | None = None,
        cache: CachePlugin | None = None,
        plugins: Iterable[object] = (),
        logger: logging.Logger | None = None,
        retry_budget: RetryBudget | UnsetType | None = UNSET,
    ) -> None:
        auth = _auth_plugin(security)
        self.server_url = _checked_url(resolve_server_url(server_url))
        self.retry_config: RetryConfig | None = (
            DEFAULT_RETRY if isinstance(retry_config, UnsetType) else _checked(retry_config)
        )
        self.timeout_ms = timeout_ms
        self._timeout = _timeout_seconds(timeout_ms)
        if transport is None:
            # Imported here so clients built on another adapter never import urllib3.
            from codat_customers.adapters.urllib3 import Urllib3Transport  # noqa: PLC0415

            transport = Urllib3Transport()
        elif async_transport is None:
            # Your transport's pool, proxy and TLS settings apply to async calls too.
            from codat_customers.adapters.threaded import (  # noqa: PLC0415
                ThreadedAsyncTransport,
            )

            async_transport = ThreadedAsyncTransport(transport)
        self.transport: Transport = transport
        # None: the fastest installed async adapter, made by the first async call, so a
        # client used only synchronously never imports aiohttp (see async_default).
        self._async_transport: AsyncTransport | None = async_transport
        self._async_lock = threading.Lock()
        self.cache = cache
        self._auth = auth
        self.retry = RetryPlugin(budget=retry_budget)
        builtins: list[object] = [IdempotencyPlugin(), self.retry, LoggingPlugin(logger)]
        self.plugin_manager: pluggy.PluginManager = new_plugin_manager(
            # ``is not None``: an empty CachePlugin has len() 0, so it is falsy.
            [
                *builtins,
                *([auth] if auth is not None else []),
                *([cache] if cache is not None else []),
                *plugins,
            ]
        )

    @property
    def async_transport(self) -> AsyncTransport:
        """The adapter behind the ``*_async`` methods.

        The ``async_transport`` given; else, if a ``transport`` was given, that transport
        run in worker threads; else the fastest installed (aiohttp, else the threaded
        transport over urllib3: :func:`codat_customers.async_default.default_async_adapter`
        names it), made on first use.
        """
        current = self._async_transport
        if current is None:
            with self._async_lock:
                current = self._async_transport
                if current is None:
                    current = self._async_transport = default_async_transport(self.transport)
        return current

    @async_transport.setter
    def async_transport(self, value: AsyncTransport) -> None:
        self._async_transport = value

    def register_plugin(self, plugin: object, name: str | None = None) -> None:
        """Register a plugin object whose ``@hookimpl`` methods join every later call."""
        self.plugin_manager.register(plugin, name=name)
        self._registered.append((plugin, name))

    def context(
        self,
        operation_id: str,
        *,
        retries: Retries = UNSET,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        deadline_ms: float | None = None,
    ) -> CallContext:
        """The plugin-visible context of one call with these per-call overrides.

        Raises :class:`~codat_customers.core.RequestValidationError` for an option of the
        wrong type or value (``timeout_ms`` of zero or less, a ``server_url`` that is not
        an http(s) URL), so no transport ever has to guess what it means.
        """
        return CallContext(
            operation_id=operation_id,
            # The peer treats an empty server_url as "not given"; so do we.
            base_url=_checked_url(server_url) if server_url else self.server_url,
            timeout=self._timeout if timeout_ms is None else _timeout_seconds(timeout_ms),
            deadline=None if deadline_ms is None else _timeout_seconds(deadline_ms, "deadline_ms"),
            retry=self.retry_config if isinstance(retries, UnsetType) else _checked(retries),
        )

    def _prepare(
        self, operation: Operation[Any, Any], request: object, options: CreateOptions
    ) -> tuple[HttpRequest, CallContext]:
        """The request and context of one call; raises ``RequestValidationError``."""
        http_request = operation.build(operation.coerce(request))
        if not options:
            return http_request, self.context(operation.id)
        given = dict(options)
        extra = _extra_headers(given.pop("http_headers", None), given.pop("idempotency_key", None))
        http_request = http_request.with_headers(extra)
        return http_request, self.context(operation.id, **given)  # type: ignore[arg-type]

    def call(
        self, operation: Operation[Any, T], request: object, **options: Unpack[CreateOptions]
    ) -> Result[T, CodatError]:
        """Run any operation from the core's table: validate, build, send, parse."""
        try:
            http_request, context = self._prepare(operation, request, options)
        except RequestValidationError as exc:
            return Failure(exc)
        plan = plan_call(call_hooks(self.plugin_manager), http_request, context, operation.parse)
        return run(plan, self.transport, context)

    async def call_async(
        self, operation: Operation[Any, T], request: object, **options: Unpack[CreateOptions]
    ) -> Result[T, CodatError]:
        """:meth:`call` for async code: the same plan, driven by the async transport."""
        try:
            http_request, context = self._prepare(operation, request, options)
        except RequestValidationError as exc:
            return Failure(exc)
        plan = plan_call(call_hooks(self.plugin_manager), http_request, context, operation.parse)
        return await run_async(plan, self.async_transport, context)

    def future(
        self, operation: Operation[Any, T], request: object, **options: Unpack[CreateOptions]
    ) -> FutureResult[T, CodatError]:
        """:meth:`call_async` as a ``FutureResult``, for composition with ``returns``."""
        return FutureResult(self.call_async(operation, request, **options))

    # The eight operations. ``request`` is the operation's request struct or its dict form.

    def list(
        self,
        request: ListCustomersRequest | ListCustomersRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Result[Customers, CodatError]:
        """List one page of a company's customers (``ListCustomersRequest``)."""
        return self.call(LIST, request, **options)

    def get(
        self,
        request: GetCustomerRequest | GetCustomerRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Result[Customer, CodatError]:
        """Get one customer (``GetCustomerRequest``)."""
        return self.call(GET, request, **options)

    def create(
        self,
        request: CreateCustomerRequest | CreateCustomerRequestTypedDict,
        **options: Unpack[CreateOptions],
    ) -> Result[CreateCustomerResponse, CodatError]:
        """Create a customer (``CreateCustomerRequest``); safe to retry (idempotency key)."""
        return self.call(CREATE, request, **options)

    def update(
        self,
        request: UpdateCustomerRequest | UpdateCustomerRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Result[UpdateCustomerResponse, CodatError]:
        """Update a customer (``UpdateCustomerRequest``)."""
        return self.call(UPDATE, request, **options)

    def get_create_update_model(
        self,
        request: GetCreateUpdateCustomersModelRequest
        | GetCreateUpdateCustomersModelRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Result[PushOption, CodatError]:
        """Get the fields an integration expects (``GetCreateUpdateCustomersModelRequest``)."""
        return self.call(GET_CREATE_UPDATE_MODEL, request, **options)

    def list_attachments(
        self,
        request: ListCustomerAttachmentsRequest | ListCustomerAttachmentsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Result[AttachmentsDataset, CodatError]:
        """List a customer's attachments (``ListCustomerAttachmentsRequest``)."""
        return self.call(LIST_ATTACHMENTS, request, **options)

    def get_attachment(
        self,
        request: GetCustomerAttachmentRequest | GetCustomerAttachmentRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Result[Attachment, CodatError]:
        """Get one attachment's metadata (``GetCustomerAttachmentRequest``)."""
        return self.call(GET_ATTACHMENT, request, **options)

    def download_attachment(
        self,
        request: DownloadCustomerAttachmentRequest | DownloadCustomerAttachmentRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> Result[AttachmentDownload, CodatError]:
        """Download an attachment (``DownloadCustomerAttachmentRequest``), streamed."""
        return self.call(DOWNLOAD_ATTACHMENT, request, **options).map(AttachmentDownload)

    # The same operations for async code, as ``FutureResult`` values.

    def list_async(
        self,
        request: ListCustomersRequest | ListCustomersRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> FutureResult[Customers, CodatError]:
        """Async :meth:`list`."""
        return self.future(LIST, request, **options)

    def get_async(
        self,
        request: GetCustomerRequest | GetCustomerRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> FutureResult[Customer, CodatError]:
        """Async :meth:`get`."""
        return self.future(GET, request, **options)

    def create_async(
        self,
        request: CreateCustomerRequest | CreateCustomerRequestTypedDict,
        **options: Unpack[CreateOptions],
    ) -> FutureResult[CreateCustomerResponse, CodatError]:
        """Async :meth:`create`."""
        return self.future(CREATE, request, **options)

    def update_async(
        self,
        request: UpdateCustomerRequest | UpdateCustomerRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> FutureResult[UpdateCustomerResponse, CodatError]:
        """Async :meth:`update`."""
        return self.future(UPDATE, request, **options)

    def get_create_update_model_async(
        self,
        request: GetCreateUpdateCustomersModelRequest
        | GetCreateUpdateCustomersModelRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> FutureResult[PushOption, CodatError]:
        """Async :meth:`get_create_update_model`."""
        return self.future(GET_CREATE_UPDATE_MODEL, request, **options)

    def list_attachments_async(
        self,
        request: ListCustomerAttachmentsRequest | ListCustomerAttachmentsRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> FutureResult[AttachmentsDataset, CodatError]:
        """Async :meth:`list_attachments`."""
        return self.future(LIST_ATTACHMENTS, request, **options)

    def get_attachment_async(
        self,
        request: GetCustomerAttachmentRequest | GetCustomerAttachmentRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> FutureResult[Attachment, CodatError]:
        """Async :meth:`get_attachment`."""
        return self.future(GET_ATTACHMENT, request, **options)

    def download_attachment_async(
        self,
        request: DownloadCustomerAttachmentRequest | DownloadCustomerAttachmentRequestTypedDict,
        **options: Unpack[CallOptions],
    ) -> FutureResult[AttachmentDownload, CodatError]:
        """Async :meth:`download_attachment`; read it with ``aiter_bytes``/``aread``/``asave``."""
        return self.future(DOWNLOAD_ATTACHMENT, request, **options).map(AttachmentDownload)

    # Paging: pages in order, ``concurrency`` in flight (and in memory) at a time.

    def iter_pages(
        self,
        request: ListCustomersRequest | ListCustomersRequestTypedDict,
        *,
        concurrency: int = DEFAULT_PAGE_CONCURRENCY,
        **options: Unpack[CallOptions],
    ) -> Iterator[Result[Customers, CodatError]]:
        """Every page of customers from ``request.page`` on, lazily, in order.

        Ends after the last page or after a ``Failure`` (yielded; earlier pages stay valid).
        ``concurrency`` (1 to 10, Codat's limit per company; default 1) is how many pages
        are fetched at a time, by worker threads, once the first page gives
        ``totalResults``. Stopping early (``break``, ``close()``) cancels the pages not yet
        started and waits for the ones running, so no request outlives the iterator.
        """

        def fetch(page: object) -> Result[Customers, CodatError]:
            return self.call(LIST, page, **options)

        return paging.iter_pages(fetch, request, concurrency)

    def aiter_pages(
        self,
        request: ListCustomersRequest | ListCustomersRequestTypedDict,
        *,
        concurrency: int = DEFAULT_PAGE_CONCURRENCY,
        **options: Unpack[CallOptions],
    ) -> AsyncIterator[Result[Customers, CodatError]]:
        """Async :meth:`iter_pages`; the pages in flight are asyncio tasks.

        Closing it early (``aclose()``, or cancelling the consuming task) cancels the tasks
        in flight and waits for them.
        """

        async def fetch(page: object) -> Result[Customers, CodatError]:
            return await self.call_async(LIST, page, **options)

        return paging.aiter_pages(fetch, request, concurrency)

    def close(self) -> None:
        """Release the transport's connections."""
        self.transport.close()

    async def aclose(self) -> None:
        """Release the async transport's connections."""
        if self._async_transport is not None:  # a default one not made yet holds nothing
            await self._async_transport.aclose()

    def __repr__(self) -> str:
        return f"CodatCustomers(server_url={self.server_url!r})"


def _rebuild_client(
    cls: type[CodatCustomers],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    registered: list[tuple[object, str | None]],
) -> CodatCustomers:
    """An unpickled client: made again from its arguments, with its later plugins."""
    client = cls(*args, **kwargs)
    for plugin, name in registered:
        client.register_plugin(plugin, name)
    return client


_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,254}")


def _extra_headers(headers: object, idempotency_key: object) -> dict[str, str]:
    """The per-call headers, checked: names are tokens, values one line of ASCII text.

    A bad value is rejected without being quoted, since headers often carry credentials.
    """
    extra: dict[str, str] = {}
    if headers is not None:
        if not isinstance(headers, Mapping):
            raise RequestValidationError(
                "http_headers",
                f"expected a mapping of names to values, got {type(headers).__name__}",
            )
        for name, value in headers.items():
            if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
                shown = repr(name)[:40] if isinstance(name, str) else type(name).__name__
                raise RequestValidationError("http_headers", f"{shown} is not a header name")
            if not isinstance(value, str) or not _HEADER_VALUE.fullmatch(value):
                raise RequestValidationError(
                    f"http_headers.{name}", "the value must be printable ASCII, on one line"
                )
            extra[name.lower()] = value
    if idempotency_key is not None:
        if not isinstance(idempotency_key, str) or not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise RequestValidationError(
                "idempotency_key", "must be 1 to 255 printable ASCII characters"
            )
        extra["idempotency-key"] = idempotency_key
    return extra


def _timeout_seconds(timeout_ms: object, field: str = "timeout_ms") -> float | None:
    """``timeout_ms`` in seconds (``None``: no limit); anything else is rejected by name."""
    if timeout_ms is None:
        return None
    if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int | float):
        raise RequestValidationError(
            field, f"expected milliseconds as a number, got {type(timeout_ms).__name__}"
        )
    # ``not >`` also rejects NaN. Socket libraries overflow on huge values; no limit is
    # spelt ``None``, so a limit beyond about 24 days (2**31 - 1 ms) is a mistake.
    if not 0 < timeout_ms <= MAX_TIMEOUT_MS:
        raise RequestValidationError(
            field,
            f"must be more than 0 and at most {MAX_TIMEOUT_MS} milliseconds (None: no limit), "
            f"got {timeout_ms}",
        )
    return timeout_ms / 1000


def _checked_url(server_url: object) -> str:
    """``server_url`` if it is an absolute http(s) URL; rejected by name otherwise."""
    if isinstance(server_url, str) and server_url.startswith(("http://", "https://")):
        host = server_url.split("://", 1)[1].split("/", 1)[0]
        if host and server_url.isprintable() and " " not in server_url:
            return server_url
    # A URL may carry user:password@; only one without it is quoted back.
    if isinstance(server_url, str) and "@" not in server_url:
        shown = repr(server_url)
    else:
        shown = f"a {type(server_url).__name__}"
    raise RequestValidationError("server_url", f"expected an http:// or https:// URL, got {shown}")


def _checked(retries: object) -> RetryConfig | None:
    """``retries`` if it is a ``RetryConfig`` or ``None``; rejected by name otherwise."""
    if retries is None or isinstance(retries, RetryConfig):
        return retries
    raise RequestValidationError(
        "retries", f"expected a RetryConfig or None, got {type(retries).__name__}"
    )


def _auth_plugin(security: SecuritySource | None) -> AuthPlugin | None:
    """The auth plugin for any accepted form of ``security``, or ``None`` without one."""
    if security is None:
        return None
    if callable(security):
        provider = security

        def credential() -> str:
            value = provider()
            return value.auth_header if isinstance(value, Security) else value

        return AuthPlugin(credential)
    credential_text = security.auth_header if isinstance(security, Security) else security
    return AuthPlugin(credential_text) if credential_text else None
