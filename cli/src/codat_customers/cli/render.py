"""How results are shown: aligned tables and trees (Rich), JSON, JSON Lines and CSV.

Models are turned into their wire form (camelCase, unset fields left out) with msgspec, the
same encoding the SDK sends and receives; nothing here knows the HTTP API.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import msgspec
from codat_customers.core.models import (
    Attachment,
    Customer,
    PushOperation,
    PushOption,
    PushOptionProperty,
)
from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

__all__ = [
    "ATTACHMENT_COLUMNS",
    "CUSTOMER_COLUMNS",
    "MODEL_COLUMNS",
    "ByteSink",
    "CsvRows",
    "OutputFormat",
    "attachment_row",
    "attachments_table",
    "customer_row",
    "customers_table",
    "encode_json",
    "encode_jsonl",
    "flatten",
    "model_rows",
    "model_tree",
    "print_table",
    "push_summary",
    "record_table",
]


class ByteSink(Protocol):
    """Where output bytes go: a file, stdout's buffer, or the lines above a progress bar."""

    def write(self, data: bytes, /) -> int:
        """Write ``data``."""
        ...


class OutputFormat(str, enum.Enum):
    """The formats of ``--output``."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


_ENCODER = msgspec.json.Encoder()

ADDRESS_SLOTS = 2
"""Addresses flattened into CSV columns (``address1.*``, ``address2.*``); the rest are counted."""
CONTACT_SLOTS = 2
"""Contacts flattened into CSV columns (``contact1.*``, ``contact2.*``); the rest are counted."""

_SCALARS = (
    "id",
    "customerName",
    "contactName",
    "emailAddress",
    "phone",
    "defaultCurrency",
    "registrationNumber",
    "taxNumber",
    "status",
    "modifiedDate",
    "sourceModifiedDate",
)
_ADDRESS_FIELDS = ("type", "line1", "line2", "city", "region", "country", "postalCode")
_CONTACT_FIELDS = ("name", "email", "phone", "status")

CUSTOMER_COLUMNS: tuple[str, ...] = (
    *_SCALARS,
    "metadata.isDeleted",
    "addressCount",
    *(f"address{n}.{f}" for n in range(1, ADDRESS_SLOTS + 1) for f in _ADDRESS_FIELDS),
    "contactCount",
    *(f"contact{n}.{f}" for n in range(1, CONTACT_SLOTS + 1) for f in _CONTACT_FIELDS),
    "supplementalData",
)
"""The CSV columns of a customer, the same for every row so that an export can stream."""

ATTACHMENT_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "contentType",
    "fileSize",
    "includeWhenSent",
    "dateCreated",
    "modifiedDate",
    "sourceModifiedDate",
)
"""The CSV columns of an attachment."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return _ENCODER.encode(value).decode()


def customer_row(customer: Customer) -> list[str]:
    """A customer as one CSV row of `CUSTOMER_COLUMNS`."""
    doc: dict[str, Any] = msgspec.to_builtins(customer)
    row = [_cell(doc.get(name)) for name in _SCALARS]
    metadata = doc.get("metadata")
    row.append(_cell(metadata.get("isDeleted")) if isinstance(metadata, dict) else "")
    addresses = doc.get("addresses") or []
    row.append(str(len(addresses)))
    for slot in range(ADDRESS_SLOTS):
        address = addresses[slot] if slot < len(addresses) else {}
        row += [_cell(address.get(name)) for name in _ADDRESS_FIELDS]
    contacts = doc.get("contacts") or []
    row.append(str(len(contacts)))
    for slot in range(CONTACT_SLOTS):
        contact = contacts[slot] if slot < len(contacts) else {}
        phones = contact.get("phone") or []
        first_phone = phones[0].get("number") if phones else None
        row += [
            _cell(contact.get("name")),
            _cell(contact.get("email")),
            _cell(first_phone),
            _cell(contact.get("status")),
        ]
    supplemental = doc.get("supplementalData")
    row.append(_cell(supplemental) if supplemental else "")
    return row


def attachment_row(attachment: Attachment) -> list[str]:
    """An attachment as one CSV row of `ATTACHMENT_COLUMNS`."""
    doc: dict[str, Any] = msgspec.to_builtins(attachment)
    return [_cell(doc.get(name)) for name in ATTACHMENT_COLUMNS]


def flatten(value: object, prefix: str = "") -> dict[str, str]:
    """A nested document as ``{"a.b": "text"}``; lists are numbered from 1 (``a.1.b``)."""
    out: dict[str, str] = {}
    if isinstance(value, Mapping):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list | tuple):
        for number, item in enumerate(value, start=1):
            out.update(flatten(item, f"{prefix}.{number}" if prefix else str(number)))
    else:
        out[prefix or "value"] = _cell(value)
    return out


class CsvRows:
    """Writes CSV rows as UTF-8 bytes to a binary stream, one encoded block at a time."""

    def __init__(self, out: ByteSink, header: Sequence[str]) -> None:
        self._out = out
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")
        self.write([list(header)])

    def write(self, rows: Iterable[Sequence[str]]) -> None:
        """Write ``rows``."""
        self._writer.writerows(rows)
        self._out.write(self._buffer.getvalue().encode())
        self._buffer.seek(0)
        self._buffer.truncate()


def encode_json(value: object) -> bytes:
    """One indented JSON document and a newline."""
    return msgspec.json.format(_ENCODER.encode(value), indent=2) + b"\n"


def encode_jsonl(values: Iterable[object]) -> bytes:
    """One compact JSON document per line."""
    return b"".join(_ENCODER.encode(value) + b"\n" for value in values)


# --- tables and trees ----------------------------------------------------------------------

# 114 columns in all: fits a 120-column terminal without squeezing the ids.
_CUSTOMER_TABLE = (
    ("id", "id", 36),
    ("name", "customerName", 26),
    ("status", "status", 8),
    ("ccy", "defaultCurrency", 3),
    ("email", "emailAddress", 26),
    ("modified", "modifiedDate", 10),  # the date; the time is in every machine format
)


def customers_table(customers: Iterable[Customer], *, header: bool = True) -> Table:
    """Customers as a table with fixed column widths, so that pages printed one after the
    other line up."""
    table = Table(box=None, show_header=header, header_style="bold", pad_edge=False)
    for title, _, width in _CUSTOMER_TABLE:
        table.add_column(title, width=width, no_wrap=True, overflow="ellipsis")
    for customer in customers:
        doc: dict[str, Any] = msgspec.to_builtins(customer)
        table.add_row(*(Text(_cell(doc.get(key))[:width]) for _, key, width in _CUSTOMER_TABLE))
    return table


def attachments_table(attachments: Iterable[Attachment]) -> Table:
    """Attachments as a table."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    for title in ("id", "name", "type", "bytes", "created"):
        table.add_column(title, no_wrap=True, justify="right" if title == "bytes" else "left")
    for attachment in attachments:
        doc: dict[str, Any] = msgspec.to_builtins(attachment)
        table.add_row(
            *(
                Text(_cell(doc.get(key)))
                for key in ("id", "name", "contentType", "fileSize", "dateCreated")
            )
        )
    return table


def record_table(record: object) -> Table:
    """One record as a two-column table of its flattened fields."""
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for key, value in flatten(msgspec.to_builtins(record)).items():
        table.add_row(Text(key), Text(value))
    return table


def push_summary(operation: PushOperation) -> Table:
    """A push operation as a short table: status, key, the customer, changes, validation.

    A create/update answer shows its ``data``; a push operation read later has none.
    """
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    doc: dict[str, Any] = msgspec.to_builtins(operation)
    for key in ("status", "statusCode", "pushOperationKey", "requestedOnUtc", "errorMessage"):
        if doc.get(key) is not None:
            table.add_row(Text(key), Text(_cell(doc[key])))
    data = doc.get("data") or {}
    if data.get("id"):
        table.add_row(Text("customer"), Text(f"{data['id']} {_cell(data.get('customerName'))}"))
    for change in doc.get("changes") or []:
        ref = change.get("recordRef") or {}
        table.add_row(Text("change"), Text(f"{_cell(change.get('type'))} {_cell(ref.get('id'))}"))
    validation = doc.get("validation") or {}
    for label in ("errors", "warnings"):
        for item in validation.get(label) or []:
            table.add_row(
                Text(f"validation {label[:-1]}"),
                Text(f"{_cell(item.get('itemId'))}: {_cell(item.get('message'))}"),
            )
    return table


def _describe(name: str, field: PushOptionProperty | PushOption) -> Text:
    text = Text(name, style="bold")
    text.append(f"  {field.type}")
    text.append("  required" if field.required else "  optional", style="dim")
    if isinstance(field.options, list) and field.options:
        values = [o.value for o in field.options if isinstance(o.value, str)]
        text.append(f"  one of: {', '.join(values)}")
    validation = field.validation
    if validation is not None and not isinstance(validation, msgspec.UnsetType):
        for kind in (validation.information, validation.warnings):
            if isinstance(kind, list):
                for rule in kind:
                    text.append(f"  ({rule.details})", style="italic")
    return text


def _branch(tree: Tree, properties: object) -> None:
    if not isinstance(properties, dict):
        return
    for name in sorted(properties):
        field: PushOptionProperty = properties[name]
        child = tree.add(_describe(name, field))
        _branch(child, field.properties)


def model_tree(model: PushOption) -> Tree:
    """The create/update model as a tree of fields: type, required, allowed values, limits."""
    tree = Tree(_describe(model.display_name, model))
    _branch(tree, model.properties)
    return tree


MODEL_COLUMNS = ("field", "type", "required", "options", "rules", "displayName", "description")
"""The CSV columns of the create/update model, one row per field (dotted paths)."""


def model_rows(model: PushOption) -> list[list[str]]:
    """The create/update model as CSV rows of `MODEL_COLUMNS`."""
    rows: list[list[str]] = []

    def walk(properties: object, prefix: str) -> None:
        if not isinstance(properties, dict):
            return
        for name in sorted(properties):
            field: PushOptionProperty = properties[name]
            path = f"{prefix}.{name}" if prefix else name
            options = field.options if isinstance(field.options, list) else []
            rules: list[str] = []
            validation = field.validation
            if not isinstance(validation, msgspec.UnsetType):
                for kind in (validation.information, validation.warnings):
                    if isinstance(kind, list):
                        rules += [rule.details for rule in kind]
            rows.append(
                [
                    path,
                    field.type,
                    _cell(field.required),
                    " | ".join(o.value for o in options if isinstance(o.value, str)),
                    " | ".join(rules),
                    field.display_name,
                    field.description,
                ]
            )
            walk(field.properties, path)

    walk(model.properties, "")
    return rows


def print_table(console: Console, renderable: Table | Tree) -> None:
    """Print a table or tree without Rich's guesses at highlighting."""
    console.print(renderable, highlight=False)
