"""Request structs of the eight Customers operations, under the peer SDK's names, and of the
two push-operation reads.

Beside each request struct is its ``*RequestTypedDict``: the dict form, with the same
snake_case keys, for type-checked dict requests (``request={"company_id": ...}``). Every
operation takes either. The TypedDicts are typing only: at runtime a dict is converted and
checked by the core, whatever its annotation said.
"""

# No ``from __future__ import annotations``: TypedDict only sees ``NotRequired`` (and so
# reports the right ``__required_keys__``) when annotations are evaluated.
from typing_extensions import NotRequired, TypedDict

from codat_customers.core import requests as _requests
from codat_customers.core.models import Customer
from codat_customers.core.requests import *  # noqa: F403

from .shared import CustomerTypedDict

__all__ = [  # noqa: PLE0604
    *_requests.__all__,
    "CreateCustomerRequestTypedDict",
    "DownloadCustomerAttachmentRequestTypedDict",
    "GetCreateUpdateCustomersModelRequestTypedDict",
    "GetCustomerAttachmentRequestTypedDict",
    "GetCustomerRequestTypedDict",
    "GetPushOperationRequestTypedDict",
    "ListCustomerAttachmentsRequestTypedDict",
    "ListCustomersRequestTypedDict",
    "ListPushOperationsRequestTypedDict",
    "UpdateCustomerRequestTypedDict",
]


class ListCustomersRequestTypedDict(TypedDict):
    """:class:`ListCustomersRequest` as a dict; only ``company_id`` is required."""

    company_id: str
    page: NotRequired[int]
    """Page number, from 1 (default 1)."""
    page_size: NotRequired[int]
    """Customers per page, 1 to 5000 (default 100)."""
    query: NotRequired[str | None]
    """Codat query language filter, e.g. ``"status=Active"``."""
    order_by: NotRequired[str | None]
    """Field to order by, ``-`` in front for descending, e.g. ``"-modifiedDate"``."""


class GetCustomerRequestTypedDict(TypedDict):
    """:class:`GetCustomerRequest` as a dict."""

    company_id: str
    customer_id: str


class GetCreateUpdateCustomersModelRequestTypedDict(TypedDict):
    """:class:`GetCreateUpdateCustomersModelRequest` as a dict."""

    company_id: str
    connection_id: str


class CreateCustomerRequestTypedDict(TypedDict):
    """:class:`CreateCustomerRequest` as a dict; ``customer`` is a dict or a ``Customer``.

    ``customer`` is required here although the struct defaults it to ``None`` (as the peer
    SDK's does): a push without a customer is rejected before sending, so it is flagged too.
    """

    company_id: str
    connection_id: str
    customer: CustomerTypedDict | Customer
    timeout_in_minutes: NotRequired[int | None]


class UpdateCustomerRequestTypedDict(TypedDict):
    """:class:`UpdateCustomerRequest` as a dict; ``customer`` is a dict or a ``Customer``.

    ``customer`` is required, as for :class:`CreateCustomerRequestTypedDict`.
    """

    company_id: str
    connection_id: str
    customer_id: str
    customer: CustomerTypedDict | Customer
    force_update: NotRequired[bool]
    timeout_in_minutes: NotRequired[int | None]


class ListCustomerAttachmentsRequestTypedDict(TypedDict):
    """:class:`ListCustomerAttachmentsRequest` as a dict."""

    company_id: str
    connection_id: str
    customer_id: str


class GetCustomerAttachmentRequestTypedDict(TypedDict):
    """:class:`GetCustomerAttachmentRequest` as a dict."""

    company_id: str
    connection_id: str
    customer_id: str
    attachment_id: str


class DownloadCustomerAttachmentRequestTypedDict(TypedDict):
    """:class:`DownloadCustomerAttachmentRequest` as a dict."""

    company_id: str
    connection_id: str
    customer_id: str
    attachment_id: str


class GetPushOperationRequestTypedDict(TypedDict):
    """:class:`GetPushOperationRequest` as a dict."""

    company_id: str
    push_operation_key: str
    """The ``pushOperationKey`` a create or update answered."""


class ListPushOperationsRequestTypedDict(TypedDict):
    """:class:`ListPushOperationsRequest` as a dict; only ``company_id`` is required."""

    company_id: str
    page: NotRequired[int]
    """Page number, from 1 (default 1)."""
    page_size: NotRequired[int]
    """Operations per page, 1 to 5000 (default 100)."""
    query: NotRequired[str | None]
    """Codat query language filter, e.g. ``"status=Pending"``."""
    order_by: NotRequired[str | None]
    """Field to order by, ``-`` in front for descending, e.g. ``"-requestedOnUtc"``."""
