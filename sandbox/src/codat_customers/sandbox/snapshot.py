"""Loading a company snapshot (written by ``codat-customers export-snapshot``) into a store.

A snapshot is JSON Lines, gzip-compressed when its name ends in ``.gz``: a header
``{"format": "codat-customers-snapshot", "version": 1, "companyId": ..., "connectionId":
...}``, then ``{"customer": {...}}`` lines and ``{"attachment": {...}, "customerId": ...}``
lines in the API's own JSON. The file is read twice, line by line (customers, then
attachments), so a snapshot of any size loads in flat memory. Attachments get placeholder
bytes of their recorded size (the pattern 0x00..0xFF), since a snapshot holds metadata only.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from .seed import (
    DEMO_CONNECTION_ID,
    UNSYNCED_COMPANY_ID,
    UNSYNCED_CONNECTION_ID,
    SeedInfo,
)
from .storage import CHUNK_SIZE, Store

__all__ = ["SNAPSHOT_FORMAT", "SnapshotError", "load_snapshot"]

SNAPSHOT_FORMAT = "codat-customers-snapshot"
"""The ``format`` named by a snapshot's first line."""
_VERSIONS = (1,)
_PATTERN = bytes(range(256)) * (CHUNK_SIZE // 256)


class SnapshotError(ValueError):
    """The file is not a snapshot this sandbox can load; the message says why and where."""


def _open(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz"):
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]  # a binary stream
    return path.open("rb")


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    decoder = msgspec.json.Decoder()
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = decoder.decode(line)
            except msgspec.DecodeError as exc:
                raise SnapshotError(f"{path}, line {number}: not JSON ({exc})") from None
            if not isinstance(value, dict):
                raise SnapshotError(f"{path}, line {number}: expected a JSON object")
            yield number, value


def _header(path: Path) -> dict[str, Any]:
    try:
        first = next(_lines(path), None)
    except (OSError, EOFError) as exc:
        raise SnapshotError(f"cannot read {path}: {exc}") from None
    if first is None or first[1].get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"{path} is not a codat-customers snapshot (no header line)")
    header = first[1]
    if header.get("version") not in _VERSIONS or not isinstance(header.get("companyId"), str):
        raise SnapshotError(f"{path}: unsupported snapshot header {header!r}")
    return header


def _placeholder(size: int) -> Iterator[bytes]:
    while size > 0:
        chunk = _PATTERN[: min(size, len(_PATTERN))]
        size -= len(chunk)
        yield chunk


class _Counted:
    customers = 0
    first = ""


def load_snapshot(store: Store, path: str | Path, *, seed: int = 0) -> SeedInfo:
    """Fill an empty store from the snapshot at ``path``; return what it holds.

    The snapshot's company gets its customers and attachments, and its connection (the
    demo connection id when the snapshot names none). The never-synced demo company is
    added too, as in a seeded sandbox. Raises `SnapshotError` for a file that is not a
    snapshot or has a malformed line.
    """
    path = Path(path)
    header = _header(path)
    company_id: str = header["companyId"]
    connection_id = header.get("connectionId") or DEMO_CONNECTION_ID
    store.add_company(company_id, f"Snapshot of {company_id}")
    store.add_connection(connection_id, company_id, "Snapshot")
    if company_id != UNSYNCED_COMPANY_ID:
        store.add_company(UNSYNCED_COMPANY_ID, "Never synced Ltd", customers_synced=False)
        store.add_connection(UNSYNCED_CONNECTION_ID, UNSYNCED_COMPANY_ID, "Codat Sandbox")

    encoder = msgspec.json.Encoder()
    counted = _Counted()

    def customers() -> Iterator[tuple[str, bytes]]:
        for number, line in itertools.islice(_lines(path), 1, None):
            doc = line.get("customer")
            if doc is None:
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                raise SnapshotError(f"{path}, line {number}: a customer needs a string id")
            counted.customers += 1
            counted.first = counted.first or doc["id"]
            yield doc["id"], encoder.encode(doc)

    store.bulk_insert_customers(company_id, customers())

    owners: dict[str, list[str]] = {}
    for number, line in itertools.islice(_lines(path), 1, None):
        meta = line.get("attachment")
        if meta is None:
            continue
        owner = line.get("customerId")
        if not isinstance(meta, dict) or not isinstance(meta.get("id"), str):
            raise SnapshotError(f"{path}, line {number}: an attachment needs a string id")
        if not isinstance(owner, str):
            raise SnapshotError(f"{path}, line {number}: an attachment needs its customerId")
        size = meta.get("fileSize")
        size = size if isinstance(size, int) and size >= 0 else 0
        store.add_attachment(
            company_id,
            owner,
            meta["id"],
            name=meta.get("name"),
            content_type=meta.get("contentType"),
            doc=encoder.encode({**meta, "fileSize": size}),
            chunks=_placeholder(size),
        )
        owners.setdefault(owner, []).append(meta["id"])

    customer_id = store.first_customer_with_attachments(company_id) or counted.first
    info = SeedInfo(
        seed=seed,
        customers=counted.customers,
        company_id=company_id,
        connection_id=connection_id,
        unsynced_company_id=UNSYNCED_COMPANY_ID,
        unsynced_connection_id=UNSYNCED_CONNECTION_ID,
        customer_id=customer_id,
        attachment_ids=owners.get(customer_id, []),
    )
    store.set_meta("seed", encoder.encode(info).decode())
    store.set_meta("snapshot", str(path))
    return info
