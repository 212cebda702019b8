"""The ten operations as pairs of pure functions, and the table that names them: the eight
Customers operations and the two push-operation reads that follow a write to its outcome.

``build_*`` turns a request struct into an :class:`HttpRequest` (validating it first);
``parse_*`` turns an :class:`HttpResponse` into ``Result[model, CodatError]``. Neither
performs I/O, reads a clock or draws a random number, so both are tested with plain calls.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import msgspec
from returns.result import Failure, Result, Success

from .errors import (
    ApiError,
    CodatError,
    DecodeError,
    RequestValidationError,
    UnexpectedResponseError,
)
from .http import STREAMED_STATUS, HttpRequest, HttpResponse, MemoryByteStream
from .inputs import FieldTree, coerce_request, field_tree, snake_path
from .models import (
    Attachment,
    AttachmentsDataset,
    CreateCustomerResponse,
    Customer,
    Customers,
    ErrorMessage,
    PushOperation,
    PushOperations,
    PushOption,
    UpdateCustomerResponse,
)
from .requests import (
    CreateCustomerRequest,
    DownloadCustomerAttachmentRequest,
    GetCreateUpdateCustomersModelRequest,
    GetCustomerAttachmentRequest,
    GetCustomerRequest,
    GetPushOperationRequest,
    ListCustomerAttachmentsRequest,
    ListCustomersRequest,
    ListPushOperationsRequest,
    UpdateCustomerRequest,
)

__all__ = [
    "CREATE",
    "DOWNLOAD_ATTACHMENT",
    "GET",
    "GET_ATTACHMENT",
    "GET_CREATE_UPDATE_MODEL",
    "GET_PUSH_OPERATION",
    "LIST",
    "LIST_ATTACHMENTS",
    "LIST_PUSH_OPERATIONS",
    "MAX_JSON_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_PAGE_SIZE",
    "MAX_QUERY_LENGTH",
    "OPERATIONS",
    "PUSH_OPERATIONS",
    "UPDATE",
    "Operation",
    "build_create_customer",
    "build_download_customer_attachment",
    "build_get_create_update_customers_model",
    "build_get_customer",
    "build_get_customer_attachment",
    "build_get_push_operation",
    "build_list_customer_attachments",
    "build_list_customers",
    "build_list_push_operations",
    "build_update_customer",
    "json_parser",
    "parse_attachment",
    "parse_attachments",
    "parse_create_customer_response",
    "parse_customer",
    "parse_customers",
    "parse_download",
    "parse_error",
    "parse_push_operation",
    "parse_push_operations",
    "parse_push_option",
    "parse_update_customer_response",
]

Req = TypeVar("Req", bound=msgspec.Struct)
Out = TypeVar("Out")
M = TypeVar("M")

MAX_PAGE_SIZE = 5000
MAX_QUERY_LENGTH = 2047  # Codat rejects queries of 2048 characters or more.
MAX_JSON_BODY_BYTES = 256 * 1024 * 1024
"""The longest JSON body a parser decodes (256 MiB); a longer one is a ``DecodeError``.

A page of 5000 customers is about 4 MiB (``bench/fixtures.py``); at 20 KiB per customer
(long notes, many contacts and addresses) a full page is still under 100 MiB. The limit
bounds what decoding costs, since the Python objects take several times the JSON's size.
"""
MAX_JSON_DEPTH = 128
"""The nesting of arrays and objects a parser checks for before decoding, when it must.

The contract's models nest about seven levels (page, customer, contact, phone number); only
free-form ``supplementalData`` can go deeper. msgspec stops at the interpreter's recursion
limit (a ``DecodeError``), and that is safe as long as the C stack can hold that many
levels: always on CPython 3.12 and later, where C code has a recursion limit of its own,
and at the default limit (1000) before that. A program on 3.10 or 3.11 that raised the
limit (``sys.setrecursionlimit``) could be killed by a body nested tens of thousands deep,
so there the default parsers first scan the body and refuse one nested deeper than this.
A parser made with ``json_parser(max_depth=...)`` always scans, at its own depth.
"""
# Where the interpreter's recursion limit also bounds C code, and the program raised it
# above the default, the scan (a pass over every byte: about 70 % of the decode's time on
# a page of 100) is what keeps a hostile body from overflowing the C stack.
_LIMIT_BOUNDS_C_CODE = sys.version_info < (3, 12)
_DEFAULT_RECURSION_LIMIT = 1000


def _scan_depth(max_depth: int | None) -> int | None:
    """The depth to scan for before decoding, or ``None`` to rely on the decoder's guard."""
    if max_depth is not None:
        return max_depth
    if _LIMIT_BOUNDS_C_CODE and sys.getrecursionlimit() > _DEFAULT_RECURSION_LIMIT:
        return MAX_JSON_DEPTH
    return None


_INT32_MAX = 2**31 - 1

_JSON_HEADERS = (("accept", "application/json"),)
_SEND_JSON_HEADERS = (("accept", "application/json"), ("content-type", "application/json"))
_STREAM_HEADERS = (("accept", "application/octet-stream"),)

_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+")
_ENCODER = msgspec.json.Encoder()
_ERROR_DECODER = msgspec.json.Decoder(ErrorMessage)
_CUSTOMER_DECODER = msgspec.json.Decoder(Customer)


# --- building ------------------------------------------------------------------------


def _encodable(value: str, field: str) -> str:
    """Reject text that cannot be sent as UTF-8 (lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RequestValidationError(field, "is not valid Unicode text") from None
    return value


def _segment(value: object, field: str) -> str:
    """Percent-encode one path parameter; every reserved character is escaped."""
    if not isinstance(value, str):
        raise RequestValidationError(field, f"expected a string, got {type(value).__name__}")
    if _UNRESERVED.fullmatch(value) and value not in {".", ".."}:
        return value  # UUIDs and most platform ids: nothing to escape, skip quote()
    if not value.strip():
        raise RequestValidationError(field, "must not be empty")
    if value in {".", ".."}:
        # Dot segments are removed by URL normalisation and would address another resource.
        raise RequestValidationError(field, f"must not be {value!r}")
    return quote(_encodable(value, field), safe="")


def _int_in(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestValidationError(field, f"expected an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise RequestValidationError(field, f"must be between {low} and {high}, got {value}")
    return value


def _optional_str(value: object, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return _encodable(value, field)
    raise RequestValidationError(field, f"expected a string, got {type(value).__name__}")


def _customer_body(customer: object) -> bytes:
    """Encode the customer, checking every field's type by decoding what was encoded."""
    if customer is None:
        raise RequestValidationError("customer", "is required")
    if not isinstance(customer, Customer):
        raise RequestValidationError(
            "customer", f"expected a Customer, got {type(customer).__name__}"
        )
    try:
        body = _ENCODER.encode(customer)
    except (TypeError, ValueError) as exc:
        raise RequestValidationError("customer", str(exc)) from None
    except RecursionError:
        raise RequestValidationError(
            "customer", "nested too deeply (or contains a cycle)"
        ) from None
    try:
        # Structs built directly are not type-checked by msgspec; a strict round trip is.
        _CUSTOMER_DECODER.decode(body)
    except msgspec.ValidationError as exc:
        message = str(exc)
        raise RequestValidationError(
            "customer." + snake_path(message), message.split(" - at ", maxsplit=1)[0]
        ) from None
    return body


def _timeout_query(value: object) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    return (("timeoutInMinutes", str(_int_in(value, "timeout_in_minutes", 0, _INT32_MAX))),)


def _list_query(
    request: ListCustomersRequest | ListPushOperationsRequest,
) -> tuple[tuple[str, str], ...]:
    """``page``, ``pageSize``, ``query`` and ``orderBy`` of a paged list, validated."""
    query: list[tuple[str, str]] = [
        ("page", str(_int_in(request.page, "page", 1, _INT32_MAX))),
        ("pageSize", str(_int_in(request.page_size, "page_size", 1, MAX_PAGE_SIZE))),
    ]
    text = _optional_str(request.query, "query")
    if text is not None:
        if len(text) > MAX_QUERY_LENGTH:
            raise RequestValidationError(
                "query", f"must be at most {MAX_QUERY_LENGTH} characters, got {len(text)}"
            )
        query.append(("query", text))
    order_by = _optional_str(request.order_by, "order_by")
    if order_by is not None:
        query.append(("orderBy", order_by))
    return tuple(query)


def build_list_customers(request: ListCustomersRequest) -> HttpRequest:
    """GET ``/companies/{companyId}/data/customers`` with paging, query and ordering."""
    company = _segment(request.company_id, "company_id")
    query = _list_query(request)
    return HttpRequest(
        operation_id="list-customers",
        method="GET",
        path=f"/companies/{company}/data/customers",
        path_template="/companies/{companyId}/data/customers",
        query=query,
        headers=_JSON_HEADERS,
        company_id=request.company_id,
    )


def build_get_push_operation(request: GetPushOperationRequest) -> HttpRequest:
    """GET ``/companies/{companyId}/push/{pushOperationKey}`` (the Platform API)."""
    company = _segment(request.company_id, "company_id")
    key = _segment(request.push_operation_key, "push_operation_key")
    return HttpRequest(
        operation_id="get-push-operation",
        method="GET",
        path=f"/companies/{company}/push/{key}",
        path_template="/companies/{companyId}/push/{pushOperationKey}",
        headers=_JSON_HEADERS,
        company_id=request.company_id,
    )


def build_list_push_operations(request: ListPushOperationsRequest) -> HttpRequest:
    """GET ``/companies/{companyId}/push`` with paging, query and ordering (Platform API)."""
    company = _segment(request.company_id, "company_id")
    query = _list_query(request)
    return HttpRequest(
        operation_id="get-company-push-history",
        method="GET",
        path=f"/companies/{company}/push",
        path_template="/companies/{companyId}/push",
        query=query,
        headers=_JSON_HEADERS,
        company_id=request.company_id,
    )


def build_get_customer(request: GetCustomerRequest) -> HttpRequest:
    """GET ``/companies/{companyId}/data/customers/{customerId}``."""
    company = _segment(request.company_id, "company_id")
    customer = _segment(request.customer_id, "customer_id")
    return HttpRequest(
        operation_id="get-customer",
        method="GET",
        path=f"/companies/{company}/data/customers/{customer}",
        path_template="/companies/{companyId}/data/customers/{customerId}",
        headers=_JSON_HEADERS,
        company_id=request.company_id,
    )


def _connection_path(company_id: object, connection_id: object) -> str:
    company = _segment(company_id, "company_id")
    connection = _segment(connection_id, "connection_id")
    return f"/companies/{company}/connections/{connection}"


def build_get_create_update_customers_model(
    request: GetCreateUpdateCustomersModelRequest,
) -> HttpRequest:
    """GET ``.../connections/{connectionId}/options/customers``."""
    base = _connection_path(request.company_id, request.connection_id)
    return HttpRequest(
        operation_id="get-create-update-customers-model",
        method="GET",
        path=f"{base}/options/customers",
        path_template="/companies/{companyId}/connections/{connectionId}/options/customers",
        headers=_JSON_HEADERS,
        company_id=request.company_id,
    )


def build_create_customer(request: CreateCustomerRequest) -> HttpRequest:
    """POST ``.../connections/{connectionId}/push/customers`` with the customer as JSON."""
    base = _connection_path(request.company_id, request.connection_id)
    query = _timeout_query(request.timeout_in_minutes)
    return HttpRequest(
        operation_id="create-customer",
        method="POST",
        path=f"{base}/push/customers",
        path_template="/companies/{companyId}/connections/{connectionId}/push/customers",
        query=query,
        headers=_SEND_JSON_HEADERS,
        body=_customer_body(request.customer),
        company_id=request.company_id,
    )


def build_update_customer(request: UpdateCustomerRequest) -> HttpRequest:
    """PUT ``.../connections/{connectionId}/push/customers/{customerId}``."""
    base = _connection_path(request.company_id, request.connection_id)
    customer = _segment(request.customer_id, "customer_id")
    if not isinstance(request.force_update, bool):
        raise RequestValidationError(
            "force_update", f"expected a boolean, got {type(request.force_update).__name__}"
        )
    query = _timeout_query(request.timeout_in_minutes)
    if request.force_update:
        query += (("forceUpdate", "true"),)
    return HttpRequest(
        operation_id="update-customer",
        method="PUT",
        path=f"{base}/push/customers/{customer}",
        path_template="/companies/{companyId}/connections/{connectionId}/push/customers/{customerId}",
        query=query,
        headers=_SEND_JSON_HEADERS,
        body=_customer_body(request.customer),
        company_id=request.company_id,
    )


def _attachments_path(company_id: object, connection_id: object, customer_id: object) -> str:
    base = _connection_path(company_id, connection_id)
    return f"{base}/data/customers/{_segment(customer_id, 'customer_id')}/attachments"


def build_list_customer_attachments(request: ListCustomerAttachmentsRequest) -> HttpRequest:
    """GET ``.../data/customers/{customerId}/attachments``."""
    return HttpRequest(
        operation_id="list-customer-attachments",
        method="GET",
        path=_attachments_path(request.company_id, request.connection_id, request.customer_id),
        path_template="/companies/{companyId}/connections/{connectionId}/data/customers/{customerId}/attachments",
        headers=_JSON_HEADERS,
        company_id=request.company_id,
    )


def build_get_customer_attachment(request: GetCustomerAttachmentRequest) -> HttpRequest:
    """GET ``.../attachments/{attachmentId}``."""
    base = _attachments_path(request.company_id, request.connection_id, request.customer_id)
    return HttpRequest(
        operation_id="get-customer-attachment",
        method="GET",
        path=f"{base}/{_segment(request.attachment_id, 'attachment_id')}",
        path_template="/companies/{companyId}/connections/{connectionId}/data/customers/{customerId}/attachments/{attachmentId}",
        headers=_JSON_HEADERS,
        company_id=request.company_id,
    )


def build_download_customer_attachment(
    request: DownloadCustomerAttachmentRequest,
) -> HttpRequest:
    """GET ``.../attachments/{attachmentId}/download``; the body is streamed."""
    base = _attachments_path(request.company_id, request.connection_id, request.customer_id)
    return HttpRequest(
        operation_id="download-customer-attachment",
        method="GET",
        path=f"{base}/{_segment(request.attachment_id, 'attachment_id')}/download",
        path_template="/companies/{companyId}/connections/{connectionId}/data/customers/{customerId}/attachments/{attachmentId}/download",
        headers=_STREAM_HEADERS,
        response_kind="stream",
        company_id=request.company_id,
    )


# --- parsing -------------------------------------------------------------------------


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


# Quotes and brackets are kept, everything else deleted; openers become "(", closers ")".
_STRUCTURE = bytes.maketrans(b"[{]}", b"(())")
_NOT_STRUCTURE = bytes(range(256)).translate(None, b'"[]{}')
_PEEL_WORTH = 32  # a pass must remove at least 1/32 of what is left


def _nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether ``body`` nests arrays and objects more than ``limit`` deep; linear, iterative.

    Exact for valid JSON. For any other body it is never below the depth a JSON decoder
    reaches before it meets the error, which is what keeps the decoder's stack safe. The
    passes over the whole body are C loops (``replace``, ``translate``); the Python loop
    only sees what is left once the innermost levels are peeled off.
    """
    if len(body) <= limit:
        return False  # every level takes at least one byte
    if b"\\" in body:
        # Without escaped backslashes and quotes, each quote left opens or closes a string.
        # Outside a string a backslash is an error, where a decoder stops anyway.
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    stream = body.translate(_STRUCTURE, _NOT_STRUCTURE)
    # Two adjacent quotes are an open and a close with no bracket between (in either
    # order): dropping them leaves every bracket inside or outside a string as it was.
    stream = stream.replace(b'""', b"")
    if b'"' in stream:
        # Quotes now alternate open, close: every other piece is inside a string. After an
        # unclosed quote a decoder reads a string to the end, so that piece goes too.
        stream = b"".join(stream.split(b'"')[::2])
    # A pass removes every innermost "()": the deepest level drops by at most one, and the
    # rest keep their depth relative to one another. Passes go on while they pay (a wide,
    # shallow body vanishes in a few); a lone deep chain, which loses two bytes a pass, is
    # left to the loop below, which stops as soon as it is past the limit.
    passes = 0
    while stream and passes < limit:
        peeled = stream.replace(b"()", b"")
        if (len(stream) - len(peeled)) * _PEEL_WORTH < len(stream):
            break
        stream, passes = peeled, passes + 1
    depth = 0
    for byte in stream:
        depth += 1 if byte == 40 else -1  # 40: "("
        if passes + depth > limit:
            return True
    return False


def _decode_error(
    response: HttpResponse, message: str, exc: BaseException | None = None
) -> Failure[CodatError]:
    # Bad syntax or bad UTF-8 is what a cut or damaged body looks like; a shape mismatch
    # (ValidationError is a DecodeError subclass), a limit or a recursion guard is not.
    error = DecodeError(
        message,
        status=response.status,
        content_type=response.content_type,
        body=response.body,
        headers=response.headers,
    )
    error.malformed = isinstance(exc, UnicodeDecodeError) or (
        isinstance(exc, msgspec.DecodeError) and not isinstance(exc, msgspec.ValidationError)
    )
    return Failure(error)


def _over_limits(response: HttpResponse, max_bytes: int, max_depth: int | None) -> str | None:
    """Why the body must not be decoded (``None``: within both limits)."""
    size = len(response.body)
    if size > max_bytes:
        return f"JSON body of {size} bytes is over the parser's limit of {max_bytes} bytes"
    depth = _scan_depth(max_depth)
    if depth is not None and _nested_deeper_than(response.body, depth):
        return f"JSON body nests deeper than the parser's limit of {depth} levels"
    return None


def _too_deep(name: str) -> str:
    return f"{name} not decoded: JSON body nests deeper than the decoder's recursion limit"


def parse_error(response: HttpResponse) -> Failure[CodatError]:
    """Turn a non-success response into the matching error value."""
    status = response.status
    content_type = response.content_type
    body = response.body
    headers = response.headers
    if status >= 400 and _is_json(content_type):
        too_much = _over_limits(response, MAX_JSON_BODY_BYTES, None)
        if too_much is not None:
            return _decode_error(response, f"error body not decoded: {too_much}")
        try:
            message = _ERROR_DECODER.decode(body)
        except RecursionError:
            return _decode_error(response, _too_deep("error body"))
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            return _decode_error(response, f"error body is not a valid ErrorMessage: {exc}", exc)
        return Failure(
            ApiError(
                status=status,
                content_type=content_type,
                body=body,
                error_message=message,
                headers=headers,
            )
        )
    return Failure(
        UnexpectedResponseError(
            "unexpected response",
            status=status,
            content_type=content_type,
            body=body,
            headers=headers,
        )
    )


def json_parser(
    decoder: msgspec.json.Decoder[M],
    *,
    max_body_bytes: int = MAX_JSON_BODY_BYTES,
    max_depth: int | None = None,
) -> Callable[[HttpResponse], Result[M, CodatError]]:
    """A parser whose 200 answer is JSON decoded by ``decoder``, within the given limits.

    Every ``parse_*`` of the table is one of these with the default limits. For other
    limits, make a parser and put it in a copy of the operation
    (``dataclasses.replace(LIST, parse=json_parser(...))``), then run that with
    ``CodatCustomers.call``. A body over either limit is a ``DecodeError`` naming it,
    returned before decoding starts. ``max_depth`` scans every body for its nesting
    first; without it the decoder's own recursion guard applies, and the body is scanned
    for :data:`MAX_JSON_DEPTH` only where that guard is not enough (see there).
    """
    name = getattr(decoder.type, "__name__", "model")

    def parse(response: HttpResponse) -> Result[M, CodatError]:
        if response.status != 200:
            return parse_error(response)
        content_type = response.content_type
        if not _is_json(content_type):
            return Failure(
                UnexpectedResponseError(
                    f"expected a JSON {name}",
                    status=200,
                    content_type=content_type,
                    body=response.body,
                    headers=response.headers,
                )
            )
        too_much = _over_limits(response, max_body_bytes, max_depth)
        if too_much is not None:
            return _decode_error(response, f"{name} not decoded: {too_much}")
        try:
            return Success(decoder.decode(response.body))
        except RecursionError:
            return _decode_error(response, _too_deep(name))
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            return _decode_error(response, f"invalid {name}: {exc}", exc)

    parse.__name__ = f"parse_{name}"
    parse.__doc__ = f"Parse a response whose success body is a {name}."
    return parse


parse_customers = json_parser(msgspec.json.Decoder(Customers))
parse_customer = json_parser(_CUSTOMER_DECODER)
parse_push_option = json_parser(msgspec.json.Decoder(PushOption))
parse_create_customer_response = json_parser(msgspec.json.Decoder(CreateCustomerResponse))
parse_update_customer_response = json_parser(msgspec.json.Decoder(UpdateCustomerResponse))
parse_attachments = json_parser(msgspec.json.Decoder(AttachmentsDataset))
parse_attachment = json_parser(msgspec.json.Decoder(Attachment))
parse_push_operation = json_parser(msgspec.json.Decoder(PushOperation))
parse_push_operations = json_parser(msgspec.json.Decoder(PushOperations))


def parse_download(response: HttpResponse) -> Result[HttpResponse, CodatError]:
    """A 200 hands the body over as a stream (still unread when the transport streamed it).

    Any other status is an error; transports read such a body whole (see
    :data:`~codat_customers.core.http.STREAMED_STATUS`), so the error carries it.
    """
    if response.status != STREAMED_STATUS:
        return parse_error(response)
    if response.is_streamed:
        return Success(response)
    # A transport that read the whole body (in-process, cached) still yields a stream.
    memory = MemoryByteStream(response.body)
    return Success(HttpResponse(200, response.headers, stream=memory, astream=memory))


# --- the table -----------------------------------------------------------------------

_COMMON_ERRORS = frozenset({401, 402, 403, 404, 429, 500, 503})
_CUSTOMER_INPUT: Mapping[str, FieldTree] = MappingProxyType({"customer": field_tree(Customer)})


@dataclass(frozen=True)
class Operation(Generic[Req, Out]):
    """One operation: how to build its request and parse its response.

    ``error_statuses`` are the statuses the contract documents with an ErrorMessage body;
    ``wire_fields`` maps request fields holding camelCase wire models to their field trees.
    """

    id: str
    name: str
    request_type: type[Req]
    build: Callable[[Req], HttpRequest]
    parse: Callable[[HttpResponse], Result[Out, CodatError]]
    error_statuses: frozenset[int] = _COMMON_ERRORS
    wire_fields: Mapping[str, FieldTree] = field(default_factory=dict)

    def coerce(self, request: object) -> Req:
        """Accept the request struct or its dict form; raise RequestValidationError."""
        return coerce_request(request, self.request_type, wire_fields=self.wire_fields)

    def prepare(self, request: object) -> Result[HttpRequest, CodatError]:
        """Coerce and build in one step, as a Result."""
        try:
            return Success(self.build(self.coerce(request)))
        except RequestValidationError as exc:
            return Failure(exc)


LIST: Operation[ListCustomersRequest, Customers] = Operation(
    "list-customers",
    "list",
    ListCustomersRequest,
    build_list_customers,
    parse_customers,
    _COMMON_ERRORS | {400, 409},
)
GET: Operation[GetCustomerRequest, Customer] = Operation(
    "get-customer",
    "get",
    GetCustomerRequest,
    build_get_customer,
    parse_customer,
    _COMMON_ERRORS | {409},
)
GET_CREATE_UPDATE_MODEL: Operation[GetCreateUpdateCustomersModelRequest, PushOption] = Operation(
    "get-create-update-customers-model",
    "get_create_update_model",
    GetCreateUpdateCustomersModelRequest,
    build_get_create_update_customers_model,
    parse_push_option,
)
CREATE: Operation[CreateCustomerRequest, CreateCustomerResponse] = Operation(
    "create-customer",
    "create",
    CreateCustomerRequest,
    build_create_customer,
    parse_create_customer_response,
    _COMMON_ERRORS | {400},
    _CUSTOMER_INPUT,
)
UPDATE: Operation[UpdateCustomerRequest, UpdateCustomerResponse] = Operation(
    "update-customer",
    "update",
    UpdateCustomerRequest,
    build_update_customer,
    parse_update_customer_response,
    _COMMON_ERRORS | {400},
    _CUSTOMER_INPUT,
)
LIST_ATTACHMENTS: Operation[ListCustomerAttachmentsRequest, AttachmentsDataset] = Operation(
    "list-customer-attachments",
    "list_attachments",
    ListCustomerAttachmentsRequest,
    build_list_customer_attachments,
    parse_attachments,
    _COMMON_ERRORS | {409},
)
GET_ATTACHMENT: Operation[GetCustomerAttachmentRequest, Attachment] = Operation(
    "get-customer-attachment",
    "get_attachment",
    GetCustomerAttachmentRequest,
    build_get_customer_attachment,
    parse_attachment,
)
DOWNLOAD_ATTACHMENT: Operation[DownloadCustomerAttachmentRequest, HttpResponse] = Operation(
    "download-customer-attachment",
    "download_attachment",
    DownloadCustomerAttachmentRequest,
    build_download_customer_attachment,
    parse_download,
)
GET_PUSH_OPERATION: Operation[GetPushOperationRequest, PushOperation] = Operation(
    "get-push-operation",
    "get_push_operation",
    GetPushOperationRequest,
    build_get_push_operation,
    parse_push_operation,
)
LIST_PUSH_OPERATIONS: Operation[ListPushOperationsRequest, PushOperations] = Operation(
    "get-company-push-history",
    "list_push_operations",
    ListPushOperationsRequest,
    build_list_push_operations,
    parse_push_operations,
    _COMMON_ERRORS | {400},
)

OPERATIONS: tuple[Operation[Any, Any], ...] = (
    CREATE,
    DOWNLOAD_ATTACHMENT,
    GET,
    GET_ATTACHMENT,
    GET_CREATE_UPDATE_MODEL,
    LIST,
    LIST_ATTACHMENTS,
    UPDATE,
)
"""The eight operations of the Customers contract (``spec/customers.openapi.json``)."""

PUSH_OPERATIONS: tuple[Operation[Any, Any], ...] = (GET_PUSH_OPERATION, LIST_PUSH_OPERATIONS)
"""The two push-operation reads (``spec/push-operations.openapi.json``)."""
