"""Exceptions the seed-compatible client raises, plus the core's error classes.

``ErrorMessage`` (with ``.data``) is raised for the statuses an operation documents with an
ErrorMessage body; ``SDKError`` for any other error status and for responses that cannot
be understood. Both derive from :class:`CodatError`, like every other error of the SDK,
so one ``except CodatError`` catches everything, including transport and validation errors.
"""

from __future__ import annotations

import msgspec

from codat_customers.core import errors as _core_errors
from codat_customers.core.errors import *  # noqa: F403 - the core's classes, for except clauses
from codat_customers.core.errors import CodatError
from codat_customers.core.http import HttpResponse
from codat_customers.core.models import ErrorMessage as ErrorMessageData

__all__ = [*_core_errors.__all__, "ErrorMessage", "ErrorMessageData", "SDKError"]  # noqa: PLE0604


class ErrorMessage(CodatError):
    """Codat answered with a documented error status; ``data`` is the parsed body."""

    def __init__(
        self,
        data: ErrorMessageData,
        *,
        status_code: int = -1,
        raw_response: HttpResponse | None = None,
    ) -> None:
        super().__init__(data.error if isinstance(data.error, str) else "API error")
        self.data = data
        self.status_code = status_code
        self.raw_response = raw_response

    def __str__(self) -> str:
        return msgspec.json.encode(self.data).decode()


class SDKError(CodatError):
    """An error status the contract does not document, or a response that makes no sense.

    ``body`` is the response body as text; ``raw_response`` the transport-neutral response.
    """

    def __init__(
        self,
        message: str,
        status_code: int = -1,
        body: str = "",
        raw_response: HttpResponse | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        self.raw_response = raw_response

    def __str__(self) -> str:
        tail = f"\n{self.body[:1024]}" if self.body else ""
        return f"{self.message}: Status {self.status_code}{tail}"
