"""Helpers of the scale tests: a transport that counts requests in flight, failing on demand."""

from __future__ import annotations

import threading

from codat_customers.core import ConnectError, HttpRequest, HttpResponse, Transport

CUSTOMERS = 1000
"""Customers of the directory's sandbox."""


class CountingTransport:
    """Wraps a transport; records each list page asked for and the most requests at once.

    ``fail_page`` makes the request for that page fail with a ConnectError (nothing sent).
    """

    def __init__(self, inner: Transport, fail_page: int | None = None) -> None:
        self.inner = inner
        self.fail_page = fail_page
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.pages: list[int] = []

    def send(self, request: HttpRequest, *, base_url: str, timeout: float | None) -> HttpResponse:
        page = int(dict(request.query).get("page", "1"))
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.pages.append(page)
        try:
            if page == self.fail_page:
                raise ConnectError(f"page {page} refused (test)")
            return self.inner.send(request, base_url=base_url, timeout=timeout)
        finally:
            with self.lock:
                self.running -= 1

    def close(self) -> None:
        self.inner.close()


def sandbox_key() -> str:
    """A module-level credential provider: it pickles by reference."""
    return "sandbox-demo-api-key"


def customer_ids(client: object, company_id: str) -> list[str]:
    """Every customer id of one company, through a (possibly unpickled) seed-style client."""
    from codat_customers import CodatAccounting  # noqa: PLC0415

    assert isinstance(client, CodatAccounting)
    request = {"company_id": company_id, "page_size": 7}
    return [c.id for c in client.customers.iter_all(request, concurrency=2)]


def pool_identity(client: object, company_id: str) -> tuple[int, int, int]:
    """In a forked child: the pool the parent left, the one used here, and a count."""
    from codat_customers import CodatAccounting  # noqa: PLC0415

    assert isinstance(client, CodatAccounting)
    transport = client.results.transport
    inherited = id(transport._pools.current)  # type: ignore[attr-defined]
    count = len(customer_ids(client, company_id))
    return inherited, id(transport.pool), count  # type: ignore[attr-defined]
