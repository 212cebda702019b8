"""Deterministic demo data: companies, a connection, realistic customers and attachments.

The same ``seed`` and customer count always produce the same records (ids included), so a
test or a README can name them. Timestamps derive from a fixed epoch, not from the clock.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import msgspec
from codat_customers.core.models import Attachment

from .clock import format_utc
from .samples import csv_file, pdf_file, png_file
from .storage import Store

__all__ = [
    "DEMO_COMPANY_ID",
    "DEMO_CONNECTION_ID",
    "UNSYNCED_COMPANY_ID",
    "UNSYNCED_CONNECTION_ID",
    "SeedInfo",
    "SeededCompany",
    "add_companies",
    "load_seed_info",
    "seed_store",
]

DEMO_COMPANY_ID = "8a210b68-6988-11ed-a1eb-0242ac120002"
"""The company of Codat's own examples; it holds the seeded customers."""
DEMO_CONNECTION_ID = "2e9d2c44-f675-40ba-8049-353bfcb5e171"
"""The connection of Codat's own examples, belonging to `DEMO_COMPANY_ID`."""
UNSYNCED_COMPANY_ID = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5"
"""A company whose customers were never synced: list and get answer 409."""
UNSYNCED_CONNECTION_ID = "0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
"""The connection of `UNSYNCED_COMPANY_ID`."""

T = TypeVar("T")

_EPOCH = datetime(2022, 1, 1, tzinfo=timezone.utc)
_EPOCH_NAIVE = _EPOCH.replace(tzinfo=None)
_ATTACHMENT_CUSTOMERS = 24  # only early customers get files: seeding stays small and fast

_FIRST = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Rosie",
    "Sophia",
    "Grace",
    "Freya",
    "Emily",
    "Noah",
    "Oliver",
    "George",
    "Arthur",
    "Leo",
    "Muhammad",
    "Harry",
    "Oscar",
    "Archie",
    "Henry",
    "Theo",
    "Jack",
    "Charlie",
    "Thomas",
    "Jacob",
    "Aiko",
    "Mateo",
    "Priya",
    "Chen",
    "Fatima",
    "Lucas",
    "Zara",
    "Kwame",
    "Elena",
    "Tomasz",
    "Ines",
    "Ravi",
]
_LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Robinson",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Khan",
    "Nakamura",
    "Okafor",
    "Novak",
    "Silva",
    "Rossi",
    "Müller",
    "Dubois",
    "Kowalski",
    "Murphy",
    "O'Brien",
    "Singh",
    "Chen",
    "Garcia",
    "Andersen",
    "Haddad",
]
_WORDS = [
    "Acme",
    "Northwind",
    "Bluebell",
    "Harbour",
    "Summit",
    "Copper",
    "Willow",
    "Meridian",
    "Oakridge",
    "Riverside",
    "Falcon",
    "Granite",
    "Lantern",
    "Beacon",
    "Orchard",
    "Evergreen",
    "Silverline",
    "Kestrel",
    "Atlas",
    "Juniper",
    "Pioneer",
    "Ember",
    "Maple",
    "Horizon",
    "Cobalt",
    "Thistle",
    "Quarry",
    "Larkspur",
    "Brightwater",
    "Redwood",
]
_TRADES = [
    "Bakery",
    "Consulting",
    "Logistics",
    "Interiors",
    "Engineering",
    "Florists",
    "Print",
    "Studio",
    "Motors",
    "Catering",
    "Dental",
    "Builders",
    "Joinery",
    "Coffee",
    "Roasters",
    "Outdoor",
    "Supplies",
    "Analytics",
    "Brewing",
    "Textiles",
    "Plumbing",
    "Software",
    "Gardens",
    "Pharmacy",
    "Books",
    "Electrical",
]
_SUFFIXES = ("Ltd", "Limited", "LLC", "Inc.", "& Co", "Group", "Partners", "PLC", "")
_PLACES = (
    ("London", "Greater London", "United Kingdom", "GB", "GBP", "EC1A {n}BB"),
    ("Manchester", "Greater Manchester", "United Kingdom", "GB", "GBP", "M{n} 4AB"),
    ("Edinburgh", "Scotland", "United Kingdom", "GB", "GBP", "EH{n} 2QP"),
    ("New York", "NY", "United States", "US", "USD", "100{n:02d}"),
    ("Austin", "TX", "United States", "US", "USD", "787{n:02d}"),
    ("Toronto", "ON", "Canada", "CA", "CAD", "M5V {n}K2"),
    ("Sydney", "NSW", "Australia", "AU", "AUD", "20{n:02d}"),
    ("Auckland", "Auckland", "New Zealand", "NZ", "NZD", "10{n:02d}"),
    ("Dublin", "Leinster", "Ireland", "IE", "EUR", "D{n:02d} X2Y3"),
    ("Berlin", "Berlin", "Germany", "DE", "EUR", "101{n:02d}"),
    ("Paris", "Île-de-France", "France", "FR", "EUR", "750{n:02d}"),
    ("Cape Town", "Western Cape", "South Africa", "ZA", "ZAR", "80{n:02d}"),
)
_STREET_NAMES = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Main Street",
    "Park Avenue",
    "Mill Lane",
    "Queen Street",
    "King's Road",
    "Market Square",
    "Harbour Way",
    "Elm Grove",
)
_DIAL = {"GB": "+44", "US": "+1", "CA": "+1", "AU": "+61", "NZ": "+64", "IE": "+353"}
_DIAL_DEFAULT = "+49"


class SeedInfo(msgspec.Struct, kw_only=True):
    """Ids and counts of a seeded database, for tests and for the startup banner."""

    seed: int
    customers: int
    company_id: str
    connection_id: str
    unsynced_company_id: str
    unsynced_connection_id: str
    customer_id: str
    """A customer of `company_id` that has attachments."""
    attachment_ids: list[str]
    """The attachments of ``customer_id``."""
    more_companies: list[SeededCompany] = msgspec.field(default_factory=list)
    """Further companies seeded with customers of their own (``companies=N``)."""


class SeededCompany(msgspec.Struct, kw_only=True, rename="camel"):
    """A company added for scale tests: its connection and how many customers it holds."""

    company_id: str
    connection_id: str
    customers: int


def _uuid(rng: random.Random) -> str:
    # A version-4 UUID built from the seeded generator (uuid.uuid4 would use the OS's).
    value = rng.getrandbits(128)
    value = (value & ~(0xF000 << 64)) | (0x4000 << 64)
    value = (value & ~(0xC000 << 48)) | (0x8000 << 48)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


class _Draw:
    """Fast draws from a seeded generator (``random.choice``/``randrange`` cost 3x more)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low))


def _timestamp(seconds_after_epoch: int) -> str:
    return (_EPOCH_NAIVE + timedelta(seconds=seconds_after_epoch)).isoformat() + "Z"


def _customer_doc(draw: _Draw, index: int) -> dict[str, Any]:
    pick, between = draw.pick, draw.between
    first, last = pick(_FIRST), pick(_LAST)
    style = between(0, 4)
    if style == 0:
        name = f"{first} {last}"
    elif style == 1:
        name = f"{last} & {pick(_LAST)} {pick(_SUFFIXES)}".strip()
    else:
        name = f"{pick(_WORDS)} {pick(_TRADES)} {pick(_SUFFIXES)}".strip()
    city, region, country, code, currency, postcode = pick(_PLACES)
    dial = _DIAL.get(code, _DIAL_DEFAULT)
    domain = "".join(ch for ch in name.split(" ")[0].lower() if ch.isalnum()) or "example"
    email = f"{first.lower()}.{last.lower()}@{domain}.example".replace("'", "")
    phone = f"{dial} {between(100, 999)} {between(1000000, 9999999)}"
    address = {
        "type": "Billing",
        "line1": f"{between(1, 250)} {pick(_STREET_NAMES)}",
        "line2": pick((None, "", f"Unit {between(1, 40)}", "Floor 2")),
        "city": city,
        "region": region,
        "country": country,
        "postalCode": postcode.format(n=between(1, 99)),
    }
    addresses = [address]
    if draw.random() < 0.3:
        addresses.append({**address, "type": "Delivery", "line1": f"Warehouse {index % 17 + 1}"})
    contacts = []
    for _ in range(pick((0, 1, 1, 2))):
        contact_first, contact_last = pick(_FIRST), pick(_LAST)
        contacts.append(
            {
                "name": f"{contact_first} {contact_last}",
                "email": f"{contact_first.lower()}@{domain}.example",
                "phone": [
                    {
                        "number": f"{dial} {between(1000000000, 9999999999)}",
                        "type": pick(("Primary", "Mobile", "Landline", "Fax")),
                    }
                ],
                "address": address,
                "status": pick(("Active", "Active", "Active", "Archived")),
            }
        )
    roll = draw.random()
    status = "Active" if roll < 0.8 else "Archived" if roll < 0.95 else "Unknown"
    source_modified = between(0, 2 * 365 * 86400)
    modified = source_modified + between(60, 7 * 86400)
    doc: dict[str, Any] = {
        "id": _uuid(draw.rng),
        "customerName": name,
        "contactName": f"{first} {last}",
        "emailAddress": email,
        "defaultCurrency": currency,
        "phone": phone,
        "addresses": addresses,
        "contacts": contacts,
        "registrationNumber": f"{code}{between(10000000, 99999999)}",
        "taxNumber": f"{code}{between(100000000, 999999999)}",
        "status": status,
        "modifiedDate": _timestamp(modified),
        "sourceModifiedDate": _timestamp(source_modified),
    }
    # Some platforms send no metadata at all; a few records were deleted at the source.
    deleted_roll = draw.random()
    if deleted_roll < 0.08:
        doc["metadata"] = {"isDeleted": True}
    elif deleted_roll > 0.15:
        doc["metadata"] = {"isDeleted": False}
    return doc


def _attachment_files(
    rng: random.Random, customer_name: str, count: int
) -> Iterator[tuple[str, str, bytes]]:
    kinds = ("pdf", "png", "csv")
    for number in range(count):
        kind = kinds[number % 3]
        if kind == "pdf":
            yield (
                f"statement-{number + 1}.pdf",
                "application/pdf",
                pdf_file(f"Statement for {customer_name}", rng.randrange(5, 400)),
            )
        elif kind == "png":
            side = rng.choice((16, 64, 128, 256))
            yield f"logo-{number + 1}.png", "image/png", png_file(side, side, rng)
        else:
            yield (
                f"invoices-{number + 1}.csv",
                "text/csv",
                csv_file(rng.randrange(10, 1500), rng),
            )


def add_companies(
    store: Store, count: int, *, customers: int = 40, seed: int = 0
) -> list[SeededCompany]:
    """Add ``count`` companies, each with a connection and ``customers`` customers of its own.

    The same ``seed`` gives the same ids; use a seed not used before on this store (ids of
    one seed never repeat within it).
    """
    if count < 0 or customers < 0:
        raise ValueError("count and customers must not be negative")
    rng = random.Random(f"companies-{seed}")
    draw = _Draw(rng)
    encoder = msgspec.json.Encoder()
    added: list[SeededCompany] = []
    for number in range(count):
        company = SeededCompany(
            company_id=_uuid(rng), connection_id=_uuid(rng), customers=customers
        )
        store.add_company(company.company_id, f"Scale company {number + 1}")
        store.add_connection(company.connection_id, company.company_id, "Codat Sandbox")
        docs = (_customer_doc(draw, index) for index in range(customers))
        store.bulk_insert_customers(
            company.company_id, ((doc["id"], encoder.encode(doc)) for doc in docs)
        )
        added.append(company)
    return added


def seed_store(store: Store, *, seed: int = 0, customers: int = 40, companies: int = 0) -> SeedInfo:
    """Fill an empty store with the demo companies, ``customers`` customers and files.

    ``companies`` more companies get ``customers`` customers each (no attachments).
    """
    rng = random.Random(seed)
    store.add_company(DEMO_COMPANY_ID, "Toft stores")
    store.add_connection(DEMO_CONNECTION_ID, DEMO_COMPANY_ID, "Codat Sandbox")
    store.add_company(UNSYNCED_COMPANY_ID, "Never synced Ltd", customers_synced=False)
    store.add_connection(UNSYNCED_CONNECTION_ID, UNSYNCED_COMPANY_ID, "Codat Sandbox")

    draw = _Draw(rng)
    docs = [_customer_doc(draw, index) for index in range(max(customers, 1))]
    encoder = msgspec.json.Encoder()
    store.bulk_insert_customers(DEMO_COMPANY_ID, ((doc["id"], encoder.encode(doc)) for doc in docs))

    first_attachments: list[str] = []
    for index, doc in enumerate(docs[:_ATTACHMENT_CUSTOMERS]):
        # The first customer always has one file of each kind; then every third has some.
        if index != 0 and index % 3 != 0:
            continue
        count = 3 if index == 0 else rng.randrange(1, 4)
        for name, content_type, data in _attachment_files(rng, doc["customerName"], count):
            attachment_id = _uuid(rng)
            created = _EPOCH + timedelta(seconds=rng.randrange(0, 2 * 365 * 86400))
            meta = Attachment(
                id=attachment_id,
                name=name,
                content_type=content_type,
                file_size=len(data),
                include_when_sent=rng.random() < 0.5,
                date_created=format_utc(created),
                modified_date=format_utc(created),
                source_modified_date=format_utc(created),
            )
            store.add_attachment(
                DEMO_COMPANY_ID,
                doc["id"],
                attachment_id,
                name=name,
                content_type=content_type,
                doc=encoder.encode(meta),
                chunks=[data],
            )
            if index == 0:
                first_attachments.append(attachment_id)

    info = SeedInfo(
        seed=seed,
        customers=len(docs),
        company_id=DEMO_COMPANY_ID,
        connection_id=DEMO_CONNECTION_ID,
        unsynced_company_id=UNSYNCED_COMPANY_ID,
        unsynced_connection_id=UNSYNCED_CONNECTION_ID,
        customer_id=docs[0]["id"],
        attachment_ids=first_attachments,
        more_companies=add_companies(store, companies, customers=max(customers, 1), seed=seed),
    )
    store.set_meta("seed", encoder.encode(info).decode())
    return info


def load_seed_info(store: Store) -> SeedInfo | None:
    """The `SeedInfo` recorded when the store was seeded, if it was."""
    raw = store.get_meta("seed")
    return None if raw is None else msgspec.json.decode(raw, type=SeedInfo)
