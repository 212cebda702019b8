"""The TypedDicts agree with the msgspec structs and with the contract, key by key.

For every request struct and every model a request nests (found by walking the structs, so
a new nested model needs its TypedDict too): the same keys, the same required keys, and
value types derived from the struct's (``UnsetType`` dropped, a nested Struct ``S`` becomes
``STypedDict | S``, ``list[X]`` becomes ``Sequence[X]``, a field the contract enumerates
becomes ``Enum | Literal[values]``). Against ``customers.openapi.json``: the parameters and
body of each operation, each schema's properties, required lists, nullability, base types
and enum values. And every operation of both clients takes ``Struct | TypedDict``.

A TypedDict is never looser than the runtime: a field the core's build step rejects when it
is absent or ``None`` (``customer`` on create and update, which the structs default to
``None`` as the peer SDK's do and the contract leaves optional) is required and not
nullable. Those fields are found by asking the core, not listed here.
"""

from __future__ import annotations

import enum
import inspect
import json
import re
import types
import typing
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import msgspec
import pytest
from codat_customers.core import OPERATIONS, Operation
from returns.result import Failure
from typing_extensions import NotRequired, Required, is_typeddict

from codat_customers import CodatCustomers, CustomersResource
from codat_customers.models import operations, shared

ROOT = Path(__file__).resolve().parents[2]
SPEC_CANDIDATES = (
    ROOT / "spec" / "customers.openapi.json",
    ROOT.parent / "shared" / "spec" / "customers.openapi.json",
)
ENUMS = (shared.CustomerStatus, shared.AccountingAddressType, shared.PhoneNumberType)
JSON_TYPES: dict[str, object] = {"string": str, "integer": int, "boolean": bool, "object": dict}


@cache
def contract() -> dict[str, Any]:
    for path in SPEC_CANDIDATES:
        if path.is_file():
            spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return spec
    pytest.fail(f"contract not found at any of {[str(p) for p in SPEC_CANDIDATES]}")


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with ``$ref`` followed and ``allOf`` merged (properties and required)."""
    while "$ref" in schema:
        node: Any = contract()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    if "allOf" not in schema:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    merged["properties"] = dict(schema.get("properties", {}))
    merged["required"] = list(schema.get("required", []))
    for part in map(resolve, schema["allOf"]):
        for key, value in part.items():
            if key == "properties":
                # ModifiedDates wraps sourceModifiedDate in a nullable object: Codat sends
                # ``"sourceModifiedDate": null``, so the property itself is read as nullable.
                nullable = part.get("nullable", False)
                merged["properties"].update(
                    {
                        k: {**resolve(v), "nullable": True} if nullable else v
                        for k, v in value.items()
                    }
                )
            elif key == "required":
                merged["required"] += value
            elif key != "nullable":  # a part's nullability went to its properties above
                merged.setdefault(key, value)
    return merged


# --- types as comparable values ---------------------------------------------------------


def normal(tp: object) -> frozenset[object]:
    """A type as the set of its union members, each member comparable by value."""
    origin = get_origin(tp)
    if origin in (NotRequired, Required):
        return normal(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return frozenset().union(*(normal(arg) for arg in get_args(tp)))
    if origin is Literal:
        return frozenset({("Literal", frozenset(get_args(tp)))})
    if origin is not None:
        return frozenset({(origin, tuple(normal(arg) for arg in get_args(tp)))})
    return frozenset({tp})


def typeddict_of(struct: type[msgspec.Struct]) -> Any:
    module = operations if struct.__module__.endswith(".requests") else shared
    found = getattr(module, f"{struct.__name__}TypedDict", None)
    assert found is not None, f"no {module.__name__}.{struct.__name__}TypedDict"
    assert is_typeddict(found), found
    return found


def expected_value_type(tp: object, enum_type: type[enum.Enum] | None) -> object:
    """The TypedDict value type a struct field of type ``tp`` calls for."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        members = [expected_value_type(a, enum_type) for a in get_args(tp)]
        kept = [m for m in members if m is not msgspec.UnsetType]
        return Union[tuple(kept)] if len(kept) > 1 else kept[0]  # noqa: UP007
    if origin is list:
        return Sequence[expected_value_type(get_args(tp)[0], None)]  # type: ignore[misc]
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return Union[typeddict_of(tp), tp]  # noqa: UP007
    if tp is str and enum_type is not None:
        values = tuple(member.value for member in enum_type)
        return Union[enum_type, Literal[values]]  # type: ignore[valid-type]  # noqa: UP007
    return tp


def nested_structs(tp: object) -> list[type[msgspec.Struct]]:
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return [tp]
    return [found for arg in get_args(tp) for found in nested_structs(arg)]


def structs_reachable_from_requests() -> list[type[msgspec.Struct]]:
    seen: list[type[msgspec.Struct]] = []
    todo: list[type[msgspec.Struct]] = [op.request_type for op in OPERATIONS]
    while todo:
        struct = todo.pop()
        if struct in seen:
            continue
        seen.append(struct)
        for hint in typing.get_type_hints(struct).values():
            todo += nested_structs(hint)
    return sorted(seen, key=lambda s: s.__name__)


REACHABLE = structs_reachable_from_requests()

# A valid value for each field the probe below may find the core requiring.
PROBE_VALUES: dict[str, object] = {"customer": {"status": "Active"}}


def required_by_the_core(operation: Operation[Any, Any]) -> set[str]:
    """Optional struct fields whose absence (and ``None``) the core rejects before sending."""
    info = msgspec.inspect.type_info(operation.request_type)
    assert isinstance(info, msgspec.inspect.StructType)
    request: dict[str, object] = {f.name: "x" for f in info.fields if f.required}
    found: set[str] = set()
    while isinstance(failure := operation.prepare(request), Failure):
        field = failure.failure().field
        assert field not in found and field in PROBE_VALUES, f"{operation.id}: {failure}"
        assert isinstance(operation.prepare({**request, field: None}), Failure), field
        found.add(field)
        request[field] = PROBE_VALUES[field]
    return found


REQUIRED_BY_THE_CORE = {op.request_type: required_by_the_core(op) for op in OPERATIONS}


def test_the_core_requires_a_customer_to_push() -> None:
    # Keeps the probe honest: had it found nothing, the exception it feeds would be untested.
    found = {struct.__name__: fields for struct, fields in REQUIRED_BY_THE_CORE.items() if fields}
    assert found == {
        "CreateCustomerRequest": {"customer"},
        "UpdateCustomerRequest": {"customer"},
    }


def test_every_request_and_nested_model_is_covered() -> None:
    names = {struct.__name__ for struct in REACHABLE}
    assert names == {
        *(op.request_type.__name__ for op in OPERATIONS),
        "Contact",
        "Customer",
        "Items",
        "Metadata",
        "PhoneNumberItems",
        "SupplementalData",
    }


# --- field enum types, from the contract --------------------------------------------------


def enum_for(values: list[str] | None) -> type[enum.Enum] | None:
    if values is None:
        return None
    for candidate in ENUMS:
        if [member.value for member in candidate] == values:
            return candidate
    pytest.fail(f"no enum class in shared with the values {values}")


def struct_schemas() -> dict[type[msgspec.Struct], list[dict[str, Any]]]:
    """Each wire model a request nests, with every contract schema it stands for."""
    found: dict[type[msgspec.Struct], list[dict[str, Any]]] = {}

    def walk(struct: type[msgspec.Struct], schema: dict[str, Any]) -> None:
        schema = resolve(schema)
        found.setdefault(struct, []).append(schema)
        info = msgspec.inspect.type_info(struct)
        assert isinstance(info, msgspec.inspect.StructType)
        hints = typing.get_type_hints(struct)
        for field in info.fields:
            prop = resolve(schema["properties"][field.encode_name])
            for inner in nested_structs(hints[field.name]):
                walk(inner, prop["items"] if prop.get("type") == "array" else prop)

    body = contract()["paths"]["/companies/{companyId}/connections/{connectionId}/push/customers"]
    walk(shared.Customer, body["post"]["requestBody"]["content"]["application/json"]["schema"])
    return found


SCHEMAS = struct_schemas()


def field_enum(struct: type[msgspec.Struct], encode_name: str) -> type[enum.Enum] | None:
    enums = {
        tuple(resolve(schema["properties"][encode_name]).get("enum") or ())
        for schema in SCHEMAS.get(struct, [])
    }
    assert len(enums) <= 1, f"{struct.__name__}.{encode_name}: the contract disagrees with itself"
    return enum_for(list(enums.pop())) if enums and () not in enums else None


# --- TypedDicts against the structs -----------------------------------------------------


@pytest.mark.parametrize("struct", REACHABLE, ids=lambda s: s.__name__)
def test_typeddict_matches_the_struct(struct: type[msgspec.Struct]) -> None:
    typed = typeddict_of(struct)
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    hints = typing.get_type_hints(struct)
    typed_hints = typing.get_type_hints(typed)
    by_the_core = REQUIRED_BY_THE_CORE.get(struct, set())
    assert set(typed_hints) == {field.name for field in info.fields}
    assert typed.__required_keys__ == {f.name for f in info.fields if f.required} | by_the_core
    for field in info.fields:
        enum_type = field_enum(struct, field.encode_name)
        wanted = normal(expected_value_type(hints[field.name], enum_type))
        if field.name in by_the_core:
            wanted -= {type(None)}
        assert normal(typed_hints[field.name]) == wanted, field.name


@pytest.mark.parametrize("enum_type", ENUMS, ids=lambda e: e.__name__)
def test_literal_aliases_list_the_enum_values(enum_type: type[enum.Enum]) -> None:
    alias = getattr(shared, f"{enum_type.__name__}Literal")
    assert get_args(alias) == tuple(member.value for member in enum_type)


# --- TypedDicts against the contract ------------------------------------------------------


def base_types(schema: dict[str, Any]) -> frozenset[object]:
    if schema.get("type") == "array":
        return frozenset({Sequence})
    python = JSON_TYPES[schema["type"]] if "type" in schema else dict
    return frozenset({python})


def loose(tp: object) -> frozenset[object]:
    """The base runtime types a TypedDict value type allows (``Sequence``, ``dict``, ``str``...)."""
    out: set[object] = set()
    for member in normal(tp):
        if isinstance(member, tuple) and member[0] == "Literal":
            out.add(str)
        elif isinstance(member, tuple):
            out.add(member[0])
        elif is_typeddict(member) or (isinstance(member, type) and issubclass(member, dict)):
            out.add(dict)
        elif isinstance(member, type) and issubclass(member, (msgspec.Struct, enum.Enum)):
            continue  # the Struct or enum spelling of the same value
        else:
            out.add(member)
    return frozenset(out)


@pytest.mark.parametrize(
    "struct", sorted(SCHEMAS, key=lambda s: s.__name__), ids=lambda s: s.__name__
)
def test_model_typeddict_matches_the_contract(struct: type[msgspec.Struct]) -> None:
    typed = typeddict_of(struct)
    hints = typing.get_type_hints(typed)
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    snake = {field.encode_name: field.name for field in info.fields}
    for schema in SCHEMAS[struct]:
        assert {snake[name] for name in schema["properties"]} == set(hints)
        assert {snake[name] for name in schema.get("required", [])} == typed.__required_keys__
        for name, raw in schema["properties"].items():
            prop = resolve(raw)
            key = snake[name]
            assert (type(None) in normal(hints[key])) == bool(prop.get("nullable")), key
            assert loose(hints[key]) - {type(None)} == base_types(prop), key
            literals = [m for m in normal(hints[key]) if isinstance(m, tuple) and m[0] == "Literal"]
            assert [set(m[1]) for m in literals] == ([set(prop["enum"])] if "enum" in prop else [])


def _operation_parameters(operation: Operation[Any, Any]) -> tuple[list[dict[str, Any]], Any]:
    for item in contract()["paths"].values():
        for spec in item.values():
            if isinstance(spec, dict) and spec.get("operationId") == operation.id:
                shared_params = item.get("parameters", [])
                return [resolve(p) for p in shared_params + spec.get("parameters", [])], spec.get(
                    "requestBody"
                )
    pytest.fail(f"{operation.id} is not in the contract")


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.id)
def test_request_typeddict_matches_the_contract(operation: Operation[Any, Any]) -> None:
    typed = typeddict_of(operation.request_type)
    hints = typing.get_type_hints(typed)
    parameters, body = _operation_parameters(operation)
    keys = {re.sub(r"(?<!^)([A-Z])", r"_\1", p["name"]).lower(): p for p in parameters}
    assert set(hints) == set(keys) | ({"customer"} if body else set())
    required = {
        key
        for key, param in keys.items()
        if param.get("required") and "default" not in param.get("schema", {})
    }
    if body and body.get("required"):
        required.add("customer")
    by_the_core = REQUIRED_BY_THE_CORE.get(operation.request_type, set())
    assert typed.__required_keys__ == required | by_the_core
    for key, param in keys.items():
        # ``None`` in a parameter's type means "not sent", so only the base type is compared.
        assert loose(hints[key]) - {type(None)} == base_types(param["schema"]), key
    if body:
        schema = body["content"]["application/json"]["schema"]
        assert resolve(schema) in SCHEMAS[shared.Customer]
        nullable = set() if "customer" in by_the_core else {type(None)}
        wanted = normal(shared.CustomerTypedDict | shared.Customer) | nullable
        assert normal(hints["customer"]) == wanted


# --- the clients' signatures ------------------------------------------------------------


def _operation_for(method_name: str) -> Operation[Any, Any] | None:
    base = method_name.removesuffix("_async")
    if base in ("iter_pages", "aiter_pages", "iter_all", "aiter_all"):
        base = "list"
    return next((op for op in OPERATIONS if op.name == base), None)


@pytest.mark.parametrize("face", [CodatCustomers, CustomersResource], ids=lambda f: f.__name__)
def test_every_operation_takes_its_struct_or_its_typeddict(face: type[object]) -> None:
    checked = []
    for name, method in inspect.getmembers(face, inspect.isfunction):
        operation = _operation_for(name)
        if operation is None or name.startswith("_"):
            continue
        request = typing.get_type_hints(method)["request"]
        wanted = operation.request_type | typeddict_of(operation.request_type)
        assert normal(request) == normal(wanted), name
        checked.append(name)
    assert len(checked) == 2 * len(OPERATIONS) + 2, checked
