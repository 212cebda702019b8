"""Wire models and enumerations, under the names the peer SDK uses (``shared.Customer``...).

These are the core's msgspec Structs; ``Security`` is the client credential. Beside them are
the ``*TypedDict`` shapes of the models a request carries (``CustomerTypedDict`` and
everything it nests), for type-checked dict requests: the keys are the snake_case ones the
runtime accepts, optional keys are ``NotRequired``, every nested model also accepts its
Struct, and enumerated fields accept the enum member or its value as a string literal
(``shared.CustomerStatus.ACTIVE`` or ``"Active"``). They are typing only: at runtime a dict
is checked by the core, whatever its annotation said.
"""

# No ``from __future__ import annotations``: TypedDict only sees ``NotRequired`` (and so
# reports the right ``__required_keys__``) when annotations are evaluated.
from collections.abc import Sequence
from typing import Any, Literal

from typing_extensions import NotRequired, TypedDict

from codat_customers.core import models as _models
from codat_customers.core.models import *  # noqa: F403 - every wire model, under its peer name
from codat_customers.core.models import (
    AccountingAddressType,
    Contact,
    CustomerStatus,
    Items,
    Metadata,
    PhoneNumberItems,
    PhoneNumberType,
    SupplementalData,
)

__all__ = [  # noqa: PLE0604
    *_models.__all__,
    "AccountingAddressTypeLiteral",
    "ContactTypedDict",
    "CustomerStatusLiteral",
    "CustomerTypedDict",
    "ItemsTypedDict",
    "MetadataTypedDict",
    "PhoneNumberItemsTypedDict",
    "PhoneNumberTypeLiteral",
    "Security",
    "SupplementalDataTypedDict",
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


# --- typed dict forms of the models a request carries ----------------------------------
# The Structs type enumerated fields as ``str`` so that values Codat adds later still
# decode; a request written today can only mean a known value, so here they are closed.

CustomerStatusLiteral = Literal["Unknown", "Active", "Archived"]
"""The values of :class:`CustomerStatus`, as string literals."""

AccountingAddressTypeLiteral = Literal["Unknown", "Billing", "Delivery"]
"""The values of :class:`AccountingAddressType`, as string literals."""

PhoneNumberTypeLiteral = Literal["Primary", "Landline", "Mobile", "Fax", "Unknown"]
"""The values of :class:`PhoneNumberType`, as string literals."""


class ItemsTypedDict(TypedDict):
    """An address (:class:`Items`) as a dict; only ``type`` is required."""

    type: AccountingAddressType | AccountingAddressTypeLiteral
    line1: NotRequired[str | None]
    line2: NotRequired[str | None]
    city: NotRequired[str | None]
    region: NotRequired[str | None]
    country: NotRequired[str | None]
    postal_code: NotRequired[str | None]


class PhoneNumberItemsTypedDict(TypedDict):
    """A phone number (:class:`PhoneNumberItems`) as a dict; ``number`` may be ``None``.

    Unlike the peer SDK, ``number`` is required: the contract requires it (as ``null`` when
    there is none) and the runtime rejects a phone number without it.
    """

    number: str | None
    type: PhoneNumberType | PhoneNumberTypeLiteral


class ContactTypedDict(TypedDict):
    """A contact (:class:`Contact`) as a dict; only ``status`` is required."""

    status: CustomerStatus | CustomerStatusLiteral
    name: NotRequired[str | None]
    email: NotRequired[str | None]
    phone: NotRequired[Sequence[PhoneNumberItemsTypedDict | PhoneNumberItems] | None]
    address: NotRequired[ItemsTypedDict | Items]
    modified_date: NotRequired[str]


class MetadataTypedDict(TypedDict):
    """Record metadata (:class:`Metadata`) as a dict."""

    is_deleted: NotRequired[bool | None]


class SupplementalDataTypedDict(TypedDict):
    """Supplemental data (:class:`SupplementalData`) as a dict, keyed by configuration name."""

    content: NotRequired[dict[str, dict[str, Any]] | None]


class CustomerTypedDict(TypedDict):
    """A customer (:class:`Customer`) as a dict; only ``status`` is required."""

    status: CustomerStatus | CustomerStatusLiteral
    id: NotRequired[str]
    customer_name: NotRequired[str | None]
    contact_name: NotRequired[str | None]
    email_address: NotRequired[str | None]
    default_currency: NotRequired[str]
    phone: NotRequired[str | None]
    addresses: NotRequired[Sequence[ItemsTypedDict | Items] | None]
    contacts: NotRequired[Sequence[ContactTypedDict | Contact] | None]
    registration_number: NotRequired[str | None]
    tax_number: NotRequired[str | None]
    metadata: NotRequired[MetadataTypedDict | Metadata]
    supplemental_data: NotRequired[SupplementalDataTypedDict | SupplementalData]
    modified_date: NotRequired[str]
    source_modified_date: NotRequired[str | None]
