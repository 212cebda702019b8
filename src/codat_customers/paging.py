"""Paging shared by the sync and async page iterators: the arithmetic, one plan, two drivers.

:class:`PagePlan` is the one place that decides which pages to fetch and when paging ends.
It is pure (no I/O, threads or event loop): the first page is fetched alone, and once it
gives ``totalResults`` the plan hands out the following page numbers, at most
``concurrency`` of them in flight, while the pages are consumed strictly in order.
:func:`iter_pages` drives it with a thread pool and :func:`aiter_pages` with asyncio tasks;
both stop every request still in flight when the consumer stops early or a page fails.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from typing import Generic, TypeVar

import msgspec
from returns.result import Result, Success

from codat_customers.core import LIST, CodatError
from codat_customers.core.models import Customers
from codat_customers.core.requests import ListCustomersRequest

__all__ = [
    "DEFAULT_PAGE_CONCURRENCY",
    "AsyncPages",
    "Pages",
    "MAX_PAGE_CONCURRENCY",
    "PagePlan",
    "aiter_pages",
    "checked_concurrency",
    "iter_pages",
    "next_page",
]

F = TypeVar("F")

DEFAULT_PAGE_CONCURRENCY = 1
"""Pages fetched at a time unless asked otherwise: one, as before concurrency existed.

More is opt-in: it uses worker threads (sync) or tasks (async), so the transport and every
plugin must be thread-safe (the built-in ones are; a custom one may not be), it holds up to
that many pages in memory, and it spends part of the company's budget of concurrent
requests, which the caller may already be using elsewhere (docs/scale.md).
"""
MAX_PAGE_CONCURRENCY = 10
"""Codat allows 10 concurrent requests per company; one listing never asks for more."""

Fetch = Callable[[object], Result[Customers, CodatError]]
"""Fetches one page: a list request (the caller's dict or struct) in, its ``Result`` out."""
AsyncFetch = Callable[[object], Awaitable[Result[Customers, CodatError]]]
"""Async :data:`Fetch`."""
Pages = Generator[Result[Customers, CodatError], None, None]
"""The pages of a listing; ``close()`` stops the requests in flight."""
AsyncPages = AsyncGenerator[Result[Customers, CodatError], None]
"""Async :data:`Pages`; ``aclose()`` cancels the requests in flight."""


def next_page(page: Customers) -> int | None:
    """The number of the page after ``page``, or ``None`` when ``page`` is the last.

    Follows ``pageNumber``/``pageSize``/``totalResults``; an empty page also ends paging,
    so a server that miscounts can never make the iterators loop forever.
    """
    if not page.results or page.page_number * page.page_size >= page.total_results:
        return None
    return page.page_number + 1


def checked_concurrency(concurrency: object) -> int:
    """``concurrency`` if it is an int from 1 to :data:`MAX_PAGE_CONCURRENCY`; else ValueError."""
    if (
        isinstance(concurrency, bool)
        or not isinstance(concurrency, int)
        or not 1 <= concurrency <= MAX_PAGE_CONCURRENCY
    ):
        raise ValueError(
            f"concurrency must be an int from 1 to {MAX_PAGE_CONCURRENCY} (Codat allows "
            f"{MAX_PAGE_CONCURRENCY} concurrent requests per company), got {concurrency!r}"
        )
    return concurrency


class PagePlan:
    """Which page requests to start, and when paging is over; pure and single-threaded.

    The driver calls :meth:`start` for the requests to send now (the first page alone, then
    up to ``concurrency`` following pages), and :meth:`arrived` with each result in page
    order. Paging ends after a failure, after the last page ``totalResults`` promises, at an
    empty page, or when the server answers with another page than the one asked for (a
    server that ignores ``page`` would otherwise repeat page 1 for ever).
    """

    def __init__(self, request: object, concurrency: int) -> None:
        self._request = request
        self._concurrency = checked_concurrency(concurrency)
        self._first: ListCustomersRequest | None = None  # the first request, once answered
        self._next_number = 0  # the next page number to start
        self._last_number = 0  # the last page known to exist
        self._expected = 0  # the page number the oldest request in flight asked for
        self._in_flight = 0
        self._started = False
        self.finished = False
        """True once no more pages are wanted (results in flight are then discarded)."""

    def start(self) -> list[object]:
        """The requests to send now, oldest first."""
        if self.finished:
            return []
        if not self._started:
            self._started = True
            self._in_flight = 1
            # The caller's request as it is: the call's own validation reports any problem.
            return [self._request]
        first = self._first
        starts: list[object] = []
        while (
            first is not None
            and self._in_flight < self._concurrency
            and self._next_number <= self._last_number
        ):
            starts.append(msgspec.structs.replace(first, page=self._next_number))
            self._next_number += 1
            self._in_flight += 1
        return starts

    def arrived(self, result: Result[Customers, CodatError]) -> None:
        """Record the result of the oldest request in flight (results come in page order)."""
        self._in_flight -= 1
        if not isinstance(result, Success):
            self.finished = True
            return
        page: Customers = result.unwrap()
        if self._first is None:
            # The first request was just answered, so coercing it again cannot fail.
            self._first = LIST.coerce(self._request)
            self._expected = self._first.page
        following = next_page(page)
        if following is None or page.page_number != self._expected:
            self.finished = True
            return
        self._expected = following
        self._next_number = max(self._next_number, following)
        # ``-(-a // b)`` rounds up: the pages ``totalResults`` needs (the latest count wins).
        self._last_number = -(-page.total_results // max(page.page_size, 1))

    @property
    def concurrency(self) -> int:
        """The most requests this plan has in flight at once."""
        return self._concurrency


class _InFlight(Generic[F]):
    """The drivers' queue of requests in flight, oldest first."""

    def __init__(self) -> None:
        self.queue: collections.deque[F] = collections.deque()

    def drain(self) -> list[F]:
        """Everything still queued (the consumer stopped, or paging ended early)."""
        pending = list(self.queue)
        self.queue.clear()
        return pending


def iter_pages(fetch: Fetch, request: object, concurrency: int = DEFAULT_PAGE_CONCURRENCY) -> Pages:
    """Every page from ``request.page`` on, in order, ``concurrency`` fetched at a time.

    With ``concurrency`` above 1 the pages are fetched by a pool of that many threads. When
    the consumer stops early (``break``, ``close()``) or a page fails, requests not yet
    started are cancelled and the ones running are waited for (each releases its own
    connection), so no request outlives the iterator.
    """
    plan = PagePlan(request, concurrency)
    if plan.concurrency == 1:
        return _sequential(plan, fetch)
    return _threaded(plan, fetch)


def _sequential(plan: PagePlan, fetch: Fetch) -> Pages:
    """One page at a time in the consumer's thread: no pool, no thread-safety needed."""
    while requests := plan.start():
        (page_request,) = requests
        result = fetch(page_request)
        plan.arrived(result)
        yield result


def _threaded(plan: PagePlan, fetch: Fetch) -> Pages:
    in_flight: _InFlight[concurrent.futures.Future[Result[Customers, CodatError]]] = _InFlight()
    pool = concurrent.futures.ThreadPoolExecutor(
        max_workers=plan.concurrency, thread_name_prefix="codat-pages"
    )
    try:
        while True:
            in_flight.queue.extend(pool.submit(fetch, page) for page in plan.start())
            if not in_flight.queue:
                return
            result = in_flight.queue.popleft().result()
            plan.arrived(result)
            # Start the next pages before handing this one over, so they load meanwhile.
            in_flight.queue.extend(pool.submit(fetch, page) for page in plan.start())
            yield result
            if plan.finished:
                return
    finally:
        for future in in_flight.drain():
            future.cancel()
        # Waits for the requests already running; each call releases its own response.
        pool.shutdown(wait=True, cancel_futures=True)


def aiter_pages(
    fetch: AsyncFetch, request: object, concurrency: int = DEFAULT_PAGE_CONCURRENCY
) -> AsyncPages:
    """Async :func:`iter_pages`: up to ``concurrency`` pages fetched by asyncio tasks.

    Closing the iterator early (``break`` then ``aclose()``, or the task being cancelled)
    cancels the tasks still in flight and waits for them, so each releases its connection.
    """
    return _tasks(PagePlan(request, concurrency), fetch)


async def _tasks(plan: PagePlan, fetch: AsyncFetch) -> AsyncPages:
    in_flight: _InFlight[asyncio.Task[Result[Customers, CodatError]]] = _InFlight()

    def start() -> None:
        in_flight.queue.extend(asyncio.ensure_future(fetch(page)) for page in plan.start())

    try:
        while True:
            start()
            if not in_flight.queue:
                return
            result = await in_flight.queue.popleft()
            plan.arrived(result)
            start()
            yield result
            if plan.finished:
                return
    finally:
        pending = in_flight.drain()
        for task in pending:
            task.cancel()
        # return_exceptions: the cancellations are expected; nothing here may mask the
        # reason the iterator is closing.
        await asyncio.gather(*pending, return_exceptions=True)
