"""Codat-shaped error responses: the ``ErrorMessage`` body and the exception that carries it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import msgspec
from codat_customers.core.models import ErrorMessage, ErrorValidation, ErrorValidationItem
from starlette.responses import Response

__all__ = ["ApiError", "error_response", "validation_of"]

_ENCODER = msgspec.json.Encoder()


class ApiError(Exception):
    """An error the sandbox answers with an ``ErrorMessage`` body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        service: str = "PublicApi",
        validation: ErrorValidation | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.service = service
        self.validation = validation
        self.headers = dict(headers or {})

    def to_response(self) -> Response:
        """Render the error as a JSON response."""
        return error_response(
            self.status,
            self.message,
            service=self.service,
            validation=self.validation,
            headers=self.headers,
        )


def error_response(
    status: int,
    message: str,
    *,
    service: str = "PublicApi",
    validation: ErrorValidation | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build an ``application/json`` ErrorMessage response like Codat's."""
    body = ErrorMessage(
        status_code=status,
        service=service,
        error=message,
        # Codat's correlation ids are 32 hex digits.
        correlation_id=uuid.uuid4().hex,
        validation=validation if validation is not None else msgspec.UNSET,
        can_be_retried="Unknown",
        detailed_error_code=0,
    )
    return Response(
        _ENCODER.encode(body),
        status_code=status,
        media_type="application/json",
        headers=dict(headers or {}),
    )


def validation_of(errors: list[tuple[str, str, str]]) -> ErrorValidation:
    """Build an ErrorMessage validation block from ``(item_id, message, validator)`` triples."""
    return ErrorValidation(
        errors=[
            ErrorValidationItem(item_id=item, message=message, validator_name=validator)
            for item, message, validator in errors
        ],
        warnings=[],
    )
