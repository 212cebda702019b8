"""Turning user input (dicts or structs) into validated request structs, without I/O.

Dicts use the peer SDK's snake_case keys at every level (``"customer": {"customer_name":
...}``); camelCase keys are accepted too. Everything that is wrong is reported as a
:class:`RequestValidationError` naming the field, before any byte is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
import msgspec.inspect

from .errors import RequestValidationError

__all__ = ["FieldTree", "camelize_keys", "coerce_request", "field_tree", "snake_path"]

R = TypeVar("R", bound=msgspec.Struct)

_PATH_RE = re.compile(r"`\$(?P<path>[^`]*)`")
_UPPER_RE = re.compile(r"(?<=[a-z0-9])([A-Z])")

FieldTree = Mapping[str, "FieldTree | None"]
"""The wire names a struct accepts, each mapped to its own tree (``None``: take as is)."""


def field_tree(struct_type: type[msgspec.Struct]) -> FieldTree:
    """Describe the fields of ``struct_type`` (recursively) for checking dict input.

    Computed once per wire model when the operation table is built, never per call.
    """
    tree = _tree(msgspec.inspect.type_info(struct_type))
    assert tree is not None
    return tree


def _tree(info: msgspec.inspect.Type) -> FieldTree | None:
    if isinstance(info, msgspec.inspect.StructType):
        return {field.encode_name: _tree(field.type) for field in info.fields}
    if isinstance(info, msgspec.inspect.UnionType):
        for member in info.types:
            found = _tree(member)
            if found is not None:
                return found
        return None
    if isinstance(info, msgspec.inspect.ListType):
        return _tree(info.item_type)
    return None  # scalars and free-form maps (supplementalData.content) are taken as is


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camelize_keys(value: Any, tree: FieldTree | None, path: str) -> Any:
    """Rewrite snake_case keys as the wire's camelCase, rejecting keys ``tree`` lacks.

    Lists apply ``tree`` to each item; values whose tree is ``None`` (free-form maps,
    scalars, structs) are kept as they are.
    """
    if tree is None:
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = _camel(key) if isinstance(key, str) else key
            if name not in tree:
                raise RequestValidationError(f"{path}.{key}", "unknown field")
            out[name] = camelize_keys(item, tree[name], f"{path}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [camelize_keys(item, tree, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def snake_path(message: str) -> str:
    """Extract the ``$.a.b[0]`` path from a msgspec message, in snake_case (``a.b[0]``)."""
    match = _PATH_RE.search(message)
    if not match:
        return "request"
    path = match.group("path").lstrip(".")
    return _UPPER_RE.sub(lambda m: "_" + m.group(1).lower(), path) or "request"


def coerce_request(
    value: object, request_type: type[R], *, wire_fields: Mapping[str, FieldTree]
) -> R:
    """Return ``value`` as a ``request_type``; dicts are converted and checked once.

    ``wire_fields`` maps the fields holding wire models (camelCase structs) to their field
    trees: their dict form is camelized and checked for unknown keys first.
    """
    if isinstance(value, request_type):
        return value
    if not isinstance(value, Mapping):
        raise RequestValidationError(
            "request", f"expected {request_type.__name__} or a dict, got {type(value).__name__}"
        )
    data = dict(value)
    try:
        for name, tree in wire_fields.items():
            if isinstance(data.get(name), Mapping):
                data[name] = camelize_keys(data[name], tree, name)
        return msgspec.convert(data, request_type)
    except msgspec.ValidationError as exc:
        message = str(exc)
        problem = message.split(" - at ", maxsplit=1)[0]
        raise RequestValidationError(snake_path(message), problem) from None
    except RecursionError:
        raise RequestValidationError("request", "nested too deeply (or contains a cycle)") from None
    except UnicodeEncodeError:
        # msgspec matches keys as UTF-8; a key holding a lone surrogate cannot be one (found
        # by tests/core/test_core_fuzz.py, it escaped as a UnicodeEncodeError).
        raise RequestValidationError("request", "a key is not valid Unicode text") from None
