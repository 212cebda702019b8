"""Wire models and enumerations, under the names the peer SDK uses (``shared.Customer``...).

These are the core's msgspec Structs; ``Security`` is the client credential.
"""

from __future__ import annotations

from codat_customers.core import models as _models
from codat_customers.core.models import *  # noqa: F403 - every wire model, under its peer name

__all__ = [*_models.__all__, "Security"]  # noqa: PLE0604


class Security:
    """The client's credential: ``auth_header`` is ``"Basic <base64 of the API key>"``.

    A bare API key is accepted too and encoded for you. The value never shows in ``repr``.
    """

    __slots__ = ("auth_header",)

    def __init__(self, auth_header: str) -> None:
        if not isinstance(auth_header, str) or not auth_header.strip():
            raise ValueError("Security.auth_header must be a non-empty string")
        self.auth_header = auth_header

    def __repr__(self) -> str:
        return "Security(auth_header='***')"
