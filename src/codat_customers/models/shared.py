"""Wire models and enumerations, under the names the peer SDK uses (``shared.Customer``...).

These are the core's msgspec Structs; ``Security`` is the client credential.
"""

from __future__ import annotations

from codat_customers.core.models import (
    UNSET,
    AccountingAddressType,
    Attachment,
    AttachmentsDataset,
    Contact,
    CreateCustomerResponse,
    Customer,
    Customers,
    CustomerStatus,
    DataType,
    ErrorValidation,
    ErrorValidationItem,
    HalRef,
    Items,
    Links,
    Metadata,
    PhoneNumberItems,
    PhoneNumberType,
    PushChangeType,
    PushFieldValidation,
    PushOperationChange,
    PushOperationRef,
    PushOperationStatus,
    PushOption,
    PushOptionChoice,
    PushOptionProperty,
    PushOptionType,
    PushValidationInfo,
    SupplementalData,
    UnsetType,
    UpdateCustomerResponse,
    Validation,
    ValidationItem,
)

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
    "Security",
    "SupplementalData",
    "UnsetType",
    "UpdateCustomerResponse",
    "Validation",
    "ValidationItem",
]


class Security:
    """The client's credential: ``auth_header`` is ``"Basic <base64 of the API key>"``.

    A bare API key is accepted too and encoded for you. The value never shows in ``repr``.
    """

    __slots__ = ("auth_header",)

    def __init__(self, auth_header: str) -> None:
        if not isinstance(auth_header, str) or not auth_header.strip():
            raise ValueError("Security.auth_header must be a non-empty string")
        self.auth_header = auth_header

    def __repr__(self) -> str:
        return "Security(auth_header='***')"
