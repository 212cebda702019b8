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

from .errors import RequestValidationError

__all__ = ["camelize_keys", "coerce_request", "snake_path"]

R = TypeVar("R", bound=msgspec.Struct)

# Keys under these (snake or camel) names are user data, not field names: keep them as is.
_FREE_FORM_KEYS = frozenset({"content"})
_PATH_RE = re.compile(r"`\$(?P<path>[^`]*)`")
_UPPER_RE = re.compile(r"(?<=[a-z0-9])([A-Z])")


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camelize_keys(value: Any) -> Any:
    """Rewrite snake_case dict keys as camelCase, recursively, leaving free-form maps alone."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = _camel(key) if isinstance(key, str) else key
            out[name] = item if name in _FREE_FORM_KEYS else camelize_keys(item)
        return out
    if isinstance(value, list | tuple):
        return [camelize_keys(item) for item in value]
    return value


def snake_path(message: str) -> str:
    """Extract the ``$.a.b[0]`` path from a msgspec message, in snake_case (``a.b[0]``)."""
    match = _PATH_RE.search(message)
    if not match:
        return "request"
    path = match.group("path").lstrip(".")
    return _UPPER_RE.sub(lambda m: "_" + m.group(1).lower(), path) or "request"


def coerce_request(value: object, request_type: type[R], *, wire_fields: tuple[str, ...]) -> R:
    """Return ``value`` as a ``request_type``; dicts are converted and checked once.

    ``wire_fields`` names the fields holding wire models (camelCase structs) whose dict
    form needs its keys camelized first.
    """
    if isinstance(value, request_type):
        return value
    if not isinstance(value, Mapping):
        raise RequestValidationError(
            "request", f"expected {request_type.__name__} or a dict, got {type(value).__name__}"
        )
    data = dict(value)
    try:
        for name in wire_fields:
            if isinstance(data.get(name), Mapping):
                data[name] = camelize_keys(data[name])
        return msgspec.convert(data, request_type)
    except msgspec.ValidationError as exc:
        message = str(exc)
        problem = message.split(" - at ", maxsplit=1)[0]
        raise RequestValidationError(snake_path(message), problem) from None
    except RecursionError:
        raise RequestValidationError("request", "nested too deeply (or contains a cycle)") from None
