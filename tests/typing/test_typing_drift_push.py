"""The push-operation requests' TypedDicts agree with their structs and with
``spec/push-operations.openapi.json``; both faces take ``Struct | TypedDict``."""

from __future__ import annotations

import inspect
import json
import re
import typing
from pathlib import Path
from typing import Any

import msgspec
import pytest
from codat_customers.core import PUSH_OPERATIONS, Operation

from codat_customers import CodatCustomers, client
from codat_customers.models import operations
from codat_customers.push_operations import PushOperationsResource

SPEC = Path(__file__).resolve().parents[2] / "spec" / "push-operations.openapi.json"


def _typeddict(operation: Operation[Any, Any]) -> Any:
    return getattr(operations, operation.request_type.__name__ + "TypedDict")


def _parameters(operation: Operation[Any, Any]) -> dict[str, dict[str, Any]]:
    spec: dict[str, Any] = json.loads(SPEC.read_text(encoding="utf-8"))

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation.id:
                found = [resolve(p) for p in item.get("parameters", []) + op.get("parameters", [])]
                return {re.sub(r"(?<!^)([A-Z])", r"_\1", p["name"]).lower(): p for p in found}
    pytest.fail(f"{operation.id} is not in the contract")


@pytest.mark.parametrize("operation", PUSH_OPERATIONS, ids=lambda op: op.id)
def test_typeddict_matches_struct_and_contract(operation: Operation[Any, Any]) -> None:
    typed = _typeddict(operation)
    info = msgspec.inspect.type_info(operation.request_type)
    assert isinstance(info, msgspec.inspect.StructType)
    assert set(typing.get_type_hints(typed)) == {f.name for f in info.fields}
    assert typed.__required_keys__ == {f.name for f in info.fields if f.required}
    parameters = _parameters(operation)
    assert set(parameters) == {f.name for f in info.fields}
    assert typed.__required_keys__ == {k for k, p in parameters.items() if p.get("required")}


@pytest.mark.parametrize("face", [CodatCustomers, PushOperationsResource], ids=lambda f: f.__name__)
def test_every_push_read_takes_its_struct_or_its_typeddict(face: type[object]) -> None:
    checked = []
    for name, method in inspect.getmembers(face, inspect.isfunction):
        if "push_operation" not in name and face is CodatCustomers:
            continue
        # The mixin names the client's option types only for type checkers.
        hints = typing.get_type_hints(method, localns=vars(client))
        if "request" not in hints:
            continue
        request = hints["request"]
        matching = [
            op
            for op in PUSH_OPERATIONS
            if set(typing.get_args(request)) == {op.request_type, _typeddict(op)}
        ]
        assert len(matching) == 1, name
        checked.append(name)
    assert len(checked) == 6, checked
