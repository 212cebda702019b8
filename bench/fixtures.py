"""Deterministic response bodies shared by every benchmark contender."""

from __future__ import annotations

import random

import msgspec

COMPANY_ID = "8a210b68-6988-11ed-a1eb-0242ac120002"

_FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia"]
_LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]
_CITIES = ["London", "Leeds", "Bristol", "Glasgow", "Cardiff", "Belfast", "York", "Bath"]


def customer(rng: random.Random, index: int) -> dict[str, object]:
    """One realistic customer document in wire form."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    city = rng.choice(_CITIES)
    return {
        "id": f"cust-{index:06d}",
        "customerName": f"{first} {last} Ltd",
        "contactName": f"{first} {last}",
        "emailAddress": f"{first.lower()}.{last.lower()}@example.com",
        "defaultCurrency": rng.choice(["GBP", "EUR", "USD"]),
        "phone": f"+44 20 7{rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
        "addresses": [
            {
                "type": "Billing",
                "line1": f"{rng.randrange(1, 200)} High Street",
                "line2": None,
                "city": city,
                "region": None,
                "country": "United Kingdom",
                "postalCode": f"AB{rng.randrange(1, 99)} {rng.randrange(1, 9)}CD",
            }
        ],
        "contacts": [
            {
                "name": f"{first} {last}",
                "email": f"{first.lower()}@example.com",
                "phone": [{"number": "+44 1632 960000", "type": "Primary"}],
                "address": {"type": "Delivery", "city": city, "country": "United Kingdom"},
                "status": "Active",
                "modifiedDate": "2024-01-02T03:04:05Z",
            }
        ],
        "registrationNumber": f"RC{rng.randrange(100000, 999999)}",
        "taxNumber": f"GB{rng.randrange(100000000, 999999999)}",
        "status": rng.choice(["Active", "Active", "Archived"]),
        "metadata": {"isDeleted": False},
        "supplementalData": {"content": {}},
        "modifiedDate": "2024-01-02T03:04:05Z",
        "sourceModifiedDate": "2024-01-01T00:00:00Z",
    }


def customers_page(count: int, seed: int = 7) -> bytes:
    """The JSON body of a list page holding ``count`` customers."""
    rng = random.Random(seed)
    path = f"/companies/{COMPANY_ID}/data/customers"
    page = {
        "results": [customer(rng, i) for i in range(count)],
        "pageNumber": 1,
        "pageSize": max(count, 1),
        "totalResults": count,
        "_links": {"self": {"href": path}, "current": {"href": f"{path}?page=1"}},
    }
    return msgspec.json.encode(page)


def one_customer(seed: int = 7) -> bytes:
    """The JSON body of a single customer."""
    return msgspec.json.encode(customer(random.Random(seed), 1))
