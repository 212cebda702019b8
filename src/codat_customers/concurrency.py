"""Reading many companies at once, with a global and a per-company bound on requests.

:func:`gather_customers` lists every customer of each company concurrently from async code;
:func:`gather_customers_sync` does the same from synchronous code. Two bounds apply:

* ``max_in_flight``: the most requests on the wire at once, over all companies (it
  protects the connection pool and your overall rate limit);
* ``per_company``: the most pages of one company fetched at once (Codat allows 10
  concurrent requests per company; each company's listing is the same
  :class:`~codat_customers.paging.PagePlan` as ``iter_pages(concurrency=...)``).

Every company gets its own ``Result``: one that fails (404, 409, a page that fails after its
retries) does not lose the others'.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from returns.result import Failure, Result, Success
from typing_extensions import TypedDict, Unpack

from codat_customers.core import LIST, CodatError
from codat_customers.core.models import Customer, Customers

from . import paging
from .client import CallOptions, CodatCustomers
from .models.operations import ListCustomersRequestTypedDict

__all__ = ["ListFilters", "gather_customers", "gather_customers_sync"]


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
    per_company: int = 1,
    options: CallOptions | None = None,
    **filters: Unpack[ListFilters],
) -> dict[str, Result[list[Customer], CodatError]]:
    """Every customer of each company in ``company_ids``, fetched concurrently.

    :param client: the client whose async transport and plugins (auth, retries, logging,
        cache) carry every request.
    :param company_ids: the companies; a repeated id is fetched once.
    :param max_in_flight: the most requests on the wire at the same time, over all
        companies (at least 1).
    :param per_company: the most pages of one company fetched at the same time (1 to 10,
        Codat's limit per company; default 1, one page after another).
    :param options: per-call options (``retries``, ``server_url``, ``timeout_ms``) for every
        request.
    :param filters: ``query``, ``order_by`` and ``page_size`` for every company.
    :returns: for each company id, in the order given, ``Success`` with all its customers
        across pages or the ``Failure`` of the first page that failed.

    Example::

        results = await gather_customers(client, ids, max_in_flight=20, per_company=4)
        for company_id, result in results.items():
            ...
    """
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    paging.checked_concurrency(per_company)
    slots = asyncio.Semaphore(max_in_flight)
    call_options: CallOptions = options or {}

    async def fetch(request: object) -> Result[Customers, CodatError]:
        # One slot per request, whichever company it is for: the global bound.
        async with slots:
            return await client.call_async(LIST, request, **call_options)

    async def one_company(company_id: str) -> Result[list[Customer], CodatError]:
        customers: list[Customer] = []
        # ``filters`` is **kwargs checked against ListFilters, so it holds only those keys;
        # mypy's extra checks cannot know that no ``page`` of another type hides in it.
        request: ListCustomersRequestTypedDict = {
            "company_id": company_id,
            **filters,  # type: ignore[typeddict-item]
        }
        pages = paging.aiter_pages(fetch, request, per_company)
        try:
            async for page in pages:
                if not isinstance(page, Success):
                    return Failure(page.failure())
                customers.extend(page.unwrap().results or ())
        finally:
            await pages.aclose()  # the company's other pages in flight stop now
        return Success(customers)

    ids = list(dict.fromkeys(company_ids))
    results = await asyncio.gather(*(one_company(company_id) for company_id in ids))
    return dict(zip(ids, results, strict=True))


def gather_customers_sync(
    client: CodatCustomers,
    company_ids: Iterable[str],
    *,
    max_in_flight: int = 10,
    per_company: int = 1,
    options: CallOptions | None = None,
    **filters: Unpack[ListFilters],
) -> dict[str, Result[list[Customer], CodatError]]:
    """:func:`gather_customers` for synchronous code: the same bounds and results.

    It runs :func:`gather_customers` in an event loop of its own (``asyncio.run``), on the
    client's async transport (by default the sync transport in worker threads), so it
    cannot be called from a running event loop: there, await :func:`gather_customers`.
    """
    return asyncio.run(
        gather_customers(
            client,
            company_ids,
            max_in_flight=max_in_flight,
            per_company=per_company,
            options=options,
            **filters,
        )
    )
