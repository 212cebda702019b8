"""Codat's query language and ``orderBy``, compiled to parameterised SQL over JSON documents.

Grammar (from the behaviour reference; ``&&`` binds tighter than ``||``)::

    query  = or ;
    or     = and { "||" and } ;
    and    = term { "&&" term } ;
    term   = "{" or "}" | clause ;
    clause = path op value ;
    path   = name { "." name } ;
    op     = "!=" | ">=" | "<=" | "=" | "~" | ">" | "<" ;
    value  = text up to "&&", "||", "}" or the end, trimmed ;

Values are always bound as SQL parameters. Property paths are never taken from the user as
text: each is looked up in a table of known fields and the canonical JSON path from that
table is what reaches the SQL, which is also what lets SQLite use its expression indexes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from .clock import normalise_datetime

__all__ = [
    "CUSTOMER_COLUMNS",
    "CUSTOMER_FIELDS",
    "PUSH_OPERATION_FIELDS",
    "MAX_QUERY_LENGTH",
    "And",
    "Clause",
    "CompiledSql",
    "FieldKind",
    "Node",
    "Or",
    "QueryError",
    "UnknownPropertyError",
    "compile_order",
    "compile_query",
    "column_expr",
    "json_expr",
    "parse_query",
]

MAX_QUERY_LENGTH = 2048
"""Queries of this many characters or more are refused, as Codat does."""


class FieldKind(enum.Enum):
    """How values of a field compare."""

    STRING = "string"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    NUMBER = "number"


CUSTOMER_FIELDS: Mapping[str, FieldKind] = {
    "id": FieldKind.STRING,
    "customerName": FieldKind.STRING,
    "contactName": FieldKind.STRING,
    "emailAddress": FieldKind.STRING,
    "defaultCurrency": FieldKind.STRING,
    "phone": FieldKind.STRING,
    "registrationNumber": FieldKind.STRING,
    "taxNumber": FieldKind.STRING,
    "status": FieldKind.STRING,
    "metadata.isDeleted": FieldKind.BOOLEAN,
    "modifiedDate": FieldKind.DATETIME,
    "sourceModifiedDate": FieldKind.DATETIME,
}
"""The queryable scalar paths of a Customer; arrays and supplemental data are not."""

CUSTOMER_COLUMNS: Mapping[str, str] = {
    "id": "id",
    "customerName": "customer_name",
    "contactName": "contact_name",
    "emailAddress": "email_address",
    "defaultCurrency": "default_currency",
    "phone": "phone",
    "registrationNumber": "registration_number",
    "taxNumber": "tax_number",
    "status": "status",
    "metadata.isDeleted": "is_deleted",
    "modifiedDate": "modified_date",
    "sourceModifiedDate": "source_modified_date",
}
"""Columns of the customers table holding each queryable field.

Apart from ``id`` they are STORED generated columns computed by ``json_extract`` when a
row is written: a filter then reads a few small values per row instead of parsing every
JSON document again, which is what keeps counting 1,000,000 rows fast.
"""

PUSH_OPERATION_FIELDS: Mapping[str, FieldKind] = {
    "pushOperationKey": FieldKind.STRING,
    "companyId": FieldKind.STRING,
    "dataConnectionKey": FieldKind.STRING,
    "dataType": FieldKind.STRING,
    "status": FieldKind.STRING,
    "statusCode": FieldKind.NUMBER,
    "requestedOnUtc": FieldKind.DATETIME,
    "completedOnUtc": FieldKind.DATETIME,
    "timeoutInMinutes": FieldKind.NUMBER,
    "errorMessage": FieldKind.STRING,
}
"""The queryable scalar paths of a PushOperation (all read from its JSON document)."""

_ALLOWED_OPS: Mapping[FieldKind, frozenset[str]] = {
    FieldKind.STRING: frozenset({"=", "!=", "~"}),
    FieldKind.DATETIME: frozenset({"=", "!=", ">", "<", ">=", "<="}),
    FieldKind.NUMBER: frozenset({"=", "!=", ">", "<", ">=", "<="}),
    FieldKind.BOOLEAN: frozenset({"=", "!="}),
}

# Longest first, so that ">=" is not read as ">" followed by a value "=...".
_OPERATORS = ("!=", ">=", "<=", "=", "~", ">", "<")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class QueryError(ValueError):
    """A query or orderBy that cannot be parsed; ``position`` is 1-based."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class UnknownPropertyError(QueryError):
    """A path that names no queryable property."""


@dataclass(frozen=True)
class Clause:
    """``path op value``; ``position`` is where the path starts (1-based)."""

    path: str
    op: str
    value: str
    position: int


@dataclass(frozen=True)
class And:
    """All of ``terms`` hold."""

    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Any of ``terms`` holds."""

    terms: tuple[Node, ...]


Node = Clause | And | Or
"""A parsed query."""


@dataclass(frozen=True)
class CompiledSql:
    """A SQL fragment and the parameters its ``?`` placeholders take, in order."""

    sql: str
    params: tuple[object, ...]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, expected: str) -> QueryError:
        near = self.text[self.pos : self.pos + 15]
        where = f"'{near}'" if near else "the end of the query"
        return QueryError(
            f"Malformed query. Expected {expected} at position {self.pos + 1}, found {where}.",
            self.pos + 1,
        )

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def parse(self) -> Node:
        node = self.parse_or()
        self.skip_spaces()
        if self.pos < len(self.text):
            raise self.fail("'&&', '||' or the end of the query")
        return node

    def parse_or(self) -> Node:
        terms = [self.parse_and()]
        while True:
            self.skip_spaces()
            if not self.at("||"):
                break
            self.pos += 2
            terms.append(self.parse_and())
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def parse_and(self) -> Node:
        terms = [self.parse_term()]
        while True:
            self.skip_spaces()
            if not self.at("&&"):
                break
            self.pos += 2
            terms.append(self.parse_term())
        return terms[0] if len(terms) == 1 else And(tuple(terms))

    def parse_term(self) -> Node:
        self.skip_spaces()
        if self.at("{"):
            self.pos += 1
            node = self.parse_or()
            self.skip_spaces()
            if not self.at("}"):
                raise self.fail("'}'")
            self.pos += 1
            return node
        return self.parse_clause()

    def parse_clause(self) -> Clause:
        start = self.pos
        path = self.parse_path()
        self.skip_spaces()
        op = next((candidate for candidate in _OPERATORS if self.at(candidate)), None)
        if op is None:
            raise self.fail("an operator (=, !=, ~, >, <, >=, <=)")
        self.pos += len(op)
        value_start = self.pos
        while self.pos < len(self.text) and not (self.at("&&") or self.at("||") or self.at("}")):
            self.pos += 1
        value = self.text[value_start : self.pos].strip()
        if not value:
            self.pos = value_start
            raise self.fail("a value")
        return Clause(path=path, op=op, value=value, position=start + 1)

    def parse_path(self) -> str:
        names = [self.parse_name()]
        while self.at("."):
            self.pos += 1
            names.append(self.parse_name())
        return ".".join(names)

    def parse_name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _NAME_CHARS:
            self.pos += 1
        if self.pos == start:
            raise self.fail("a property name")
        return self.text[start : self.pos]


def parse_query(text: str) -> Node:
    """Parse a Codat query; raises `QueryError` saying where it went wrong."""
    if len(text) >= MAX_QUERY_LENGTH:
        raise QueryError(
            f"Malformed query. A query must be shorter than {MAX_QUERY_LENGTH} characters; "
            f"this one has {len(text)}."
        )
    return _Parser(text).parse()


def json_expr(path: str) -> str:
    """The SQL expression reading a canonical field path out of the ``doc`` column."""
    return f"json_extract(doc, '$.{path}')"


def column_expr(path: str, columns: Mapping[str, str] = CUSTOMER_COLUMNS) -> str:
    """The SQL expression for a canonical field path: its column, or ``json_expr``."""
    return columns.get(path) or json_expr(path)


def _resolve(path: str, fields: Mapping[str, FieldKind]) -> tuple[str, FieldKind]:
    # Codat resolves property names without regard to case (it is a .NET service).
    wanted = path.casefold()
    for name, kind in fields.items():
        if name.casefold() == wanted:
            return name, kind
    raise UnknownPropertyError(f"Could not resolve property {path} on Dataset")


def _compile_clause(
    clause: Clause, fields: Mapping[str, FieldKind], columns: Mapping[str, str]
) -> CompiledSql:
    name, kind = _resolve(clause.path, fields)
    if clause.op not in _ALLOWED_OPS[kind]:
        raise QueryError(
            f"Malformed query. Operator '{clause.op}' cannot be used with {kind.value} "
            f"property {name} (position {clause.position}).",
            clause.position,
        )
    column = column_expr(name, columns)
    value: object
    if kind is FieldKind.STRING:
        if clause.op == "~":
            escaped = clause.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            return CompiledSql(f"{column} LIKE ? ESCAPE '\\'", (f"%{escaped}%",))
        return _equality(column, clause.op, clause.value, " COLLATE NOCASE")
    if kind is FieldKind.BOOLEAN:
        lowered = clause.value.casefold()
        if lowered not in ("true", "false"):
            raise QueryError(
                f"Malformed query. '{clause.value}' is not a boolean "
                f"(position {clause.position}); use true or false.",
                clause.position,
            )
        return _equality(column, clause.op, 1 if lowered == "true" else 0, "")
    if kind is FieldKind.DATETIME:
        normalised = normalise_datetime(clause.value)
        if normalised is None:
            raise QueryError(
                f"Malformed query. '{clause.value}' is not a date (position {clause.position}); "
                "use YYYY-MM-DD or an ISO 8601 datetime.",
                clause.position,
            )
        value = normalised
    else:
        try:
            value = float(clause.value)
        except ValueError:
            raise QueryError(
                f"Malformed query. '{clause.value}' is not a number (position {clause.position}).",
                clause.position,
            ) from None
    if clause.op in ("=", "!="):
        return _equality(column, clause.op, value, "")
    return CompiledSql(f"{column} {clause.op} ?", (value,))


def _equality(column: str, op: str, value: object, collation: str) -> CompiledSql:
    if op == "=":
        return CompiledSql(f"{column} = ?{collation}", (value,))
    # A missing or null property is "not equal": `metadata.isDeleted!=true` must keep the
    # records that carry no metadata at all.
    return CompiledSql(f"({column} IS NULL OR {column} <> ?{collation})", (value,))


def _compile_node(
    node: Node, fields: Mapping[str, FieldKind], columns: Mapping[str, str]
) -> CompiledSql:
    if isinstance(node, Clause):
        return _compile_clause(node, fields, columns)
    joiner = " AND " if isinstance(node, And) else " OR "
    parts = [_compile_node(term, fields, columns) for term in node.terms]
    return CompiledSql(
        "(" + joiner.join(part.sql for part in parts) + ")",
        tuple(param for part in parts for param in part.params),
    )


def compile_query(
    text: str,
    fields: Mapping[str, FieldKind] = CUSTOMER_FIELDS,
    columns: Mapping[str, str] = CUSTOMER_COLUMNS,
) -> CompiledSql:
    """Compile a Codat query to a SQL boolean expression over the ``doc`` column.

    ``fields`` are the queryable paths and ``columns`` the ones stored in a column of their
    own (the rest are read from the JSON document).
    """
    return _compile_node(parse_query(text), fields, columns)


def compile_order(
    text: str,
    fields: Mapping[str, FieldKind] = CUSTOMER_FIELDS,
    columns: Mapping[str, str] = CUSTOMER_COLUMNS,
) -> str:
    """Compile ``orderBy`` (comma-separated paths, ``-`` for descending) to ORDER BY terms.

    Strings sort without regard to case, matching the collation of the indexes.
    """
    terms = []
    for raw in text.split(","):
        item = raw.strip()
        descending = item.startswith("-")
        path = item[1:].strip() if descending else item
        if not path or any(part == "" or set(part) - _NAME_CHARS for part in path.split(".")):
            raise QueryError(f"Malformed orderBy '{text}'. Expected a property name.")
        name, kind = _resolve(path, fields)
        collation = " COLLATE NOCASE" if kind is FieldKind.STRING else ""
        terms.append(f"{column_expr(name, columns)}{collation} {'DESC' if descending else 'ASC'}")
    return ", ".join(terms)
