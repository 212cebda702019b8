"""Paging arithmetic shared by the sync and async page iterators."""

from __future__ import annotations

from codat_customers.core.models import Customers

__all__ = ["next_page"]


def next_page(page: Customers) -> int | None:
    """The number of the page after ``page``, or ``None`` when ``page`` is the last.

    Follows ``pageNumber``/``pageSize``/``totalResults``; an empty page also ends paging,
    so a server that miscounts can never make the iterators loop forever.
    """
    if not page.results or page.page_number * page.page_size >= page.total_results:
        return None
    return page.page_number + 1
