"""Fetching many companies at once from async code, with a bound on requests in flight.

:func:`gather_customers` lists every customer of each company concurrently. Each company's
pages are fetched one after another (a page number depends on the previous page), and at
most ``max_in_flight`` companies are worked on at a time, so no more than
``max_in_flight`` requests are ever on the wire together: the bound protects both the
server's rate limit and the connection pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from returns.result import Failure, Result, Success
from typing_extensions import TypedDict, Unpack

from codat_customers.core import CodatError
from codat_customers.core.models import Customer

from .client import CallOptions, CodatCustomers
from .models.operations import ListCustomersRequestTypedDict

__all__ = ["ListFilters", "gather_customers"]


class ListFilters(TypedDict, total=False):
    """The list options applied to every company (``ListCustomersRequest`` fields)."""

    query: str
    """Codat query language filter, e.g. ``status=Active``."""
    order_by: str
    """Sort order, e.g. ``-modifiedDate``."""
    page_size: int
    """Customers per page (at most 5000)."""


async def gather_customers(
    client: CodatCustomers,
    company_ids: Iterable[str],
    *,
    max_in_flight: int = 10,
    options: CallOptions | None = None,
    **filters: Unpack[ListFilters],
) -> dict[str, Result[list[Customer], CodatError]]:
    """Every customer of each company in ``company_ids``, fetched concurrently.

    :param client: the client whose async transport and plugins (auth, retries, logging,
        cache) carry every request.
    :param company_ids: the companies; a repeated id is fetched once.
    :param max_in_flight: the most requests on the wire at the same time (at least 1).
    :param options: per-call options (``retries``, ``server_url``, ``timeout_ms``) for every
        request.
    :param filters: ``query``, ``order_by`` and ``page_size`` for every company.
    :returns: for each company id, in the order given, ``Success`` with all its customers
        across pages or the ``Failure`` of the first page that failed.

    Example::

        results = await gather_customers(client, ids, max_in_flight=5, query="status=Active")
        for company_id, result in results.items():
            ...
    """
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    slots = asyncio.Semaphore(max_in_flight)
    call_options: CallOptions = options or {}

    async def one_company(company_id: str) -> Result[list[Customer], CodatError]:
        # The slot is held for the company's whole paging: its pages are sequential, so a
        # company never has more than one request in flight.
        async with slots:
            customers: list[Customer] = []
            # ``filters`` is **kwargs checked against ListFilters, so it holds only those keys;
            # mypy's extra checks cannot know that no ``page`` of another type hides in it.
            request: ListCustomersRequestTypedDict = {
                "company_id": company_id,
                **filters,  # type: ignore[typeddict-item]
            }
            async for page in client.aiter_pages(request, **call_options):
                if not isinstance(page, Success):
                    return Failure(page.failure())
                customers.extend(page.unwrap().results or ())
            return Success(customers)

    ids = list(dict.fromkeys(company_ids))
    results = await asyncio.gather(*(one_company(company_id) for company_id in ids))
    return dict(zip(ids, results, strict=True))
