"""Lazy iteration over every page of a company's customers; one page in memory at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import msgspec
from returns.result import Result, Success

from codat_customers.core import CodatError
from codat_customers.core.models import Customers
from codat_customers.core.requests import ListCustomersRequest

__all__ = ["iter_pages", "next_page"]


def next_page(page: Customers) -> int | None:
    """The number of the page after ``page``, or ``None`` when ``page`` is the last."""
    if not page.results or page.page_number * page.page_size >= page.total_results:
        return None
    return page.page_number + 1


def iter_pages(
    fetch: Callable[[ListCustomersRequest], Result[Customers, CodatError]],
    request: ListCustomersRequest,
) -> Iterator[Result[Customers, CodatError]]:
    """Yield ``fetch`` results page by page from ``request.page``; stop after a failure."""
    page: int | None = request.page
    while page is not None:
        result = fetch(msgspec.structs.replace(request, page=page))
        yield result
        page = next_page(result.unwrap()) if isinstance(result, Success) else None
