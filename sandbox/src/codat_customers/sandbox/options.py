"""The customers create/update model: the PushOption the sandbox publishes and the checks
that a pushed customer must pass against it.

One table of field rules is the source of both, so the model a client reads is exactly what
the sandbox enforces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from codat_customers.core.models import (
    Customer,
    PushFieldValidation,
    PushOption,
    PushOptionChoice,
    PushOptionProperty,
    PushValidationInfo,
)

from .clock import parse_datetime

__all__ = ["CUSTOMER_PUSH_OPTION", "FieldRule", "Problem", "check_customer"]


@dataclass(frozen=True)
class FieldRule:
    """What the model says about one field: type, whether required, limits, allowed values.

    ``schema_enum`` marks allowed values that the OpenAPI schema itself enumerates: breaking
    those makes the body invalid (HTTP 400), while breaking other rules fails the push.
    """

    type: str
    display_name: str
    description: str
    required: bool = False
    max_length: int | None = None
    pattern: tuple[str, str] | None = None
    options: tuple[str, ...] = ()
    schema_enum: bool = False
    properties: Mapping[str, FieldRule] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """A rule a pushed customer breaks; ``schema`` if the OpenAPI schema forbids it too."""

    item_id: str
    message: str
    validator: str
    schema: bool


_STATUS = ("Active", "Archived", "Unknown")
_ADDRESS_TYPES = ("Billing", "Delivery", "Unknown")
_PHONE_TYPES = ("Primary", "Landline", "Mobile", "Fax", "Unknown")


def _address(required_type: bool) -> FieldRule:
    return FieldRule(
        "Object",
        "Address",
        "A postal address.",
        properties={
            "type": FieldRule(
                "String",
                "Address type",
                "Whether this is a billing or a delivery address.",
                required=required_type,
                options=_ADDRESS_TYPES,
                schema_enum=True,
            ),
            "line1": FieldRule("String", "Line 1", "First line of the address.", max_length=100),
            "line2": FieldRule("String", "Line 2", "Second line of the address.", max_length=100),
            "city": FieldRule("String", "City", "City or town.", max_length=100),
            "region": FieldRule("String", "Region", "County, state or province.", max_length=100),
            "country": FieldRule("String", "Country", "Country name.", max_length=100),
            "postalCode": FieldRule("String", "Postal code", "Postal code.", max_length=20),
        },
    )


_RULES: Mapping[str, FieldRule] = {
    "customerName": FieldRule(
        "String", "Customer name", "Name of the customer.", required=True, max_length=100
    ),
    "contactName": FieldRule("String", "Contact name", "Name of the main contact.", max_length=100),
    "emailAddress": FieldRule(
        "String", "Email address", "Email address of the customer.", max_length=254
    ),
    "phone": FieldRule("String", "Phone", "Phone number of the customer.", max_length=50),
    "defaultCurrency": FieldRule(
        "String",
        "Default currency",
        "Currency the customer is invoiced in.",
        pattern=(r"[A-Z]{3}", "Must be a three-letter ISO 4217 currency code, e.g. GBP."),
    ),
    "registrationNumber": FieldRule(
        "String", "Registration number", "Company registration number.", max_length=50
    ),
    "taxNumber": FieldRule("String", "Tax number", "Tax (e.g. VAT) number.", max_length=50),
    "status": FieldRule(
        "String",
        "Status",
        "Whether the customer is active or archived.",
        required=True,
        options=_STATUS,
        schema_enum=True,
    ),
    "addresses": FieldRule(
        "Array",
        "Addresses",
        "Billing and delivery addresses.",
        properties=_address(required_type=True).properties,
    ),
    "contacts": FieldRule(
        "Array",
        "Contacts",
        "People to contact at the customer.",
        properties={
            "name": FieldRule("String", "Name", "Name of the contact.", max_length=100),
            "email": FieldRule("String", "Email", "Email address of the contact.", max_length=254),
            "phone": FieldRule(
                "Array",
                "Phone numbers",
                "Phone numbers of the contact.",
                properties={
                    "number": FieldRule(
                        "String", "Number", "The phone number.", required=True, max_length=50
                    ),
                    "type": FieldRule(
                        "String",
                        "Type",
                        "Kind of phone number.",
                        required=True,
                        options=_PHONE_TYPES,
                        schema_enum=True,
                    ),
                },
            ),
            "address": _address(required_type=True),
            "status": FieldRule(
                "String",
                "Status",
                "Whether the contact is active.",
                required=True,
                options=_STATUS,
                schema_enum=True,
            ),
        },
    ),
}


def _validation_info(rule: FieldRule, name: str) -> PushValidationInfo | msgspec.UnsetType:
    details = []
    if rule.max_length is not None:
        details.append(f"Max length of {rule.max_length} characters.")
    if rule.pattern is not None:
        details.append(rule.pattern[1])
    if not details:
        return msgspec.UNSET
    return PushValidationInfo(
        information=[PushFieldValidation(field=name, details=text) for text in details]
    )


def _property(name: str, rule: FieldRule) -> PushOptionProperty:
    return PushOptionProperty(
        type=rule.type,
        display_name=rule.display_name,
        description=rule.description,
        required=rule.required,
        properties=(
            {key: _property(key, sub) for key, sub in rule.properties.items()}
            if rule.properties
            else msgspec.UNSET
        ),
        options=(
            [
                PushOptionChoice(value=value, type="String", display_name=value, required=False)
                for value in rule.options
            ]
            if rule.options
            else msgspec.UNSET
        ),
        validation=_validation_info(rule, name),
    )


CUSTOMER_PUSH_OPTION = PushOption(
    type="Object",
    display_name="Customer",
    description="Customer",
    required=True,
    properties={name: _property(name, rule) for name, rule in _RULES.items()},
)
"""The model answered by get_create_update_model."""


def _check(value: Any, rule: FieldRule, where: str, problems: list[Problem]) -> None:
    if value is None or value == "":
        if rule.required:
            problems.append(Problem(where, f"{where} is required.", "Required", schema=False))
        return
    if rule.type == "Array" and isinstance(value, list):
        for index, item in enumerate(value):
            _check_object(item, rule.properties, f"{where}[{index}]", problems)
        return
    if rule.type == "Object" and isinstance(value, dict):
        _check_object(value, rule.properties, where, problems)
        return
    if not isinstance(value, str):
        return
    if rule.options and value not in rule.options:
        allowed = ", ".join(rule.options)
        problems.append(
            Problem(
                where,
                f"{where} must be one of {allowed}; got '{value}'.",
                "AllowedValues",
                schema=rule.schema_enum,
            )
        )
    if rule.max_length is not None and len(value) > rule.max_length:
        problems.append(
            Problem(
                where,
                f"{where} must be at most {rule.max_length} characters long.",
                "MaxLength",
                schema=False,
            )
        )
    if rule.pattern is not None and re.fullmatch(rule.pattern[0], value) is None:
        problems.append(Problem(where, f"{where}: {rule.pattern[1]}", "Format", schema=False))


def _check_object(
    value: Any, rules: Mapping[str, FieldRule], where: str, problems: list[Problem]
) -> None:
    if not isinstance(value, dict):
        return
    for name, rule in rules.items():
        _check(value.get(name), rule, f"{where}.{name}" if where else name, problems)


def check_customer(customer: Customer) -> list[Problem]:
    """Every rule of the create/update model that ``customer`` breaks."""
    problems: list[Problem] = []
    _check_object(msgspec.to_builtins(customer), _RULES, "", problems)
    source_modified = customer.source_modified_date
    if isinstance(source_modified, str) and parse_datetime(source_modified) is None:
        problems.append(
            Problem(
                "sourceModifiedDate",
                "sourceModifiedDate must be an ISO 8601 date or datetime.",
                "Format",
                schema=False,
            )
        )
    return problems
