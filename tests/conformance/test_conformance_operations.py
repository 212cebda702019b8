"""All eight operations, over every adapter, through both client styles."""

from __future__ import annotations

from typing import Any

from codat_customers.core.models import (
    Attachment,
    AttachmentsDataset,
    CreateCustomerResponse,
    Customer,
    Customers,
    PushOption,
    UpdateCustomerResponse,
)
from conformance_support import Driver

from codat_customers import AttachmentDownload


def test_all_eight_operations(driver: Driver, style: Any) -> None:
    sandbox = driver.sandbox
    client = driver.client()
    company = {"company_id": sandbox.company_id}
    connection = {**company, "connection_id": sandbox.connection_id}
    customer = {**connection, "customer_id": sandbox.customer_id}
    name = f"Conformance {driver.adapter.id} {style}"

    def call(operation: str, request: dict[str, Any]) -> Any:
        return driver.invoke(style, client, operation, request).unwrap()

    page = call("list", {**company, "page_size": 7, "order_by": "id"})
    assert isinstance(page, Customers)
    assert len(page.results or []) == 7
    assert page.total_results >= 120

    got = call("get", {**company, "customer_id": sandbox.customer_id})
    assert isinstance(got, Customer)
    assert got.id == sandbox.customer_id

    model = call("get_create_update_model", connection)
    assert isinstance(model, PushOption)
    assert "status" in (model.properties or {})

    created = call(
        "create", {**connection, "customer": {"status": "Active", "customer_name": name}}
    )
    assert isinstance(created, CreateCustomerResponse)
    assert created.status_code == 200

    updated = call(
        "update",
        {**customer, "customer": {"status": "Active", "customer_name": name}, "force_update": True},
    )
    assert isinstance(updated, UpdateCustomerResponse)
    assert call("get", {**company, "customer_id": sandbox.customer_id}).customer_name == name

    listed = call("list_attachments", customer)
    assert isinstance(listed, AttachmentsDataset)
    assert sandbox.attachment_id in [a.id for a in listed.attachments or []]

    attachment = call("get_attachment", {**customer, "attachment_id": sandbox.attachment_id})
    assert isinstance(attachment, Attachment)
    assert attachment.id == sandbox.attachment_id

    download = call("download_attachment", {**customer, "attachment_id": sandbox.attachment_id})
    assert isinstance(download, AttachmentDownload)
    assert download.status_code == 200
    size, _, largest = driver.consume(download, chunk_size=1024)
    assert size == attachment.file_size
    assert largest <= 1024
    assert download.is_closed


def test_paging_walks_every_customer(driver: Driver) -> None:
    client = driver.client()
    request = {"company_id": driver.sandbox.company_id, "page_size": 50}
    if driver.is_async:

        async def collect() -> list[str]:
            return [
                customer.id
                for page in [p async for p in client.aiter_pages(request)]
                for customer in page.unwrap().results or []
            ]

        ids = driver.run(collect())
    else:
        ids = [c.id for page in client.iter_pages(request) for c in page.unwrap().results or []]
    assert len(ids) == len(set(ids)) >= 120
