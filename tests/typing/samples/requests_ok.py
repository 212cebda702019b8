"""Type-correct user code: mypy --strict and basedpyright (strict) report nothing here.

Every operation of both faces, sync and async, with dict requests (enum members and their
string values, nested dicts and Structs mixed, tuples for lists) and with request structs;
``assert_type`` pins each return type. ``test_typing_runtime.py`` also runs these functions
against an in-memory transport, so what type-checks here is also what the runtime accepts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any

from codat_customers.plugins import RetryBudget
from returns.future import FutureResult
from returns.io import IOResult
from returns.result import Result
from typing_extensions import assert_type

from codat_customers import AttachmentDownload, CodatAccounting, CodatCustomers
from codat_customers.models import errors, operations, shared

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"
CUSTOMER = "C-100"
ATTACHMENT = "8a210b68-6988-11ed-a1eb-0242ac120003"

ACME: shared.CustomerTypedDict = {
    "status": shared.CustomerStatus.ACTIVE,
    "customer_name": "Acme Ltd",
    "contact_name": None,
    "default_currency": "GBP",
    "addresses": [
        {"type": "Billing", "line1": "1 Main St", "postal_code": "N1 9GU"},
        shared.Items(type="Delivery"),
    ],
    "contacts": (
        {
            "status": "Active",
            "name": "Kelly",
            "phone": [
                {"number": "+44 20 7946 0000", "type": shared.PhoneNumberType.MOBILE},
                {"number": None, "type": "Fax"},
            ],
            "address": {"type": shared.AccountingAddressType.BILLING, "city": None},
        },
    ),
    "metadata": {"is_deleted": False},
    "supplemental_data": {"content": {"accounting": {"tier": 2}}},
}

LIST_ACTIVE: operations.ListCustomersRequestTypedDict = {
    "company_id": COMPANY,
    "page": 1,
    "page_size": 100,
    "query": "status=Active",
    "order_by": "-modifiedDate",
}
ONE: operations.GetCustomerRequestTypedDict = {"company_id": COMPANY, "customer_id": CUSTOMER}
ON_CONNECTION: operations.GetCreateUpdateCustomersModelRequestTypedDict = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
}
ITS_ATTACHMENTS: operations.ListCustomerAttachmentsRequestTypedDict = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
    "customer_id": CUSTOMER,
}
AN_ATTACHMENT: operations.GetCustomerAttachmentRequestTypedDict = {
    **ITS_ATTACHMENTS,
    "attachment_id": ATTACHMENT,
}
ITS_BYTES: operations.DownloadCustomerAttachmentRequestTypedDict = {
    **ITS_ATTACHMENTS,
    "attachment_id": ATTACHMENT,
}


def seed_calls(s: CodatAccounting) -> None:
    """The seed face, sync: models back, errors raised."""
    page = s.customers.list(request={"company_id": COMPANY, "page": 2, "page_size": 50})
    assert_type(page, shared.Customers)
    assert_type(s.customers.list(request=LIST_ACTIVE), shared.Customers)
    struct = operations.ListCustomersRequest(company_id=COMPANY, query=None)
    assert_type(s.customers.list(request=struct), shared.Customers)
    assert_type(s.customers.get(request=ONE), shared.Customer)
    by_struct = operations.GetCustomerRequest(company_id=COMPANY, customer_id=CUSTOMER)
    assert_type(s.customers.get(request=by_struct), shared.Customer)
    created = s.customers.create(
        request={"company_id": COMPANY, "connection_id": CONNECTION, "customer": ACME},
        timeout_ms=10_000,
        deadline_ms=30_000,
        idempotency_key="crm-record-1842",
        http_headers={"X-Request-Source": "nightly-sync"},
    )
    assert_type(created, shared.CreateCustomerResponse)
    updated = s.customers.update(
        request={
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": CUSTOMER,
            "customer": shared.Customer(status="Archived"),
            "force_update": True,
            "timeout_in_minutes": None,
        }
    )
    assert_type(updated, shared.UpdateCustomerResponse)
    assert_type(s.customers.get_create_update_model(request=ON_CONNECTION), shared.PushOption)
    attachments = s.customers.list_attachments(request=ITS_ATTACHMENTS)
    assert_type(attachments, shared.AttachmentsDataset)
    assert_type(s.customers.get_attachment(request=AN_ATTACHMENT), shared.Attachment)
    with s.customers.download_attachment(request=ITS_BYTES) as download:
        assert_type(download, AttachmentDownload)
        assert_type(download.read(), bytes)
    everyone = s.customers.iter_all(request={"company_id": COMPANY, "query": "status=Active"})
    assert_type(everyone, Iterator[shared.Customer])
    for customer in everyone:
        assert_type(customer.customer_name, str | shared.UnsetType | None)


async def seed_async_calls(s: CodatAccounting) -> None:
    """The seed face, async: coroutines of the same models."""
    pending: Coroutine[Any, Any, shared.Customers] = s.customers.list_async(request=LIST_ACTIVE)
    assert_type(await pending, shared.Customers)
    assert_type(await s.customers.get_async(request=ONE, deadline_ms=2_500), shared.Customer)
    created = await s.customers.create_async(
        request={"company_id": COMPANY, "connection_id": CONNECTION, "customer": ACME},
        idempotency_key="crm-record-1844",
        http_headers={"X-Request-Source": "nightly-sync"},
        deadline_ms=30_000.0,
    )
    assert_type(created, shared.CreateCustomerResponse)
    updated = await s.customers.update_async(
        request={
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": CUSTOMER,
            "customer": {"status": shared.CustomerStatus.ARCHIVED},
        }
    )
    assert_type(updated, shared.UpdateCustomerResponse)
    model = await s.customers.get_create_update_model_async(request=ON_CONNECTION)
    assert_type(model, shared.PushOption)
    attachments = await s.customers.list_attachments_async(request=ITS_ATTACHMENTS)
    assert_type(attachments, shared.AttachmentsDataset)
    assert_type(await s.customers.get_attachment_async(request=AN_ATTACHMENT), shared.Attachment)
    download = await s.customers.download_attachment_async(request=ITS_BYTES)
    assert_type(download, AttachmentDownload)
    async with download:
        assert_type(await download.aread(), bytes)
    everyone = s.customers.aiter_all(request={"company_id": COMPANY, "page_size": 5000})
    assert_type(everyone, AsyncIterator[shared.Customer])
    async for customer in everyone:
        assert_type(customer, shared.Customer)


def result_calls(r: CodatCustomers) -> None:
    """The Result face, sync: ``Result[model, CodatError]`` back, nothing raised."""
    listed = r.list({"company_id": COMPANY, "order_by": "-modifiedDate"})
    assert_type(listed, Result[shared.Customers, errors.CodatError])
    assert_type(r.get(ONE), Result[shared.Customer, errors.CodatError])
    traced = r.get(ONE, http_headers={"X-Trace": "t-1"}, deadline_ms=2_000)
    assert_type(traced, Result[shared.Customer, errors.CodatError])
    created = r.create(
        {"company_id": COMPANY, "connection_id": CONNECTION, "customer": ACME},
        idempotency_key="crm-record-1843",
    )
    assert_type(created, Result[shared.CreateCustomerResponse, errors.CodatError])
    update = operations.UpdateCustomerRequest(
        company_id=COMPANY,
        connection_id=CONNECTION,
        customer_id=CUSTOMER,
        customer=shared.Customer(status="Active", customer_name="Acme Ltd"),
    )
    assert_type(r.update(update), Result[shared.UpdateCustomerResponse, errors.CodatError])
    model = r.get_create_update_model(ON_CONNECTION)
    assert_type(model, Result[shared.PushOption, errors.CodatError])
    listing = r.list_attachments(ITS_ATTACHMENTS)
    assert_type(listing, Result[shared.AttachmentsDataset, errors.CodatError])
    assert_type(r.get_attachment(AN_ATTACHMENT), Result[shared.Attachment, errors.CodatError])
    download = r.download_attachment(ITS_BYTES)
    assert_type(download, Result[AttachmentDownload, errors.CodatError])
    download.map(AttachmentDownload.close)
    pages = r.iter_pages({"company_id": COMPANY, "page_size": 1})
    assert_type(pages, Iterator[Result[shared.Customers, errors.CodatError]])
    for _ in pages:
        pass


async def result_async_calls(r: CodatCustomers) -> None:
    """The Result face, async: ``FutureResult`` values, awaited to ``IOResult``."""
    listed = r.list_async(LIST_ACTIVE)
    assert_type(listed, FutureResult[shared.Customers, errors.CodatError])
    assert_type(await listed, IOResult[shared.Customers, errors.CodatError])
    got = r.get_async(ONE, http_headers={"X-Trace": "t-2"}, deadline_ms=2_000)
    assert_type(got, FutureResult[shared.Customer, errors.CodatError])
    created = r.create_async(
        {"company_id": COMPANY, "connection_id": CONNECTION, "customer": {"status": "Active"}},
        idempotency_key="crm-record-1845",
        deadline_ms=30_000,
    )
    assert_type(created, FutureResult[shared.CreateCustomerResponse, errors.CodatError])
    updated = r.update_async(
        {
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": CUSTOMER,
            "customer": shared.Customer(status="Active"),
        }
    )
    assert_type(updated, FutureResult[shared.UpdateCustomerResponse, errors.CodatError])
    model = r.get_create_update_model_async(ON_CONNECTION)
    assert_type(model, FutureResult[shared.PushOption, errors.CodatError])
    listing = r.list_attachments_async(ITS_ATTACHMENTS)
    assert_type(listing, FutureResult[shared.AttachmentsDataset, errors.CodatError])
    one = r.get_attachment_async(AN_ATTACHMENT)
    assert_type(one, FutureResult[shared.Attachment, errors.CodatError])
    download = r.download_attachment_async(ITS_BYTES)
    assert_type(download, FutureResult[AttachmentDownload, errors.CodatError])
    for pending in (got, created, updated, model, listing, one):
        assert isinstance(await pending, IOResult)
    (await download).map(AttachmentDownload.close)
    pages = r.aiter_pages({"company_id": COMPANY})
    assert_type(pages, AsyncIterator[Result[shared.Customers, errors.CodatError]])
    async for _ in pages:
        pass


def budgets() -> tuple[CodatCustomers, CodatAccounting]:
    """A retry budget of one's own on the Result face; none at all on the seed face."""
    return (
        CodatCustomers("key", retry_budget=RetryBudget(capacity=50, retry_cost=5)),
        CodatAccounting(security=None, retry_budget=None),
    )
