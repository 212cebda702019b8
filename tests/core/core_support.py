"""Shared helpers for the pure-core tests: the contract's own examples and response makers.

The contract lives in the repository (``spec/customers.openapi.json``); every example used
here is read from that file by walking it, never copied by hand.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from codat_customers.core import OPERATIONS, HttpResponse, Operation

_DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "spec" / "customers.openapi.json"
SPEC_PATH = Path(os.environ.get("CODAT_CUSTOMERS_SPEC", _DEFAULT_SPEC))

JSON = {"content-type": "application/json; charset=utf-8"}
HTML = {"content-type": "text/html"}

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"

OPS_BY_ID: dict[str, Operation[Any, Any]] = {op.id: op for op in OPERATIONS}


@cache
def spec() -> dict[str, Any]:
    """The OpenAPI document; a missing contract fails the test instead of skipping it."""
    if not SPEC_PATH.is_file():
        pytest.fail(f"contract not found at {SPEC_PATH} (it is part of the repository: spec/)")
    data: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return data


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/a/b``) until a concrete object is reached."""
    while "$ref" in node:
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations_in_spec() -> list[tuple[str, str, str, dict[str, Any]]]:
    """``(operation_id, method, path, operation)`` for every operation in the contract."""
    found = []
    for path, item in spec()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                found.append((operation["operationId"], method.upper(), path, operation))
    return found


def response_examples(operation_id: str, status: str) -> list[tuple[str, str, Any]]:
    """``(name, content type, value)`` of every example of one documented response."""
    for op_id, _, _, operation in operations_in_spec():
        if op_id != operation_id:
            continue
        response = _resolve(operation["responses"][status])
        out = []
        for content_type, media in response.get("content", {}).items():
            for name, example in media.get("examples", {}).items():
                out.append((name, content_type, _resolve(example)["value"]))
            if "example" in media:
                out.append(("example", content_type, media["example"]))
        return out
    raise KeyError(operation_id)


def error_cases() -> list[tuple[str, int, str, dict[str, Any]]]:
    """``(operation_id, status, example name, ErrorMessage)`` for every documented error."""
    cases = []
    for op_id, _, _, operation in operations_in_spec():
        for status in operation["responses"]:
            if status.isdigit() and int(status) >= 400:
                for name, _, value in response_examples(op_id, status):
                    cases.append((op_id, int(status), name, value))
    return cases


def success_examples(operation_id: str) -> list[tuple[str, Any]]:
    """``(name, value)`` of the contract's 200 examples for one operation."""
    return [(name, value) for name, _, value in response_examples(operation_id, "200")]


def json_response(status: int, value: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    """A response whose body is ``value`` encoded as JSON."""
    return HttpResponse(status, headers or JSON, json.dumps(value).encode())


class MemoryStream:
    """A real (in-memory) byte stream satisfying ``ByteStream``; records closing."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0
        self.closed = 0

    def iter_bytes(self, chunk_size: int):  # type: ignore[no-untyped-def]
        while self._pos < len(self._data):
            chunk = self._data[self._pos : self._pos + chunk_size]
            self._pos += len(chunk)
            yield chunk

    def read(self) -> bytes:
        rest = self._data[self._pos :]
        self._pos = len(self._data)
        return rest

    def close(self) -> None:
        self.closed += 1
