"""msgspec models for every schema of the Customers contract.

Attributes are snake_case; the wire names are the spec's camelCase (``rename="camel"``),
except ``_links`` which is renamed explicitly. ``UNSET`` means "absent on the wire", ``None``
means JSON ``null``; only fields the spec marks nullable accept ``None``.

Enumerated fields are typed ``str`` on purpose: Codat adds values over time and a value this
SDK does not know must still decode. The ``str`` enums below (``CustomerStatus`` etc.) are
the values known today, usable as constants and comparable with the decoded strings.
"""

from __future__ import annotations

import enum
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

__all__ = [
    "UNSET",
    "AccountingAddressType",
    "Attachment",
    "AttachmentsDataset",
    "Contact",
    "CreateCustomerResponse",
    "Customer",
    "CustomerStatus",
    "Customers",
    "DataType",
    "ErrorMessage",
    "ErrorValidation",
    "ErrorValidationItem",
    "HalRef",
    "Items",
    "Links",
    "Metadata",
    "PhoneNumberItems",
    "PhoneNumberType",
    "PushChangeType",
    "PushFieldValidation",
    "PushOperation",
    "PushOperationChange",
    "PushOperationRef",
    "PushOperationStatus",
    "PushOperations",
    "PushOption",
    "PushOptionChoice",
    "PushOptionProperty",
    "PushOptionType",
    "PushValidationInfo",
    "SupplementalData",
    "UnsetType",
    "UpdateCustomerResponse",
    "Validation",
    "ValidationItem",
]


class Model(
    msgspec.Struct,
    rename="camel",
    omit_defaults=True,
    kw_only=True,
    repr_omit_defaults=True,
    gc=False,
):
    """Base of every wire model: camelCase on the wire, absent fields omitted.

    Instances are not tracked by the cyclic garbage collector (``gc=False``): a page of
    5,000 customers makes tens of thousands of them, and scanning them made the collector
    cost about as much CPU as decoding the page. A model never refers back to itself, so
    reference counting frees it; only a cycle you build through one yourself (a model
    placed inside its own ``supplemental_data`` content) would never be freed.
    """


# --- open enumerations: known values, never used to reject a decoded value -------------


class CustomerStatus(str, enum.Enum):
    """Status of a customer (and of a contact)."""

    UNKNOWN = "Unknown"
    ACTIVE = "Active"
    ARCHIVED = "Archived"


class AccountingAddressType(str, enum.Enum):
    """Type of an address."""

    UNKNOWN = "Unknown"
    BILLING = "Billing"
    DELIVERY = "Delivery"


class PhoneNumberType(str, enum.Enum):
    """Type of a phone number."""

    PRIMARY = "Primary"
    LANDLINE = "Landline"
    MOBILE = "Mobile"
    FAX = "Fax"
    UNKNOWN = "Unknown"


class PushOperationStatus(str, enum.Enum):
    """State of a push operation; only ``PENDING`` is not final."""

    PENDING = "Pending"
    FAILED = "Failed"
    SUCCESS = "Success"
    TIMED_OUT = "TimedOut"


class PushChangeType(str, enum.Enum):
    """Kind of change a push operation made."""

    UNKNOWN = "Unknown"
    CREATED = "Created"
    MODIFIED = "Modified"
    DELETED = "Deleted"
    ATTACHMENT_UPLOADED = "AttachmentUploaded"


class PushOptionType(str, enum.Enum):
    """Type of a field in a create/update model."""

    ARRAY = "Array"
    OBJECT = "Object"
    STRING = "String"
    NUMBER = "Number"
    BOOLEAN = "Boolean"
    DATE_TIME = "DateTime"
    FILE = "File"
    MULTI_PART = "MultiPart"


class DataType(str, enum.Enum):
    """Codat data types a push operation can refer to (subset most relevant here)."""

    CUSTOMERS = "customers"
    SUPPLIERS = "suppliers"
    INVOICES = "invoices"
    BILLS = "bills"
    ACCOUNTS = "chartOfAccounts"
    PAYMENTS = "payments"


# --- customers ----------------------------------------------------------------------


class Items(Model):
    """An address of a customer or contact (``type`` is required)."""

    type: str
    line1: str | UnsetType | None = UNSET
    line2: str | UnsetType | None = UNSET
    city: str | UnsetType | None = UNSET
    region: str | UnsetType | None = UNSET
    country: str | UnsetType | None = UNSET
    postal_code: str | UnsetType | None = UNSET


class PhoneNumberItems(Model):
    """A phone number of a contact; ``number`` may be null but must be present."""

    number: str | None
    type: str


class Contact(Model):
    """A person to contact at a customer."""

    status: str
    name: str | UnsetType | None = UNSET
    email: str | UnsetType | None = UNSET
    phone: list[PhoneNumberItems] | UnsetType | None = UNSET
    address: Items | UnsetType = UNSET
    modified_date: str | UnsetType = UNSET


class Metadata(Model):
    """Record metadata; ``is_deleted`` marks records deleted in the source platform."""

    is_deleted: bool | UnsetType | None = UNSET


class SupplementalData(Model):
    """Free-form supplemental data keyed by configuration name."""

    content: dict[str, dict[str, Any]] | UnsetType | None = UNSET


class Customer(Model):
    """A customer: a person or organisation that buys from the company."""

    status: str
    id: str | UnsetType = UNSET
    customer_name: str | UnsetType | None = UNSET
    contact_name: str | UnsetType | None = UNSET
    email_address: str | UnsetType | None = UNSET
    default_currency: str | UnsetType = UNSET
    phone: str | UnsetType | None = UNSET
    addresses: list[Items] | UnsetType | None = UNSET
    contacts: list[Contact] | UnsetType | None = UNSET
    registration_number: str | UnsetType | None = UNSET
    tax_number: str | UnsetType | None = UNSET
    metadata: Metadata | UnsetType = UNSET
    supplemental_data: SupplementalData | UnsetType = UNSET
    modified_date: str | UnsetType = UNSET
    source_modified_date: str | UnsetType | None = UNSET


class HalRef(Model):
    """A hypertext reference."""

    href: str | UnsetType = UNSET


class Links(Model):
    """Paging links: ``self`` and ``current`` always, ``next``/``previous`` when they exist."""

    self_: HalRef = msgspec.field(name="self")
    current: HalRef
    next: HalRef | UnsetType = UNSET
    previous: HalRef | UnsetType = UNSET


class Customers(Model):
    """One page of customers."""

    page_number: int
    page_size: int
    total_results: int
    links: Links = msgspec.field(name="_links")
    results: list[Customer] | UnsetType = UNSET


# --- attachments ---------------------------------------------------------------------


class Attachment(Model):
    """Metadata of a file attached to a customer."""

    id: str | UnsetType = UNSET
    name: str | UnsetType | None = UNSET
    content_type: str | UnsetType | None = UNSET
    date_created: str | UnsetType = UNSET
    file_size: int | UnsetType | None = UNSET
    include_when_sent: bool | UnsetType = UNSET
    modified_date: str | UnsetType = UNSET
    source_modified_date: str | UnsetType | None = UNSET


class AttachmentsDataset(Model):
    """The attachments of one customer."""

    attachments: list[Attachment] | UnsetType | None = UNSET


# --- push operations -----------------------------------------------------------------


class PushOperationRef(Model):
    """Reference to the record a push operation changed."""

    id: str | UnsetType = UNSET
    data_type: str | UnsetType | None = UNSET


class PushOperationChange(Model):
    """One change made by a push operation."""

    type: str | UnsetType = UNSET
    record_ref: PushOperationRef | UnsetType = UNSET
    attachment_id: str | UnsetType | None = UNSET


class ValidationItem(Model):
    """One validation error or warning of a push operation."""

    item_id: str | UnsetType | None = UNSET
    message: str | UnsetType | None = UNSET
    validator_name: str | UnsetType | None = UNSET


class Validation(Model):
    """Validation errors and warnings of a push operation."""

    errors: list[ValidationItem] | UnsetType | None = UNSET
    warnings: list[ValidationItem] | UnsetType | None = UNSET


class PushOperation(Model):
    """A push operation as the Platform API's push reads answer it: the create/update
    response without ``data`` (``Pending`` until it completes as ``Success``, ``Failed`` or
    ``TimedOut``; ``completedOnUtc`` is absent while Pending)."""

    company_id: str
    push_operation_key: str
    data_connection_key: str
    requested_on_utc: str
    status: str
    status_code: int
    changes: list[PushOperationChange] | UnsetType | None = UNSET
    data_type: str | UnsetType | None = UNSET
    completed_on_utc: str | UnsetType = UNSET
    timeout_in_minutes: int | UnsetType | None = UNSET
    timeout_in_seconds: int | UnsetType | None = UNSET
    error_message: str | UnsetType | None = UNSET
    validation: Validation | UnsetType = UNSET


class PushOperations(Model):
    """One page of a company's push operations."""

    page_number: int
    page_size: int
    total_results: int
    links: Links = msgspec.field(name="_links")
    results: list[PushOperation] | UnsetType = UNSET


class _PushOperation(PushOperation):
    data: Customer | UnsetType = UNSET


class CreateCustomerResponse(_PushOperation):
    """The push operation started by creating a customer."""


class UpdateCustomerResponse(_PushOperation):
    """The push operation started by updating a customer."""


# --- create/update model (PushOption) -------------------------------------------------


class PushFieldValidation(Model):
    """A validation rule on a field of the create/update model."""

    details: str
    field: str | UnsetType = UNSET
    ref: str | UnsetType | None = UNSET


class PushValidationInfo(Model):
    """Warnings and information about a field of the create/update model."""

    warnings: list[PushFieldValidation] | UnsetType | None = UNSET
    information: list[PushFieldValidation] | UnsetType | None = UNSET


class PushOptionChoice(Model):
    """An allowed value of an enumerated field."""

    value: str | UnsetType = UNSET
    type: str | UnsetType = UNSET
    display_name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    required: bool | UnsetType = UNSET


class PushOptionProperty(Model):
    """A field of the create/update model; nests for objects and arrays."""

    type: str
    display_name: str
    description: str
    required: bool
    properties: dict[str, PushOptionProperty] | UnsetType | None = UNSET
    options: list[PushOptionChoice] | UnsetType | None = UNSET
    validation: PushValidationInfo | UnsetType = UNSET


class PushOption(Model):
    """The create/update model: which customer fields an integration expects."""

    type: str
    display_name: str
    required: bool
    description: str | UnsetType = UNSET
    properties: dict[str, PushOptionProperty] | UnsetType | None = UNSET
    options: list[PushOptionChoice] | UnsetType | None = UNSET
    validation: PushValidationInfo | UnsetType | None = UNSET


# --- errors --------------------------------------------------------------------------


class ErrorValidationItem(ValidationItem):
    """One validation problem reported in an error body (same shape as a push's)."""


class ErrorValidation(Model):
    """Validation problems reported in an error body."""

    errors: list[ErrorValidationItem] | UnsetType | None = UNSET
    warnings: list[ErrorValidationItem] | UnsetType | None = UNSET


class ErrorMessage(Model):
    """Codat's error body; every field is optional."""

    status_code: int | UnsetType = UNSET
    service: str | UnsetType = UNSET
    error: str | UnsetType = UNSET
    correlation_id: str | UnsetType = UNSET
    validation: ErrorValidation | UnsetType | None = UNSET
    can_be_retried: str | UnsetType = UNSET
    detailed_error_code: int | UnsetType = UNSET
