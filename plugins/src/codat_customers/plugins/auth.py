"""Authentication: the ``Authorization`` header, and a fingerprint that never reveals it."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Callable, Mapping

from codat_customers.core import HttpRequest, RequestValidationError

from .context import CallContext
from .markers import hookimpl

__all__ = ["AuthPlugin", "RotatingAuthPlugin", "authorization_value", "credential_fingerprint"]

_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")


def authorization_value(credential: str) -> str:
    """The header value for ``credential``: a ready ``Basic ...`` value, or an API key."""
    credential = credential.strip()
    if credential[:6].lower() != "basic ":
        return "Basic " + base64.b64encode(credential.encode()).decode("ascii")
    if not _PRINTABLE_ASCII.fullmatch(credential):
        # Caught here, not by the HTTP library, whose message would quote the value.
        raise RequestValidationError(
            "security", "the Basic header value must be printable ASCII, without line breaks"
        )
    return credential


# Every call fingerprints the header it sends; a client sends few distinct values, so
# remembering the last few digests saves a SHA-256 per call.
@functools.lru_cache(maxsize=64)
def credential_fingerprint(authorization: str | None) -> str:
    """A short, one-way digest of an Authorization value (``"anonymous"`` without one)."""
    if not authorization:
        return "anonymous"
    return hashlib.sha256(authorization.encode()).hexdigest()[:16]


class AuthPlugin:
    """Adds ``Authorization: Basic ...`` to every request.

    ``credential`` is the API key itself, the complete header value the peer SDK documents
    (``"Basic BASE_64_ENCODED(API_KEY)"``), or a function returning either (a rotating key).
    Given a function, the instance made is a :class:`RotatingAuthPlugin`, which calls it
    exactly once per attempt. The value never appears in ``repr``.
    """

    def __new__(cls, credential: str | Callable[[], str] | None = None) -> AuthPlugin:
        """A :class:`RotatingAuthPlugin` when ``credential`` is a function, else ``cls``."""
        # Only a rotating key needs the per-attempt hook: a static key costs no hook
        # dispatch per attempt. (pickle calls this without the argument.)
        rotating = cls is AuthPlugin and callable(credential)
        return object.__new__(RotatingAuthPlugin if rotating else cls)

    def __init__(self, credential: str | Callable[[], str]) -> None:
        self._provider = credential if callable(credential) else None
        self._last: tuple[str, dict[str, str], str] = ("", {}, credential_fingerprint(None))
        if isinstance(credential, str):
            self._remember(credential)

    def _remember(self, credential: str) -> tuple[str, dict[str, str], str]:
        value = authorization_value(credential)
        self._last = (credential, {"authorization": value}, credential_fingerprint(value))
        return self._last

    def _current(self) -> tuple[str, dict[str, str], str]:
        last = self._last
        if self._provider is None:
            return last
        credential = self._provider()
        # Recompute only when the provider hands out a different credential.
        return last if credential == last[0] else self._remember(credential)

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the credential last sent (or configured, before any call).

        It never calls a rotating credential's provider: that happens once per call, when
        the header is attached.
        """
        return self._last[2]

    @hookimpl
    def codat_prepare_request(
        self, request: HttpRequest, context: CallContext
    ) -> Mapping[str, str] | None:
        """Attach the credential (a rotating one is fetched here for the first attempt)."""
        return self._current()[1]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(fingerprint={self.fingerprint})"


class RotatingAuthPlugin(AuthPlugin):
    """:class:`AuthPlugin` for a credential given as a function: called once per attempt.

    The first attempt's value is fetched in ``codat_prepare_request``, so the cache looks
    up under the key that will be sent; a retry fetches it again in
    ``codat_attempt_started``, so a key that was rotated (or a token that expired) while
    the call waited is replaced before the request goes out again. A cache stores the
    final answer under the key that attempt carried. ``AuthPlugin(function)`` makes one.
    """

    @hookimpl
    def codat_attempt_started(
        self, request: HttpRequest, context: CallContext, attempt: int, delay: float
    ) -> Mapping[str, str] | None:
        """Fetch the credential again for every attempt after the first."""
        return None if attempt == 1 else self._current()[1]
