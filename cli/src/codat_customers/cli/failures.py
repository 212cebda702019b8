"""Exit codes, and failures told in plain words on stderr (never a traceback, never a key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from codat_customers.core import (
    ApiError,
    CodatError,
    ConnectError,
    ReadTimeoutError,
    RequestValidationError,
    ResponseError,
    TransportError,
)
from codat_customers.core.models import ErrorMessage, ErrorValidationItem
from returns.result import Failure, Result, Success

__all__ = [
    "EXIT_API",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TRANSPORT",
    "EXIT_USAGE",
    "CliFailure",
    "failure_for",
    "unwrap",
]

T = TypeVar("T")

EXIT_OK = 0
"""The command did what was asked."""
EXIT_USAGE = 2
"""Bad usage or bad input (an option, a JSON body, a field): nothing was sent."""
EXIT_API = 3
"""The API answered with an error (or an answer the SDK could not read)."""
EXIT_TRANSPORT = 4
"""No complete answer: the connection failed, broke or timed out."""
EXIT_INTERRUPTED = 130
"""Stopped by Ctrl-C; no file was left half-written."""


class CliFailure(Exception):
    """A failure the command reports as ``message`` (and ``details``), exiting ``exit_code``."""

    def __init__(self, message: str, exit_code: int, details: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.details = list(details)


def _items(label: str, items: Sequence[ErrorValidationItem] | object | None) -> list[str]:
    if not isinstance(items, list):
        return []
    lines = []
    for item in items:
        where = item.item_id if isinstance(item.item_id, str) and item.item_id else "-"
        message = item.message if isinstance(item.message, str) else ""
        lines.append(f"{label} {where}: {message}".rstrip(": "))
    return lines


def api_error_details(error_message: ErrorMessage) -> list[str]:
    """The lines that describe an ErrorMessage beyond its first line."""
    details = []
    if isinstance(error_message.service, str):
        details.append(f"service: {error_message.service}")
    if isinstance(error_message.correlation_id, str):
        details.append(f"correlation id: {error_message.correlation_id}")
    if isinstance(error_message.can_be_retried, str):
        details.append(f"can be retried: {error_message.can_be_retried}")
    validation = error_message.validation
    if validation is not None and not isinstance(validation, type(None)):
        details += _items("validation error", getattr(validation, "errors", None))
        details += _items("validation warning", getattr(validation, "warnings", None))
    return details


def failure_for(error: CodatError, server_url: str) -> CliFailure:
    """The plain-words failure (and exit code) for an SDK error."""
    if isinstance(error, RequestValidationError):
        return CliFailure(f"invalid input: {error.field}: {error.problem}", EXIT_USAGE)
    if isinstance(error, ApiError):
        return CliFailure(
            f"the API answered {error.status}: {error.message}",
            EXIT_API,
            api_error_details(error.error_message),
        )
    if isinstance(error, ResponseError):
        return CliFailure(
            f"unexpected answer from the API: {error.message} (status {error.status}, "
            f"content type {error.content_type or '-'})",
            EXIT_API,
            [f"body: {error.body_excerpt}"] if error.body else [],
        )
    if isinstance(error, ConnectError):
        return CliFailure(f"could not connect to {server_url}: {error.message}", EXIT_TRANSPORT)
    if isinstance(error, ReadTimeoutError):
        return CliFailure(
            f"no answer from {server_url} in time (see --timeout): {error.message}",
            EXIT_TRANSPORT,
        )
    if isinstance(error, TransportError):
        return CliFailure(f"the exchange with {server_url} failed: {error.message}", EXIT_TRANSPORT)
    return CliFailure(str(error), EXIT_API)


def unwrap(result: Result[T, CodatError], server_url: str) -> T:
    """The value of ``result``, or raise its `CliFailure`."""
    if isinstance(result, Success):
        value: T = result.unwrap()
        return value
    assert isinstance(result, Failure)
    raise failure_for(result.failure(), server_url)
