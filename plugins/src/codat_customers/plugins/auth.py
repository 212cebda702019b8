"""Authentication: the ``Authorization`` header, and a fingerprint that never reveals it."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

from codat_customers.core import HttpRequest

from .context import CallContext
from .markers import hookimpl

__all__ = ["AuthPlugin", "authorization_value", "credential_fingerprint"]


def authorization_value(credential: str) -> str:
    """The header value for ``credential``: a ready ``Basic ...`` value, or an API key."""
    credential = credential.strip()
    if credential[:6].lower() == "basic ":
        return credential
    return "Basic " + base64.b64encode(credential.encode()).decode("ascii")


def credential_fingerprint(authorization: str | None) -> str:
    """A short, one-way digest of an Authorization value (``"anonymous"`` without one)."""
    if not authorization:
        return "anonymous"
    return hashlib.sha256(authorization.encode()).hexdigest()[:16]


class AuthPlugin:
    """Adds ``Authorization: Basic ...`` to every request.

    Accepts either the API key itself or the complete header value the peer SDK documents
    (``"Basic BASE_64_ENCODED(API_KEY)"``). The value never appears in ``repr``.
    """

    def __init__(self, credential: str) -> None:
        self._headers = {"authorization": authorization_value(credential)}
        self.fingerprint = credential_fingerprint(self._headers["authorization"])

    @hookimpl
    def codat_prepare_request(
        self, request: HttpRequest, context: CallContext
    ) -> Mapping[str, str] | None:
        """Attach the credential."""
        return self._headers

    def __repr__(self) -> str:
        return f"AuthPlugin(fingerprint={self.fingerprint})"
