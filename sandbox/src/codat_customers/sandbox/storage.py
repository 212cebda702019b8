"""SQLite storage of the sandbox: companies, connections, customers, attachments, push
operations and idempotency records.

Customers are stored as their full JSON documents; filtering and ordering run in SQL through
JSON1's ``json_extract``, with expression indexes on the fields lists usually filter or sort
by. Each customer is also kept as the bytes a list page carries (``wire``: the document
decoded as a ``Customer`` and encoded again), made once when it is written, so that a page
of 5,000 is a join of stored bytes instead of 5,000 decodes and an encode.

Attachment bytes are stored in chunk rows of at most ``CHUNK_SIZE`` bytes: a download then
reads one chunk at a time, and a file can exceed SQLite's 1 GB limit on one value.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec
from codat_customers.core.models import Customer

from .query import CUSTOMER_COLUMNS, CompiledSql, json_expr

__all__ = [
    "CHUNK_SIZE",
    "AttachmentRow",
    "CompanyRow",
    "IdempotencyRecord",
    "Store",
    "wire_form",
]

CHUNK_SIZE = 1024 * 1024
"""Bytes per stored attachment chunk, and per chunk of a download."""

_GENERATED = ",\n".join(
    f"    {column} GENERATED ALWAYS AS ({json_expr(path)}) STORED"
    for path, column in CUSTOMER_COLUMNS.items()
    if column != "id"
)

# Secondary indexes of customers; dropped and rebuilt around a bulk load into an empty
# table, which is several times faster than maintaining them row by row.
_CUSTOMER_INDEXES = {
    "customers_company": "company_id",
    "customers_id_nocase": "company_id, id COLLATE NOCASE",
    "customers_name": "company_id, customer_name COLLATE NOCASE",
    "customers_status": "company_id, status COLLATE NOCASE, is_deleted",
    "customers_modified": "company_id, modified_date",
    "customers_deleted": "company_id, is_deleted",
}

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS companies (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    customers_synced INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS connections (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    platform TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS customers (
    seq INTEGER PRIMARY KEY,
    company_id TEXT NOT NULL,
    id TEXT NOT NULL,
{_GENERATED},
    doc TEXT NOT NULL,
    wire BLOB,
    UNIQUE (company_id, id)
);
CREATE TABLE IF NOT EXISTS attachments (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    name TEXT,
    content_type TEXT,
    file_size INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attachments_customer ON attachments (company_id, customer_id);
CREATE TABLE IF NOT EXISTS attachment_chunks (
    attachment_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (attachment_id, seq)
);
CREATE TABLE IF NOT EXISTS push_operations (
    key TEXT PRIMARY KEY,
    company_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS push_operations_company ON push_operations (company_id);
CREATE TABLE IF NOT EXISTS pending_pushes (
    key TEXT PRIMARY KEY,
    due_at REAL NOT NULL,
    plan TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_pushes_due ON pending_pushes (due_at);
CREATE TABLE IF NOT EXISTS unsynced_writes (
    seq INTEGER PRIMARY KEY,
    company_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    visible_at REAL,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    in_flight INTEGER NOT NULL,
    created_at REAL NOT NULL,
    status INTEGER,
    content_type TEXT,
    body BLOB
);
CREATE TABLE IF NOT EXISTS sandbox_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_CUSTOMER = msgspec.json.Decoder(Customer)
_ENCODER = msgspec.json.Encoder()


def wire_form(doc: bytes | str) -> bytes | None:
    """A customer document as list pages carry it, or ``None`` if it is not a Customer.

    That is the document decoded as a ``Customer`` and encoded again: the model's field
    order, unknown properties dropped. ``None`` (possible only for a document loaded from a
    snapshot) leaves the decoding, and its error, to the request that lists the customer.
    """
    try:
        return _ENCODER.encode(_CUSTOMER.decode(doc))
    except msgspec.DecodeError:
        return None


@dataclass(frozen=True)
class CompanyRow:
    """A company and whether its customers dataset has been synced."""

    id: str
    name: str
    customers_synced: bool


@dataclass(frozen=True)
class AttachmentRow:
    """An attachment's stored metadata (``doc`` is its Attachment JSON)."""

    id: str
    name: str | None
    content_type: str | None
    file_size: int
    doc: bytes


@dataclass(frozen=True)
class IdempotencyRecord:
    """What is remembered for an Idempotency-Key."""

    fingerprint: str
    in_flight: bool
    created_at: float
    status: int | None
    content_type: str | None
    body: bytes | None


class Store:
    """The sandbox's database. Safe to share between threads: calls are serialised.

    ``path=None`` makes a fresh database in a temporary directory, removed by `close`.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self._tempdir: str | None = None
        if path is None:
            self._tempdir = tempfile.mkdtemp(prefix="codat-sandbox-")
            path = Path(self._tempdir) / "sandbox.db"
            # An app made by create_app() may never be closed: remove its files at exit.
            weakref.finalize(self, shutil.rmtree, self._tempdir, True)
        self.path = Path(path)
        self._lock = threading.RLock()
        # isolation_level=None: transactions are explicit, so a bulk seed is one transaction.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute("PRAGMA cache_size=-65536")
        self._db.execute("PRAGMA mmap_size=1073741824")
        self._db.executescript(_SCHEMA)
        self._add_wire_column()
        self._create_customer_indexes()

    def _has_wire_column(self) -> bool:
        return any(row[1] == "wire" for row in self._db.execute("PRAGMA table_xinfo(customers)"))

    def _add_wire_column(self) -> None:
        # A database written before list pages were assembled from stored bytes: add the
        # column and fill it once, in one transaction. Checked again inside it, so that two
        # processes opening the same old file cannot both add it.
        if self._has_wire_column():
            return
        with self._transaction():
            if self._has_wire_column():
                return
            self._db.execute("ALTER TABLE customers ADD COLUMN wire BLOB")
            rows = self._db.execute("SELECT seq, doc FROM customers").fetchall()
            self._db.executemany(
                "UPDATE customers SET wire = ? WHERE seq = ?",
                ((wire_form(doc), seq) for seq, doc in rows),
            )

    def _create_customer_indexes(self) -> None:
        for name, columns in _CUSTOMER_INDEXES.items():
            self._db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON customers ({columns})")

    def close(self) -> None:
        """Close the database; a temporary one is deleted."""
        with self._lock:
            self._db.close()
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None

    # --- metadata ----------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """Read a sandbox metadata value."""
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM sandbox_meta WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Write a sandbox metadata value."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO sandbox_meta (key, value) VALUES (?, ?)", (key, value)
            )

    def is_empty(self) -> bool:
        """Whether no company exists yet (a new database)."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM companies LIMIT 1").fetchone() is None

    # --- companies and connections -----------------------------------------------------

    def add_company(self, company_id: str, name: str, *, customers_synced: bool = True) -> None:
        """Create a company."""
        with self._lock:
            self._db.execute(
                "INSERT INTO companies (id, name, customers_synced) VALUES (?, ?, ?)",
                (company_id, name, int(customers_synced)),
            )

    def add_connection(self, connection_id: str, company_id: str, platform: str) -> None:
        """Create a data connection of a company."""
        with self._lock:
            self._db.execute(
                "INSERT INTO connections (id, company_id, platform) VALUES (?, ?, ?)",
                (connection_id, company_id, platform),
            )

    def company(self, company_id: str) -> CompanyRow | None:
        """Find a company."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, customers_synced FROM companies WHERE id = ?", (company_id,)
            ).fetchone()
        return None if row is None else CompanyRow(row[0], row[1], bool(row[2]))

    def count_companies(self) -> int:
        """How many companies exist."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM companies").fetchone()[0])

    def connection_platform(self, company_id: str, connection_id: str) -> str | None:
        """The platform of a company's connection, or ``None`` if it has no such connection."""
        with self._lock:
            row = self._db.execute(
                "SELECT platform FROM connections WHERE id = ? AND company_id = ?",
                (connection_id, company_id),
            ).fetchone()
        return None if row is None else str(row[0])

    # --- customers ---------------------------------------------------------------------

    def get_customer(self, company_id: str, customer_id: str) -> bytes | None:
        """A customer's stored JSON document."""
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM customers WHERE company_id = ? AND id = ?",
                (company_id, customer_id),
            ).fetchone()
        return None if row is None else str(row[0]).encode()

    def list_customers(
        self,
        company_id: str,
        where: CompiledSql | None,
        order_by: str | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list[bytes]]:
        """Count the customers matching ``where`` and return one page of them, in `wire_form`.

        ``order_by`` must come from `query.compile_order`; ties (and no order) fall back to
        insertion order so that paging is stable.
        """
        condition = "company_id = ?"
        params: tuple[object, ...] = (company_id,)
        if where is not None:
            condition += f" AND {where.sql}"
            params += where.params
        order = f"{order_by}, seq" if order_by else "seq"
        with self._lock:
            total = int(
                self._db.execute(
                    f"SELECT count(*) FROM customers WHERE {condition}", params
                ).fetchone()[0]
            )
            # Find the page's rows first and read their documents after: OFFSET then steps
            # over index entries (or the small generated columns), not over the documents
            # of every earlier page.
            seqs = [
                row[0]
                for row in self._db.execute(
                    f"SELECT seq FROM customers WHERE {condition} "
                    f"ORDER BY {order} LIMIT ? OFFSET ?",
                    (*params, limit, offset),
                )
            ]
            by_seq: dict[int, bytes | None] = dict(
                self._db.execute(
                    "SELECT seq, wire FROM customers WHERE seq IN (SELECT value FROM json_each(?))",
                    (_ENCODER.encode(seqs).decode(),),
                ).fetchall()
            )
            for seq, wire in by_seq.items():
                if wire is None:
                    by_seq[seq] = self._wire_of_doc(seq)
        return total, [by_seq[seq] or b"" for seq in seqs]

    def _wire_of_doc(self, seq: int) -> bytes:
        # A row without its wire form fails here, as every list of it did before wire existed.
        doc = self._db.execute("SELECT doc FROM customers WHERE seq = ?", (seq,)).fetchone()[0]
        return _ENCODER.encode(_CUSTOMER.decode(doc))

    def insert_customer(self, company_id: str, customer_id: str, doc: bytes) -> None:
        """Store a new customer."""
        with self._lock:
            self._db.execute(
                "INSERT INTO customers (company_id, id, doc, wire) VALUES (?, ?, ?, ?)",
                (company_id, customer_id, doc.decode(), wire_form(doc)),
            )

    def replace_customer(self, company_id: str, customer_id: str, doc: bytes) -> None:
        """Overwrite an existing customer's document."""
        with self._lock:
            self._db.execute(
                "UPDATE customers SET doc = ?, wire = ? WHERE company_id = ? AND id = ?",
                (doc.decode(), wire_form(doc), company_id, customer_id),
            )

    def bulk_insert_customers(self, company_id: str, docs: Iterable[tuple[str, bytes]]) -> None:
        """Store many ``(id, document)`` pairs in one transaction."""
        with self._lock, self._transaction():
            empty = self._db.execute("SELECT 1 FROM customers LIMIT 1").fetchone() is None
            if empty:
                for name in _CUSTOMER_INDEXES:
                    self._db.execute(f"DROP INDEX IF EXISTS {name}")
            self._db.executemany(
                "INSERT INTO customers (company_id, id, doc, wire) VALUES (?, ?, ?, ?)",
                (
                    (company_id, customer_id, doc.decode(), wire_form(doc))
                    for customer_id, doc in docs
                ),
            )
            if empty:
                self._create_customer_indexes()
                self._db.execute("ANALYZE customers")

    def first_customer_with_attachments(self, company_id: str) -> str | None:
        """The earliest-stored customer of a company that has an attachment."""
        with self._lock:
            row = self._db.execute(
                "SELECT c.id FROM customers c WHERE c.company_id = ? AND EXISTS ("
                "SELECT 1 FROM attachments a WHERE a.company_id = c.company_id "
                "AND a.customer_id = c.id) ORDER BY c.seq LIMIT 1",
                (company_id,),
            ).fetchone()
        return None if row is None else str(row[0])

    # --- attachments -------------------------------------------------------------------

    def add_attachment(
        self,
        company_id: str,
        customer_id: str,
        attachment_id: str,
        *,
        name: str | None,
        content_type: str | None,
        doc: bytes,
        chunks: Iterable[bytes],
    ) -> tuple[int, str]:
        """Store an attachment from an iterable of byte chunks; returns (size, sha256).

        Chunks are re-cut to `CHUNK_SIZE` and written as they arrive, so the file is never
        held in memory whole.
        """
        # A file of gigabytes takes a while to write. It goes through its own connection, a
        # few chunks per transaction, so that requests served meanwhile neither wait for the
        # shared connection nor hit a long-held write lock; the attachment row comes last,
        # so a half-written file is never listed.
        digest = hashlib.sha256()
        size = 0
        seq = 0
        pending = bytearray()
        writer = sqlite3.connect(self.path, isolation_level=None)
        try:
            writer.execute("PRAGMA busy_timeout=5000")
            writer.execute("PRAGMA synchronous=NORMAL")
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                pending += chunk
                while len(pending) >= CHUNK_SIZE:
                    _write_chunk(writer, attachment_id, seq, bytes(pending[:CHUNK_SIZE]))
                    del pending[:CHUNK_SIZE]
                    seq += 1
            if pending or seq == 0:
                _write_chunk(writer, attachment_id, seq, bytes(pending))
            writer.execute(
                "INSERT INTO attachments "
                "(id, company_id, customer_id, name, content_type, file_size, doc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (attachment_id, company_id, customer_id, name, content_type, size, doc.decode()),
            )
        except BaseException:
            writer.execute(
                "DELETE FROM attachment_chunks WHERE attachment_id = ?", (attachment_id,)
            )
            raise
        finally:
            writer.close()
        return size, digest.hexdigest()

    def list_attachments(self, company_id: str, customer_id: str) -> list[bytes]:
        """The Attachment documents of a customer."""
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM attachments WHERE company_id = ? AND customer_id = ? "
                "ORDER BY rowid",
                (company_id, customer_id),
            ).fetchall()
        return [str(row[0]).encode() for row in rows]

    def attachment(
        self, company_id: str, customer_id: str, attachment_id: str
    ) -> AttachmentRow | None:
        """Find one attachment of a customer."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, content_type, file_size, doc FROM attachments "
                "WHERE company_id = ? AND customer_id = ? AND id = ?",
                (company_id, customer_id, attachment_id),
            ).fetchone()
        if row is None:
            return None
        return AttachmentRow(row[0], row[1], row[2], int(row[3]), str(row[4]).encode())

    def attachment_chunk(self, attachment_id: str, seq: int) -> bytes | None:
        """One stored chunk of an attachment's bytes, ``None`` past the last."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM attachment_chunks WHERE attachment_id = ? AND seq = ?",
                (attachment_id, seq),
            ).fetchone()
        return None if row is None else bytes(row[0])

    def iter_attachment(self, attachment_id: str) -> Iterator[bytes]:
        """The bytes of an attachment, one stored chunk at a time."""
        seq = 0
        while (chunk := self.attachment_chunk(attachment_id, seq)) is not None:
            if chunk:
                yield chunk
            seq += 1

    # --- push operations ---------------------------------------------------------------

    def add_push_operation(
        self, key: str, company_id: str, connection_id: str, requested_on: str, doc: bytes
    ) -> None:
        """Record a push operation."""
        with self._lock:
            self._db.execute(
                "INSERT INTO push_operations (key, company_id, connection_id, requested_on, doc) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, company_id, connection_id, requested_on, doc.decode()),
            )

    def push_operations(self, company_id: str) -> list[bytes]:
        """A company's push operations, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM push_operations WHERE company_id = ? ORDER BY rowid",
                (company_id,),
            ).fetchall()
        return [str(row[0]).encode() for row in rows]

    def push_operation(self, company_id: str, key: str) -> bytes | None:
        """One push operation of a company, or ``None``."""
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM push_operations WHERE key = ? AND company_id = ?",
                (key, company_id),
            ).fetchone()
        return None if row is None else str(row[0]).encode()

    def replace_push_operation(self, key: str, doc: bytes) -> None:
        """Overwrite a push operation's document (when it completes)."""
        with self._lock:
            self._db.execute(
                "UPDATE push_operations SET doc = ? WHERE key = ?", (doc.decode(), key)
            )

    def list_push_operations(
        self,
        company_id: str,
        where: CompiledSql | None,
        order_by: str | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list[bytes]]:
        """Count a company's push operations matching ``where`` and return one page.

        Ties (and no order) fall back to the order they were requested in.
        """
        condition = "company_id = ?"
        params: tuple[object, ...] = (company_id,)
        if where is not None:
            condition += f" AND {where.sql}"
            params += where.params
        order = f"{order_by}, rowid" if order_by else "rowid"
        with self._lock:
            total = int(
                self._db.execute(
                    f"SELECT count(*) FROM push_operations WHERE {condition}", params
                ).fetchone()[0]
            )
            rows = self._db.execute(
                f"SELECT doc FROM push_operations WHERE {condition} "
                f"ORDER BY {order} LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return total, [str(row[0]).encode() for row in rows]

    # --- writes that complete later (push mode "async") and await a sync --------------

    def add_pending_push(self, key: str, due_at: float, plan: bytes) -> None:
        """Remember a push that completes at ``due_at`` (seconds since the epoch)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO pending_pushes (key, due_at, plan) VALUES (?, ?, ?)",
                (key, due_at, plan.decode()),
            )

    def take_due_pushes(self, now: float) -> list[tuple[str, float, bytes]]:
        """Remove and return the pending pushes due by ``now``, earliest first.

        Called before every request: without due pushes it is one indexed read, no write.
        """
        with self._lock:
            rows = self._db.execute(
                "SELECT key, due_at, plan FROM pending_pushes WHERE due_at <= ? "
                "ORDER BY due_at, rowid",
                (now,),
            ).fetchall()
            if rows:
                with self._transaction():
                    self._db.executemany(
                        "DELETE FROM pending_pushes WHERE key = ?", [(row[0],) for row in rows]
                    )
        return [(str(row[0]), float(row[1]), str(row[2]).encode()) for row in rows]

    def add_unsynced_write(
        self, company_id: str, customer_id: str, visible_at: float | None, doc: bytes
    ) -> None:
        """A landed write that list and get show only after the next sync."""
        with self._lock:
            self._db.execute(
                "INSERT INTO unsynced_writes (company_id, customer_id, visible_at, doc) "
                "VALUES (?, ?, ?, ?)",
                (company_id, customer_id, visible_at, doc.decode()),
            )

    def sync_writes(self, now: float | None) -> int:
        """Apply the landed writes visible by ``now`` (all if ``None``); how many.

        Called before every request: without such writes it is one read, no write.
        """
        with self._lock:
            if self._db.execute("SELECT 1 FROM unsynced_writes LIMIT 1").fetchone() is None:
                return 0
            return self._apply_writes(now)

    def _apply_writes(self, now: float | None) -> int:
        with self._transaction():
            if now is None:
                rows = self._db.execute(
                    "SELECT seq, company_id, customer_id, doc FROM unsynced_writes ORDER BY seq"
                ).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT seq, company_id, customer_id, doc FROM unsynced_writes "
                    "WHERE visible_at IS NOT NULL AND visible_at <= ? ORDER BY seq",
                    (now,),
                ).fetchall()
            for seq, company_id, customer_id, doc in rows:
                self._db.execute(
                    "INSERT INTO customers (company_id, id, doc, wire) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (company_id, id) DO UPDATE "
                    "SET doc = excluded.doc, wire = excluded.wire",
                    (company_id, customer_id, doc, wire_form(doc)),
                )
                self._db.execute("DELETE FROM unsynced_writes WHERE seq = ?", (seq,))
        return len(rows)

    def count_unsynced_writes(self) -> int:
        """How many landed writes wait for a sync."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM unsynced_writes").fetchone()[0])

    # --- idempotency -------------------------------------------------------------------

    def claim_idempotency_key(
        self, key: str, fingerprint: str, now: float, ttl: float
    ) -> IdempotencyRecord | None:
        """Claim a key for a new request, or return what is remembered for it.

        Returns ``None`` when the caller now owns the key (it was unknown or expired) and
        must `remember_response` or `release_idempotency_key`.
        """
        with self._lock, self._transaction():
            row = self._db.execute(
                "SELECT fingerprint, in_flight, created_at, status, content_type, body "
                "FROM idempotency WHERE key = ?",
                (key,),
            ).fetchone()
            if row is not None and float(row[2]) + ttl > now:
                return IdempotencyRecord(
                    row[0],
                    bool(row[1]),
                    float(row[2]),
                    row[3],
                    row[4],
                    None if row[5] is None else bytes(row[5]),
                )
            self._db.execute(
                "INSERT OR REPLACE INTO idempotency "
                "(key, fingerprint, in_flight, created_at) VALUES (?, ?, 1, ?)",
                (key, fingerprint, now),
            )
        return None

    def remember_response(self, key: str, status: int, content_type: str, body: bytes) -> None:
        """Store the response to replay for a claimed key."""
        with self._lock:
            self._db.execute(
                "UPDATE idempotency SET in_flight = 0, status = ?, content_type = ?, body = ? "
                "WHERE key = ?",
                (status, content_type, body, key),
            )

    def release_idempotency_key(self, key: str) -> None:
        """Forget a claimed key, so that a retry is processed afresh."""
        with self._lock:
            self._db.execute("DELETE FROM idempotency WHERE key = ?", (key,))

    # -----------------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


def _write_chunk(db: sqlite3.Connection, attachment_id: str, seq: int, data: bytes) -> None:
    db.execute(
        "INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES (?, ?, ?)",
        (attachment_id, seq, data),
    )


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
