"""List paging: reading ``page``/``pageSize`` and building the ``_links`` of a page."""

from __future__ import annotations

from urllib.parse import quote, unquote_plus

from codat_customers.core.models import HalRef, Links
from starlette.datastructures import QueryParams

from .errors import ApiError

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE", "MAX_PAGE_SIZE", "page_links", "read_paging"]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 5000
MAX_PAGE = 2**31 - 1
"""``page`` is an int32 in the contract."""

# Characters kept as sent in link query strings; the rest (braces, pipes, spaces) are
# percent-encoded so that every href is a valid URI reference.
_QUERY_SAFE = "=&%!~*'()-._;:@,/?+$"


def _integer(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            400, f"Error processing request - {name} must be an integer; got '{raw}'."
        ) from None
    if not low <= value <= high:
        raise ApiError(
            400, f"Error processing request - {name} must be between {low} and {high}; got {value}."
        )
    return value


def read_paging(params: QueryParams) -> tuple[int, int]:
    """``(page, page_size)`` from the query string; 400 if out of range."""
    page = _integer(params, "page", 1, 1, MAX_PAGE)
    size = _integer(params, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    return page, size


def _with_page(raw_query: str, page: int) -> str:
    parts: list[str] = []
    replaced = False
    for part in raw_query.split("&"):
        if not part:
            continue
        if unquote_plus(part.split("=", 1)[0]) == "page":
            if not replaced:
                parts.append(f"page={page}")
                replaced = True
            continue
        parts.append(part)
    if not replaced:
        parts.insert(0, f"page={page}")
    return "&".join(parts)


def page_links(path: str, raw_query: str, page: int, size: int, total: int) -> Links:
    """``self`` (no query), ``current`` (query as sent), ``next``/``previous`` if they exist."""
    base = quote(path, safe="/")
    query = quote(raw_query, safe=_QUERY_SAFE)

    def href(query_string: str) -> HalRef:
        return HalRef(href=f"{base}?{query_string}" if query_string else base)

    links = Links(self_=HalRef(href=base), current=href(query))
    if page * size < total:
        links.next = href(_with_page(query, page + 1))
    if page > 1:
        links.previous = href(_with_page(query, page - 1))
    return links
