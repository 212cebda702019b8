"""Request structs of the eight Customers operations, under the peer SDK's names."""

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

__all__ = [
    "CreateCustomerRequest",
    "DownloadCustomerAttachmentRequest",
    "GetCreateUpdateCustomersModelRequest",
    "GetCustomerAttachmentRequest",
    "GetCustomerRequest",
    "ListCustomerAttachmentsRequest",
    "ListCustomersRequest",
    "UpdateCustomerRequest",
]
