"""The one protocol every adapter implements: a transport-neutral request in, a response out.

An adapter maps its library's failures onto :class:`~codat_customers.core.errors.TransportError`
subclasses and never raises anything else for network trouble. For ``stream`` requests it
returns the body unread in ``HttpResponse.stream`` only for 2xx statuses; for any other
status it reads the (small) error body into ``HttpResponse.body`` and releases the
connection, so parsers never see the stream of an error.
"""

from __future__ import annotations

from typing import Protocol

from .http import HttpRequest, HttpResponse

__all__ = ["AsyncTransport", "Transport"]


class Transport(Protocol):
    """A synchronous transport."""

    def send(self, request: HttpRequest, *, base_url: str, timeout: float | None) -> HttpResponse:
        """Send ``request`` to ``base_url``; ``timeout`` (seconds) bounds connect and each read."""
        ...

    def close(self) -> None:
        """Release pooled connections."""
        ...


class AsyncTransport(Protocol):
    """An asynchronous transport."""

    async def send(
        self, request: HttpRequest, *, base_url: str, timeout: float | None
    ) -> HttpResponse:
        """Send ``request`` to ``base_url``; ``timeout`` (seconds) bounds connect and each read."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...
