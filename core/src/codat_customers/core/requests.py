"""Request structs for the eight Customers operations, with the peer SDK's field names, and
for the two push-operation reads of the Platform API.

These are Python-side values (never JSON on the wire themselves), so their fields keep
their snake_case names; ``customer`` is the wire model and goes out in camelCase.
"""

from __future__ import annotations

import msgspec

from .models import Customer

__all__ = [
    "CreateCustomerRequest",
    "DownloadCustomerAttachmentRequest",
    "GetCreateUpdateCustomersModelRequest",
    "GetCustomerAttachmentRequest",
    "GetCustomerRequest",
    "GetPushOperationRequest",
    "ListCustomerAttachmentsRequest",
    "ListCustomersRequest",
    "ListPushOperationsRequest",
    "UpdateCustomerRequest",
]


class _Request(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of request structs: keyword-only, and unknown keys in a dict are an error."""


class ListCustomersRequest(_Request):
    """List one page of a company's customers."""

    company_id: str
    page: int = 1
    page_size: int = 100
    query: str | None = None
    order_by: str | None = None


class GetCustomerRequest(_Request):
    """Get one customer."""

    company_id: str
    customer_id: str


class GetCreateUpdateCustomersModelRequest(_Request):
    """Get the model an integration expects for creating and updating customers."""

    company_id: str
    connection_id: str


class CreateCustomerRequest(_Request):
    """Create a customer through a connection (a push operation)."""

    company_id: str
    connection_id: str
    customer: Customer | None = None
    timeout_in_minutes: int | None = None


class UpdateCustomerRequest(_Request):
    """Update a customer through a connection (a push operation)."""

    company_id: str
    connection_id: str
    customer_id: str
    customer: Customer | None = None
    force_update: bool = False
    timeout_in_minutes: int | None = None


class ListCustomerAttachmentsRequest(_Request):
    """List the attachments of a customer."""

    company_id: str
    connection_id: str
    customer_id: str


class GetCustomerAttachmentRequest(_Request):
    """Get the metadata of one attachment."""

    company_id: str
    connection_id: str
    customer_id: str
    attachment_id: str


class DownloadCustomerAttachmentRequest(_Request):
    """Download the bytes of one attachment."""

    company_id: str
    connection_id: str
    customer_id: str
    attachment_id: str


class GetPushOperationRequest(_Request):
    """Get one push operation of a company by its key (``get-push-operation``)."""

    company_id: str
    push_operation_key: str


class ListPushOperationsRequest(_Request):
    """List one page of a company's push operations (``get-company-push-history``)."""

    company_id: str
    page: int = 1
    page_size: int = 100
    query: str | None = None
    order_by: str | None = None
