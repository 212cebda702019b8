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
    "PushOperationChange",
    "PushOperationRef",
    "PushOperationStatus",
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


class Model(msgspec.Struct, rename="camel", omit_defaults=True, kw_only=True):
    """Base of every wire model: camelCase on the wire, absent fields omitted."""


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
    line1: str | None | UnsetType = UNSET
    line2: str | None | UnsetType = UNSET
    city: str | None | UnsetType = UNSET
    region: str | None | UnsetType = UNSET
    country: str | None | UnsetType = UNSET
    postal_code: str | None | UnsetType = UNSET


class PhoneNumberItems(Model):
    """A phone number of a contact; ``number`` may be null but must be present."""

    number: str | None
    type: str


class Contact(Model):
    """A person to contact at a customer."""

    status: str
    name: str | None | UnsetType = UNSET
    email: str | None | UnsetType = UNSET
    phone: list[PhoneNumberItems] | None | UnsetType = UNSET
    address: Items | UnsetType = UNSET
    modified_date: str | UnsetType = UNSET


class Metadata(Model):
    """Record metadata; ``is_deleted`` marks records deleted in the source platform."""

    is_deleted: bool | None | UnsetType = UNSET


class SupplementalData(Model):
    """Free-form supplemental data keyed by configuration name."""

    content: dict[str, dict[str, Any]] | None | UnsetType = UNSET


class Customer(Model):
    """A customer: a person or organisation that buys from the company."""

    status: str
    id: str | UnsetType = UNSET
    customer_name: str | None | UnsetType = UNSET
    contact_name: str | None | UnsetType = UNSET
    email_address: str | None | UnsetType = UNSET
    default_currency: str | UnsetType = UNSET
    phone: str | None | UnsetType = UNSET
    addresses: list[Items] | None | UnsetType = UNSET
    contacts: list[Contact] | None | UnsetType = UNSET
    registration_number: str | None | UnsetType = UNSET
    tax_number: str | None | UnsetType = UNSET
    metadata: Metadata | UnsetType = UNSET
    supplemental_data: SupplementalData | UnsetType = UNSET
    modified_date: str | UnsetType = UNSET
    source_modified_date: str | None | UnsetType = UNSET


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
    name: str | None | UnsetType = UNSET
    content_type: str | None | UnsetType = UNSET
    date_created: str | UnsetType = UNSET
    file_size: int | None | UnsetType = UNSET
    include_when_sent: bool | UnsetType = UNSET
    modified_date: str | UnsetType = UNSET
    source_modified_date: str | None | UnsetType = UNSET


class AttachmentsDataset(Model):
    """The attachments of one customer."""

    attachments: list[Attachment] | None | UnsetType = UNSET


# --- push operations -----------------------------------------------------------------


class PushOperationRef(Model):
    """Reference to the record a push operation changed."""

    id: str | UnsetType = UNSET
    data_type: str | None | UnsetType = UNSET


class PushOperationChange(Model):
    """One change made by a push operation."""

    type: str | UnsetType = UNSET
    record_ref: PushOperationRef | UnsetType = UNSET
    attachment_id: str | None | UnsetType = UNSET


class ValidationItem(Model):
    """One validation error or warning of a push operation."""

    item_id: str | None | UnsetType = UNSET
    message: str | None | UnsetType = UNSET
    validator_name: str | None | UnsetType = UNSET


class Validation(Model):
    """Validation errors and warnings of a push operation."""

    errors: list[ValidationItem] | None | UnsetType = UNSET
    warnings: list[ValidationItem] | None | UnsetType = UNSET


class _PushOperation(Model):
    company_id: str
    push_operation_key: str
    data_connection_key: str
    requested_on_utc: str
    status: str
    status_code: int
    data: Customer | UnsetType = UNSET
    changes: list[PushOperationChange] | None | UnsetType = UNSET
    data_type: str | None | UnsetType = UNSET
    completed_on_utc: str | UnsetType = UNSET
    timeout_in_minutes: int | None | UnsetType = UNSET
    timeout_in_seconds: int | None | UnsetType = UNSET
    error_message: str | None | UnsetType = UNSET
    validation: Validation | UnsetType = UNSET


class CreateCustomerResponse(_PushOperation):
    """The push operation started by creating a customer."""


class UpdateCustomerResponse(_PushOperation):
    """The push operation started by updating a customer."""


# --- create/update model (PushOption) -------------------------------------------------


class PushFieldValidation(Model):
    """A validation rule on a field of the create/update model."""

    details: str
    field: str | UnsetType = UNSET
    ref: str | None | UnsetType = UNSET


class PushValidationInfo(Model):
    """Warnings and information about a field of the create/update model."""

    warnings: list[PushFieldValidation] | None | UnsetType = UNSET
    information: list[PushFieldValidation] | None | UnsetType = UNSET


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
    properties: dict[str, PushOptionProperty] | None | UnsetType = UNSET
    options: list[PushOptionChoice] | None | UnsetType = UNSET
    validation: PushValidationInfo | UnsetType = UNSET


class PushOption(Model):
    """The create/update model: which customer fields an integration expects."""

    type: str
    display_name: str
    required: bool
    description: str | UnsetType = UNSET
    properties: dict[str, PushOptionProperty] | None | UnsetType = UNSET
    options: list[PushOptionChoice] | None | UnsetType = UNSET
    validation: PushValidationInfo | None | UnsetType = UNSET


# --- errors --------------------------------------------------------------------------


class ErrorValidationItem(Model):
    """One validation problem reported in an error body."""

    item_id: str | None | UnsetType = UNSET
    message: str | None | UnsetType = UNSET
    validator_name: str | None | UnsetType = UNSET


class ErrorValidation(Model):
    """Validation problems reported in an error body."""

    errors: list[ErrorValidationItem] | None | UnsetType = UNSET
    warnings: list[ErrorValidationItem] | None | UnsetType = UNSET


class ErrorMessage(Model):
    """Codat's error body; every field is optional."""

    status_code: int | UnsetType = UNSET
    service: str | UnsetType = UNSET
    error: str | UnsetType = UNSET
    correlation_id: str | UnsetType = UNSET
    validation: ErrorValidation | None | UnsetType = UNSET
    can_be_retried: str | UnsetType = UNSET
    detailed_error_code: int | UnsetType = UNSET
