"""Response parsing: the contract's own examples and every way a response can go wrong."""

from __future__ import annotations

import gc
import json
from typing import Any

import msgspec
import pytest
from codat_customers.core import (
    CREATE,
    DOWNLOAD_ATTACHMENT,
    GET,
    GET_ATTACHMENT,
    GET_CREATE_UPDATE_MODEL,
    LIST,
    LIST_ATTACHMENTS,
    OPERATIONS,
    UPDATE,
    ApiError,
    DecodeError,
    HttpResponse,
    ResponseError,
    UnexpectedResponseError,
    parse_download,
    parse_error,
)
from codat_customers.core.models import (
    UNSET,
    Attachment,
    AttachmentsDataset,
    CreateCustomerResponse,
    Customer,
    Customers,
    CustomerStatus,
    ErrorMessage,
    PushOperationStatus,
    PushOption,
    UpdateCustomerResponse,
)
from core_support import (
    HTML,
    JSON,
    OPS_BY_ID,
    MemoryStream,
    error_cases,
    json_response,
    operations_in_spec,
    success_examples,
)
from returns.result import Failure, Success

JSON_OPS = [op for op in OPERATIONS if op is not DOWNLOAD_ATTACHMENT]


def success(result: Any) -> Any:
    assert isinstance(result, Success), result
    return result.unwrap()


def failure(result: Any, kind: type[ResponseError]) -> Any:
    assert isinstance(result, Failure), result
    error = result.failure()
    assert type(error) is kind, error
    return error


def assert_faithful(decoded: Any, example: Any, path: str = "$") -> None:
    """Everything the model kept equals the example, and nothing was invented."""
    if isinstance(decoded, dict):
        assert isinstance(example, dict), path
        for key, value in decoded.items():
            assert key in example, f"{path}.{key} not in the example"
            assert_faithful(value, example[key], f"{path}.{key}")
    elif isinstance(decoded, list):
        assert isinstance(example, list), path
        assert len(decoded) == len(example), path
        for i, (a, b) in enumerate(zip(decoded, example, strict=True)):
            assert_faithful(a, b, f"{path}[{i}]")
    else:
        assert decoded == example, path


def wire_names(struct_type: type[msgspec.Struct]) -> set[str]:
    return set(struct_type.__struct_encode_fields__)


# --- 200 with the contract's own examples ---------------------------------------------

LIST_EXAMPLES = success_examples("list-customers")
OPTION_EXAMPLES = success_examples("get-create-update-customers-model")


def test_the_contract_has_the_examples_these_tests_rely_on() -> None:
    assert len(LIST_EXAMPLES) >= 1
    assert len(OPTION_EXAMPLES) >= 10
    assert len(error_cases()) >= 60


@pytest.mark.parametrize(("name", "example"), LIST_EXAMPLES, ids=[n for n, _ in LIST_EXAMPLES])
def test_list_parses_the_spec_example(name: str, example: dict[str, Any]) -> None:
    page = success(LIST.parse(json_response(200, example)))
    assert isinstance(page, Customers)
    assert page.page_number == example["pageNumber"]
    assert page.page_size == example["pageSize"]
    assert page.total_results == example["totalResults"]
    assert page.links.self_.href == example["_links"]["self"]["href"]
    assert page.links.current.href == example["_links"]["current"]["href"]
    assert len(page.results) == len(example["results"])
    for customer, raw in zip(page.results, example["results"], strict=True):
        assert customer.id == raw["id"]
        assert customer.status == raw["status"]
        assert customer.customer_name == raw.get("customerName", UNSET)
        # Every field the example carries that the model knows is kept.
        assert set(raw) & wire_names(Customer) <= set(msgspec.to_builtins(customer))
    assert_faithful(msgspec.to_builtins(page), example)


@pytest.mark.parametrize(("name", "example"), LIST_EXAMPLES, ids=[n for n, _ in LIST_EXAMPLES])
def test_get_parses_each_customer_of_the_spec_example(name: str, example: dict[str, Any]) -> None:
    page = success(LIST.parse(json_response(200, example)))
    for raw, from_page in zip(example["results"], page.results, strict=True):
        customer = success(GET.parse(json_response(200, raw)))
        assert isinstance(customer, Customer)
        assert customer == from_page
        assert_faithful(msgspec.to_builtins(customer), raw)


@pytest.mark.parametrize(("name", "example"), OPTION_EXAMPLES, ids=[n for n, _ in OPTION_EXAMPLES])
def test_create_update_model_parses_every_spec_example(name: str, example: dict[str, Any]) -> None:
    option = success(GET_CREATE_UPDATE_MODEL.parse(json_response(200, example)))
    assert isinstance(option, PushOption)
    assert option.type == example["type"]
    assert option.display_name == example["displayName"]
    assert option.required == example["required"]
    assert set(option.properties or {}) == set(example.get("properties") or {})
    assert_faithful(msgspec.to_builtins(option), example)


PUSH_PENDING = {
    "companyId": "8a210b68-6988-11ed-a1eb-0242ac120002",
    "pushOperationKey": "9a2b0d6c-5d54-4b42-9c8c-51f0b2b6d2a1",
    "dataConnectionKey": "2e9d2c44-f675-40ba-8049-353bfcb5e171",
    "requestedOnUtc": "2022-10-23T00:00:00Z",
    "status": "Pending",
    "statusCode": 202,
    "dataType": "customers",
    "timeoutInMinutes": 30,
    "data": {"status": "Active", "customerName": "Acme"},
}
PUSH_SUCCESS = {
    **PUSH_PENDING,
    "status": "Success",
    "statusCode": 200,
    "completedOnUtc": "2022-10-23T00:01:00Z",
    "changes": [
        {
            "type": "Created",
            "recordRef": {"id": "new-id", "dataType": "customers"},
            "attachmentId": None,
        }
    ],
}
PUSH_FAILED = {
    **PUSH_PENDING,
    "status": "Failed",
    "statusCode": 400,
    "errorMessage": "Error processing request - not valid.",
    "validation": {
        "errors": [{"itemId": "x", "message": "Name is required", "validatorName": "Xero"}],
        "warnings": [],
    },
}


@pytest.mark.parametrize(
    ("op", "model"), [(CREATE, CreateCustomerResponse), (UPDATE, UpdateCustomerResponse)]
)
@pytest.mark.parametrize("body", [PUSH_PENDING, PUSH_SUCCESS, PUSH_FAILED])
def test_push_operations_parse_every_status(op: Any, model: type, body: dict[str, Any]) -> None:
    push = success(op.parse(json_response(200, body)))
    assert type(push) is model
    assert push.push_operation_key == body["pushOperationKey"]
    assert push.status == body["status"]
    assert push.status_code == body["statusCode"]
    assert_faithful(msgspec.to_builtins(push), body)
    assert set(body) <= set(msgspec.to_builtins(push))


def test_push_success_exposes_the_new_record_id_and_a_known_status() -> None:
    push = success(CREATE.parse(json_response(200, PUSH_SUCCESS)))
    assert push.status == PushOperationStatus.SUCCESS
    assert push.changes[0].record_ref.id == "new-id"
    assert push.changes[0].attachment_id is None
    failed = success(UPDATE.parse(json_response(200, PUSH_FAILED)))
    assert failed.validation.errors[0].message == "Name is required"


ATTACHMENT = {
    "id": "8a210b68-6988-11ed-a1eb-0242ac120002",
    "name": "invoice.pdf",
    "contentType": "application/pdf",
    "fileSize": 12345,
    "includeWhenSent": True,
    "dateCreated": "2022-10-23T00:00:00Z",
    "modifiedDate": "2022-10-23T00:00:00Z",
    "sourceModifiedDate": None,
}


def test_get_attachment_parses_every_field() -> None:
    attachment = success(GET_ATTACHMENT.parse(json_response(200, ATTACHMENT)))
    assert isinstance(attachment, Attachment)
    assert attachment.file_size == 12345
    assert attachment.include_when_sent is True
    assert attachment.source_modified_date is None
    assert msgspec.to_builtins(attachment) == ATTACHMENT


def test_list_attachments_parses_a_dataset_including_nulls_and_empties() -> None:
    nulls = {"id": "2", "name": None, "contentType": None, "fileSize": None}
    body = {"attachments": [ATTACHMENT, nulls]}
    dataset = success(LIST_ATTACHMENTS.parse(json_response(200, body)))
    assert isinstance(dataset, AttachmentsDataset)
    assert [a.id for a in dataset.attachments] == [ATTACHMENT["id"], "2"]
    assert dataset.attachments[1].file_size is None
    assert dataset.attachments[1].date_created is UNSET
    empty = success(LIST_ATTACHMENTS.parse(json_response(200, {"attachments": []})))
    assert empty.attachments == []
    absent = success(LIST_ATTACHMENTS.parse(json_response(200, {})))
    assert absent.attachments is UNSET


def test_absent_and_null_stay_distinct_after_parsing() -> None:
    customer = success(GET.parse(json_response(200, {"status": "Active", "customerName": None})))
    assert customer.customer_name is None
    assert customer.email_address is UNSET
    assert msgspec.json.encode(customer) == b'{"status":"Active","customerName":null}'


def test_media_type_parameters_and_plus_json_are_accepted() -> None:
    for content_type in ("application/json", "Application/JSON; charset=utf-8", "app/x+json"):
        response = HttpResponse(200, {"content-type": content_type}, b'{"status":"Active"}')
        assert success(GET.parse(response)).status == "Active"


# --- leniency and strictness ----------------------------------------------------------


def test_unknown_enum_values_decode() -> None:
    customer = success(
        GET.parse(
            json_response(
                200,
                {
                    "status": "Suspended",
                    "addresses": [{"type": "Registered"}],
                    "contacts": [
                        {"status": "OnLeave", "phone": [{"number": "1", "type": "Pager"}]}
                    ],
                },
            )
        )
    )
    assert customer.status == "Suspended"
    assert customer.status != CustomerStatus.ACTIVE
    assert customer.addresses[0].type == "Registered"
    assert customer.contacts[0].phone[0].type == "Pager"
    push = success(CREATE.parse(json_response(200, {**PUSH_PENDING, "status": "Queued"})))
    assert push.status == "Queued"


def test_known_enum_values_compare_equal_to_the_enum_members() -> None:
    customer = success(GET.parse(json_response(200, {"status": "Archived"})))
    assert customer.status == CustomerStatus.ARCHIVED


def test_unknown_fields_are_ignored_at_every_level() -> None:
    body = {
        "pageNumber": 1,
        "pageSize": 100,
        "totalResults": 1,
        "brandNewField": {"deep": [1, 2, {"x": None}]},
        "_links": {"self": {"href": "/s", "extra": 1}, "current": {"href": "/c"}, "last": {}},
        "results": [
            {
                "status": "Active",
                "futureField": True,
                "addresses": [{"type": "Billing", "geo": {"lat": 1.5}}],
                "metadata": {"isDeleted": False, "version": 7},
            }
        ],
    }
    page = success(LIST.parse(json_response(200, body)))
    assert page.results[0].metadata.is_deleted is False
    assert page.links.self_.href == "/s"
    assert not hasattr(page, "brand_new_field")


@pytest.mark.parametrize(
    ("op", "body"),
    [
        (LIST, {"pageNumber": "1", "pageSize": 100, "totalResults": 0, "_links": {}}),
        (
            LIST,
            {
                "pageNumber": 1,
                "pageSize": 100,
                "totalResults": 1.5,
                "_links": {"self": {}, "current": {}},
            },
        ),
        (LIST, {"pageNumber": 1, "pageSize": 100, "totalResults": 0}),
        (
            LIST,
            {
                "pageNumber": 1,
                "pageSize": 1,
                "totalResults": 1,
                "_links": {"self": {}, "current": {}},
                "results": [{"id": "x"}],
            },
        ),
        (GET, {"status": 1}),
        (GET, {"status": "Active", "addresses": "1 High St"}),
        (GET, {"status": "Active", "metadata": {"isDeleted": "false"}}),
        (GET, [{"status": "Active"}]),
        (GET, "Active"),
        (GET, None),
        (GET_ATTACHMENT, {"fileSize": "12kB"}),
        (GET_ATTACHMENT, {"includeWhenSent": "yes"}),
        (LIST_ATTACHMENTS, {"attachments": {"id": "1"}}),
        (GET_CREATE_UPDATE_MODEL, {"type": "Object", "displayName": "Customer"}),
        (CREATE, {**PUSH_PENDING, "statusCode": "202"}),
        (UPDATE, {key: value for key, value in PUSH_PENDING.items() if key != "companyId"}),
    ],
)
def test_wrong_types_and_missing_required_fields_are_decode_errors(op: Any, body: Any) -> None:
    error = failure(op.parse(json_response(200, body)), DecodeError)
    assert error.status == 200
    assert error.content_type == "application/json"
    assert error.body == json.dumps(body).encode()


def test_page_number_as_string_names_the_problem() -> None:
    body = {"pageNumber": "1", "pageSize": 100, "totalResults": 0, "_links": {}}
    error = failure(LIST.parse(json_response(200, body)), DecodeError)
    assert "pageNumber" in str(error)
    assert "Customers" in str(error)


@pytest.mark.parametrize("op", JSON_OPS, ids=lambda op: op.id)
@pytest.mark.parametrize(
    "body",
    [
        b'{"status": "Active", "customerNa',
        b"{",
        b"",
        b"   ",
        b"nul",
        b'{"status": "Active"} trailing',
        # Invalid UTF-8 in a decoded string used to escape as UnicodeDecodeError.
        b'{"id": "\xff\xfe", "status": "\xff\xfe", "attachments": [{"id": "\xff"}]}',
    ],
)
def test_truncated_or_malformed_json_is_a_decode_error(op: Any, body: bytes) -> None:
    error = failure(op.parse(HttpResponse(200, JSON, body)), DecodeError)
    assert error.body == body


@pytest.mark.parametrize("op", JSON_OPS, ids=lambda op: op.id)
def test_pathologically_deep_json_is_a_decode_error_not_a_recursion_error(op: Any) -> None:
    # Bug fixed in core: msgspec's RecursionError escaped every parse function.
    depth = 100_000
    body = b'{"unknownField":' + b"[" * depth + b"]" * depth + b',"status":"Active"}'
    error = failure(op.parse(HttpResponse(200, JSON, body)), DecodeError)
    assert error.status == 200
    error_body = HttpResponse(500, JSON, body)
    assert failure(op.parse(error_body), DecodeError).status == 500


def test_deep_json_inside_free_form_supplemental_data_is_a_decode_error() -> None:
    depth = 50_000
    body = (
        b'{"status":"A","supplementalData":{"content":{"k":{"v":'
        + b"[" * depth
        + b"]" * depth
        + b"}}}}"
    )
    failure(GET.parse(HttpResponse(200, JSON, body)), DecodeError)


# --- non-success responses -------------------------------------------------------------

ERROR_CASES = error_cases()


@pytest.mark.parametrize(
    ("op_id", "status", "name", "example"),
    ERROR_CASES,
    ids=[f"{o}-{s}-{n}" for o, s, n, _ in ERROR_CASES],
)
def test_every_documented_error_example_is_an_api_error(
    op_id: str, status: int, name: str, example: dict[str, Any]
) -> None:
    op = OPS_BY_ID[op_id]
    response = json_response(status, example, {"content-type": "application/json"})
    error = failure(op.parse(response), ApiError)
    assert error.status == status  # the HTTP status, even where the body's statusCode differs
    assert error.content_type == "application/json"
    message = error.error_message
    assert isinstance(message, ErrorMessage)
    assert message.status_code == example["statusCode"]
    assert message.service == example["service"]
    assert message.error == example["error"]
    assert message.correlation_id == example["correlationId"]
    assert message.can_be_retried == example["canBeRetried"]
    assert message.detailed_error_code == example["detailedErrorCode"]
    assert error.message == example["error"]
    text = str(error)
    assert str(status) in text
    assert "application/json" in text
    assert example["correlationId"] in text


@pytest.mark.parametrize(
    ("op_id", "statuses"),
    [
        (op_id, {int(s) for s in operation["responses"] if s.isdigit() and int(s) >= 400})
        for op_id, _, _, operation in operations_in_spec()
    ],
)
def test_the_table_documents_the_contract_error_statuses(op_id: str, statuses: set[int]) -> None:
    documented = set(OPS_BY_ID[op_id].error_statuses)
    # The behaviour notes add 409 to list-customer-attachments; the contract omits it.
    extra = {409} if op_id == "list-customer-attachments" else set()
    assert documented == statuses | extra


def test_402_example_keeps_its_odd_body_status_but_reports_the_http_status() -> None:
    cases = [c for c in ERROR_CASES if c[0] == "list-customers" and c[1] == 402]
    assert cases
    _, _, _, example = cases[0]
    error = failure(LIST.parse(json_response(402, example)), ApiError)
    assert error.status == 402
    assert error.error_message.status_code == example["statusCode"]


def test_error_message_validation_details_are_parsed() -> None:
    body = {
        "statusCode": 400,
        "error": "Error processing request - not valid.",
        "validation": {
            "errors": [{"itemId": "1", "message": "bad", "validatorName": "v"}],
            "warnings": None,
        },
    }
    error = failure(CREATE.parse(json_response(400, body)), ApiError)
    assert error.error_message.validation.errors[0].message == "bad"
    assert error.error_message.validation.warnings is None


def test_empty_json_error_object_is_an_api_error_with_a_generic_message() -> None:
    error = failure(GET.parse(HttpResponse(503, JSON, b"{}")), ApiError)
    assert error.status == 503
    assert error.error_message == ErrorMessage()
    assert error.message == "API error"


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
def test_html_error_page_is_an_unexpected_response(op: Any) -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    error = failure(
        op.parse(HttpResponse(502, {"content-type": "text/html; charset=utf-8"}, page)),
        UnexpectedResponseError,
    )
    assert error.status == 502
    assert error.content_type == "text/html"
    assert error.body == page
    assert "502 Bad Gateway" in error.body_excerpt
    text = str(error)
    assert "502" in text
    assert "text/html" in text
    assert "<title>502 Bad Gateway</title>" in text


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
@pytest.mark.parametrize("status", [404, 429, 500])
def test_malformed_json_error_bodies_are_decode_errors(op: Any, status: int) -> None:
    for body in (b'{"statusCode": 404, "err', b'["not", "an", "object"]', b'{"statusCode":"x"}'):
        error = failure(op.parse(HttpResponse(status, JSON, body)), DecodeError)
        assert error.status == status
        assert error.body == body


@pytest.mark.parametrize("op", JSON_OPS, ids=lambda op: op.id)
@pytest.mark.parametrize(
    "headers", [HTML, {"content-type": "text/plain"}, {}, {"content-type": ""}]
)
def test_200_that_is_not_json_is_an_unexpected_response(op: Any, headers: dict[str, str]) -> None:
    body = b"<html>maintenance</html>"
    error = failure(op.parse(HttpResponse(200, headers, body)), UnexpectedResponseError)
    assert error.status == 200
    assert error.content_type == headers.get("content-type", "").split(";")[0]
    assert "maintenance" in str(error)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
@pytest.mark.parametrize("status", [100, 201, 202, 204, 301, 302, 304, 307])
def test_other_statuses_are_unexpected_responses(op: Any, status: int) -> None:
    headers = {"content-type": "application/json", "location": "https://elsewhere.example/"}
    body = b"" if status in {204, 304} else b'{"status":"Active"}'
    error = failure(op.parse(HttpResponse(status, headers, body)), UnexpectedResponseError)
    assert error.status == status
    assert error.headers["location"] == "https://elsewhere.example/"
    assert str(status) in str(error)


def test_parse_error_on_its_own() -> None:
    result = parse_error(HttpResponse(418, {"content-type": "application/json"}, b"{}"))
    assert isinstance(result.failure(), ApiError)
    result = parse_error(HttpResponse(418, {}, b"teapot"))
    assert isinstance(result.failure(), UnexpectedResponseError)


# --- download --------------------------------------------------------------------------


def test_download_200_with_a_stream_hands_the_unread_response_over() -> None:
    stream = MemoryStream(b"%PDF-1.7 " + bytes(range(256)) * 10)
    response = HttpResponse(200, {"content-type": "application/octet-stream"}, stream=stream)
    handed = success(DOWNLOAD_ATTACHMENT.parse(response))
    assert handed is response
    assert handed.stream is stream
    assert stream.closed == 0  # parsing neither reads nor closes it
    chunks = list(handed.stream.iter_bytes(100))
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert b"".join(chunks).startswith(b"%PDF-1.7 ")
    handed.close()
    assert stream.closed == 1


def test_download_200_of_any_content_type_with_a_stream_is_success() -> None:
    stream = MemoryStream(b"\x89PNG")
    response = HttpResponse(200, {"content-type": "image/png"}, stream=stream)
    assert success(parse_download(response)) is response


def test_download_200_read_whole_is_still_handed_over_as_a_stream() -> None:
    response = HttpResponse(200, {"content-type": "application/octet-stream"}, b"0123456789")
    handed = success(DOWNLOAD_ATTACHMENT.parse(response))
    assert handed.status == 200
    assert handed.is_streamed
    assert handed.stream is not None
    assert list(handed.stream.iter_bytes(4)) == [b"0123", b"4567", b"89"]
    assert handed.headers["content-type"] == "application/octet-stream"


def test_download_404_json_is_an_api_error() -> None:
    body = {
        "statusCode": 404,
        "service": "PublicApi",
        "error": "No attachment found",
        "correlationId": "abc",
    }
    error = failure(DOWNLOAD_ATTACHMENT.parse(json_response(404, body)), ApiError)
    assert error.status == 404
    assert error.error_message.error == "No attachment found"


def test_download_errors_never_touch_a_stream() -> None:
    stream = MemoryStream(b"should not be read")
    response = HttpResponse(
        500, {"content-type": "application/json"}, b'{"error":"boom"}', stream=stream
    )
    error = failure(DOWNLOAD_ATTACHMENT.parse(response), ApiError)
    assert error.message == "boom"
    assert stream.read() == b"should not be read"


def test_decoded_models_are_left_to_reference_counting() -> None:
    """Pages make tens of thousands of models; the cyclic collector must not scan them."""
    page = msgspec.json.decode(
        json.dumps(
            {
                "results": [{"id": "C-1", "status": "Active", "contacts": [{"status": "Active"}]}],
                "pageNumber": 1,
                "pageSize": 1,
                "totalResults": 1,
                "_links": {"self": {"href": "/"}, "current": {"href": "/"}},
            }
        ),
        type=Customers,
    )
    customer = page.results[0]
    assert not gc.is_tracked(page)
    assert not gc.is_tracked(customer)
    assert not gc.is_tracked(customer.contacts[0])
