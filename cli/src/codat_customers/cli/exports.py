"""Streaming a whole company: every page of customers to JSON Lines, JSON, CSV or tables,
and company snapshots for the sandbox. One page is in memory at a time, whatever the size.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from datetime import datetime, timezone

import msgspec
from codat_customers.core.models import Customer, Customers
from rich.console import Console
from rich.progress import Progress, TaskID

from codat_customers import CodatCustomers
from codat_customers.models.operations import ListCustomersRequestTypedDict

from .failures import unwrap
from .render import (
    CUSTOMER_COLUMNS,
    ByteSink,
    CsvRows,
    OutputFormat,
    customer_row,
    customers_table,
)

__all__ = ["SNAPSHOT_FORMAT", "SNAPSHOT_VERSION", "export_customers", "export_snapshot"]

SNAPSHOT_FORMAT = "codat-customers-snapshot"
"""The ``format`` of a snapshot's first line (``codat-customers sandbox --snapshot`` checks it)."""
SNAPSHOT_VERSION = 1
"""The snapshot layout written here."""

_ENCODER = msgspec.json.Encoder()


class _PageBar:
    """Advances a page bar, sized from the first page's ``totalResults``."""

    def __init__(self, progress: Progress, description: str, unit: str) -> None:
        self._progress = progress
        self._description = description
        self._unit = unit
        self._task: TaskID | None = None
        self.items = 0

    def page_done(self, page: Customers, first_page: int) -> None:
        if self._task is None:
            pages = max(1, math.ceil(page.total_results / max(page.page_size, 1)))
            self._task = self._progress.add_task(
                self._description,
                total=max(1, pages - first_page + 1),
                items=0,
                unit=self._unit,
            )
        self.items += len(page.results or [])
        self._progress.update(self._task, advance=1, items=self.items)

    def finish(self) -> None:
        if self._task is not None:
            # A company that shrank while it was read has fewer pages than announced.
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, total=task.completed)


def _page_writer(
    out: ByteSink, output: OutputFormat, table_console: Console | None
) -> tuple[Callable[[list[Customer]], None], Callable[[], None]]:
    """A function writing one page's customers in ``output``, and one closing the output."""
    if output is OutputFormat.JSONL:

        def jsonl(customers: list[Customer]) -> None:
            out.write(b"".join([_ENCODER.encode(c) + b"\n" for c in customers]))

        return jsonl, lambda: None
    if output is OutputFormat.JSON:
        started = [False]

        def json_array(customers: list[Customer]) -> None:
            if not customers:
                return
            lead = b",\n" if started[0] else b"[\n"
            started[0] = True
            out.write(lead + b",\n".join([_ENCODER.encode(c) for c in customers]))

        def close_array() -> None:
            out.write(b"\n]\n" if started[0] else b"[]\n")

        return json_array, close_array
    if output is OutputFormat.CSV:
        rows = CsvRows(out, CUSTOMER_COLUMNS)
        return (lambda customers: rows.write([customer_row(c) for c in customers])), lambda: None

    first = [True]

    def table(customers: list[Customer]) -> None:
        rendered = customers_table(customers, header=first[0])
        first[0] = False
        if table_console is not None:
            table_console.print(rendered, highlight=False)
        else:
            buffer = io.StringIO()
            Console(file=buffer, width=160, color_system=None).print(rendered, highlight=False)
            out.write(buffer.getvalue().encode())

    return table, lambda: None


def export_customers(
    client: CodatCustomers,
    request: ListCustomersRequestTypedDict,
    out: ByteSink,
    output: OutputFormat,
    progress: Progress,
    *,
    table_console: Console | None = None,
) -> int:
    """Write every customer from ``request``'s page on to ``out``; return how many.

    Tables go to ``table_console`` when given (a terminal), else are rendered as text.
    """
    write, close = _page_writer(out, output, table_console)
    bar = _PageBar(progress, "customers", "customers")
    first_page = request.get("page", 1)
    for result in client.iter_pages(request):
        page = unwrap(result, client.server_url)
        customers = page.results or []
        write(customers)
        bar.page_done(page, first_page)
    close()
    bar.finish()
    return bar.items


def export_snapshot(
    client: CodatCustomers,
    company_id: str,
    connection_id: str | None,
    out: ByteSink,
    progress: Progress,
    *,
    page_size: int,
) -> tuple[int, int]:
    """Write a company's customers (and, with a connection, attachment metadata) as a
    snapshot; return the numbers of customers and attachments.

    The snapshot is JSON Lines: a header ``{"format": "codat-customers-snapshot",
    "version": 1, "companyId", "connectionId", "exportedAt"}``, then one line per customer
    ``{"customer": {...}}`` and, after each page's customers, one line per attachment
    ``{"attachment": {...}, "customerId": "..."}``; documents are in the API's own JSON.
    """
    header = {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "companyId": company_id,
        "connectionId": connection_id,
        "exportedAt": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    out.write(_ENCODER.encode(header) + b"\n")
    bar = _PageBar(progress, "snapshot", "customers")
    attachments = 0
    request: ListCustomersRequestTypedDict = {"company_id": company_id, "page_size": page_size}
    for result in client.iter_pages(request):
        page = unwrap(result, client.server_url)
        customers = page.results or []
        out.write(b"".join([b'{"customer":' + _ENCODER.encode(c) + b"}\n" for c in customers]))
        if connection_id is not None:
            for customer in customers:
                if not isinstance(customer.id, str):
                    continue
                listed = unwrap(
                    client.list_attachments(
                        {
                            "company_id": company_id,
                            "connection_id": connection_id,
                            "customer_id": customer.id,
                        }
                    ),
                    client.server_url,
                )
                found = listed.attachments if isinstance(listed.attachments, list) else []
                for attachment in found:
                    line = {"attachment": attachment, "customerId": customer.id}
                    out.write(_ENCODER.encode(line) + b"\n")
                attachments += len(found)
        bar.page_done(page, 1)
    bar.finish()
    return bar.items, attachments
