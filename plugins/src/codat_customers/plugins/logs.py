"""Logging: one line per attempt through the standard ``logging`` module.

Lines carry method, path, status (or the transport error's class), attempt number and
elapsed milliseconds. Headers, bodies and query values are never logged, so credentials
cannot leak at any level.
"""

from __future__ import annotations

import logging

from codat_customers.core import HttpRequest, HttpResponse, TransportError

from .context import CallContext
from .markers import hookimpl

__all__ = ["LoggingPlugin"]

# A library must not print through logging's last-resort handler when the application has
# not configured logging; applications that do configure it see our records as usual.
logging.getLogger("codat_customers").addHandler(logging.NullHandler())


class LoggingPlugin:
    """Logs each attempt to ``logger`` (default ``codat_customers``).

    Successful attempts log at DEBUG, error statuses and transport failures at WARNING.
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or logging.getLogger("codat_customers")

    @hookimpl
    def codat_observe_attempt(
        self,
        request: HttpRequest,
        context: CallContext,
        attempt: int,
        response: HttpResponse | None,
        error: TransportError | None,
        elapsed: float,
    ) -> None:
        """Write one line for this attempt."""
        if response is not None:
            outcome = str(response.status)
            level = logging.DEBUG if response.status < 400 else logging.WARNING
        else:
            outcome = type(error).__name__
            level = logging.WARNING
        if not self.logger.isEnabledFor(level):
            return
        # Query values can carry customer data; the keys alone say what was asked.
        keys = "?" + "&".join(k for k, _ in request.query) if request.query else ""
        self.logger.log(
            level,
            "%s %s %s%s -> %s attempt=%d elapsed_ms=%.1f",
            context.operation_id,
            request.method,
            request.path,
            keys,
            outcome,
            attempt,
            elapsed * 1000,
        )
