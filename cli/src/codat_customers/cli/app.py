"""The ``codat-customers`` commands (Typer), each a thin layer over `CodatCustomers`."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import runpy
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, NoReturn

import msgspec
import typer
from codat_customers.core import HttpRequest, RequestValidationError
from codat_customers.core.models import PushOperation
from codat_customers.plugins import CallContext, hookimpl
from msgspec import UNSET
from rich.console import Console
from rich.text import Text

from codat_customers import CodatCustomers
from codat_customers.models.operations import ListCustomersRequestTypedDict

from .exports import export_customers, export_snapshot
from .failures import (
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CliFailure,
    failure_for,
    unwrap,
)
from .outputs import ConsoleLines, atomic_file, bytes_progress, output_to, pages_progress
from .render import (
    ATTACHMENT_COLUMNS,
    CUSTOMER_COLUMNS,
    MODEL_COLUMNS,
    CsvRows,
    OutputFormat,
    attachment_row,
    attachments_table,
    customer_row,
    customers_table,
    encode_json,
    encode_jsonl,
    flatten,
    model_rows,
    model_tree,
    print_table,
    push_summary,
    record_table,
)

__all__ = ["IdempotencyKeyPlugin", "Settings", "app"]

_HELP = """\
Codat's Customers API from the command line: list, get, create and update customers, read
the create/update model, list and download attachments, export a whole company to JSON Lines
or CSV, and snapshot a company for the local sandbox.

Global options go before the command: codat-customers --output csv list COMPANY_ID --all.
The API key is read from --api-key or CODAT_API_KEY (the raw key; it is never printed).
Exit status: 0 ok, 2 usage error or bad input, 3 API error, 4 transport error, 130 Ctrl-C.
"""

app = typer.Typer(
    name="codat-customers",
    help=_HELP,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
attachments_app = typer.Typer(
    help="A customer's attachments: list them, read one's metadata, download one.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(attachments_app, name="attachments")


class IdempotencyKeyPlugin:
    """Sends a given ``Idempotency-Key`` on a create (the SDK's own plugin keeps it).

    Registered after the built-in plugins, so its header wins over the generated one; every
    retry of the call carries it too, since the prepare hook runs once per call.
    """

    def __init__(self, key: str) -> None:
        self.key = key

    @hookimpl
    def codat_prepare_request(self, request: HttpRequest, context: CallContext) -> dict[str, str]:
        """Set the header on POST requests."""
        return {"idempotency-key": self.key} if request.method == "POST" else {}


@dataclass
class Settings:
    """The global options, and the consoles and client built from them."""

    server_url: str | None
    api_key: str | None = field(repr=False)
    timeout: float | None
    retries: bool
    output: OutputFormat | None
    verbose: bool
    quiet: bool
    err: Console = field(
        default_factory=lambda: Console(stderr=True, highlight=False, soft_wrap=True)
    )
    out: Console = field(default_factory=lambda: Console(highlight=False))

    def client(self, plugins: Sequence[object] = ()) -> CodatCustomers:
        """The SDK client these options describe."""
        if not self.api_key:
            raise CliFailure(
                "no API key: pass --api-key KEY or set CODAT_API_KEY (the raw key)", EXIT_USAGE
            )
        try:
            return CodatCustomers(
                self.api_key,
                server_url=self.server_url,
                retry_config=UNSET if self.retries else None,
                timeout_ms=None if self.timeout is None else max(1, round(self.timeout * 1000)),
                plugins=plugins,
            )
        except RequestValidationError as exc:
            raise failure_for(exc, self.server_url or "") from None

    @property
    def terminal(self) -> bool:
        """Whether stdout is a terminal (tables by default, progress bars)."""
        return sys.stdout.isatty()

    def progress_enabled(self) -> bool:
        """Progress bars draw on stderr only when stdout and stderr are terminals, unquiet."""
        return not self.quiet and self.terminal and sys.stderr.isatty()

    def format_for(
        self, file: Path | None = None, piped: OutputFormat = OutputFormat.JSON
    ) -> OutputFormat:
        """``--output``, else from the file's suffix, else a table on a terminal, else ``piped``."""
        if self.output is not None:
            return self.output
        if file is not None and str(file) != "-":
            suffixes = "".join(file.suffixes).removesuffix(".gz")
            for suffix, fmt in (
                (".csv", OutputFormat.CSV),
                (".jsonl", OutputFormat.JSONL),
                (".ndjson", OutputFormat.JSONL),
                (".json", OutputFormat.JSON),
            ):
                if suffixes.endswith(suffix):
                    return fmt
            return piped
        return OutputFormat.TABLE if self.terminal else piped

    def note(self, message: str) -> None:
        """A remark on stderr, unless ``--quiet``."""
        if not self.quiet:
            self.err.print(Text(message, style="dim"))


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


@contextlib.contextmanager
def _reported(settings: Settings) -> Iterator[None]:
    """Turn failures into plain words on stderr and the documented exit codes."""
    try:
        yield
    except CliFailure as failure:
        settings.err.print(Text("Error: ", style="bold red") + Text(failure.message))
        for line in failure.details:
            settings.err.print(Text(f"  {line}"))
        raise typer.Exit(failure.exit_code) from None
    except KeyboardInterrupt:
        settings.err.print(Text("Interrupted: no file was left half-written.", style="yellow"))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python's exit-time flush of
        # stdout from complaining.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(0) from None


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version  # noqa: PLC0415

        typer.echo(f"codat-customers {version('codat-customers-cli')}")
        raise typer.Exit


@app.callback()
def main_options(
    ctx: typer.Context,
    server_url: Annotated[
        str | None,
        typer.Option(
            "--server-url",
            envvar="CODAT_SERVER_URL",
            help="Base URL of the API (default: https://api.codat.io).",
            show_default=False,
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar="CODAT_API_KEY",
            help="Your Codat API key, as issued (sent as a Basic header; never printed).",
            show_default=False,
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.001, help="Connect and read timeout, in seconds."),
    ] = None,
    retries: Annotated[
        bool,
        typer.Option(
            "--retries/--no-retries",
            help="Retry rate limits, 5xx and connection failures with backoff (safe for creates).",
        ),
    ] = True,
    output: Annotated[
        OutputFormat | None,
        typer.Option(
            "--output",
            "-o",
            case_sensitive=False,
            help="table, json, jsonl or csv (default: a table on a terminal, JSON when piped).",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Log every request on stderr (no headers, bodies or key)."
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars and no remarks on stderr.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Options that apply to every command."""
    if verbose and quiet:
        raise typer.BadParameter("--verbose and --quiet cannot be used together")
    ctx.obj = Settings(server_url, api_key, timeout, retries, output, verbose, quiet)
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger = logging.getLogger("codat_customers")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


CompanyId = Annotated[str, typer.Argument(help="The company's id.", show_default=False)]
ConnectionId = Annotated[str, typer.Argument(help="The data connection's id.", show_default=False)]
CustomerId = Annotated[str, typer.Argument(help="The customer's id.", show_default=False)]
AttachmentId = Annotated[str, typer.Argument(help="The attachment's id.", show_default=False)]
OutFile = Annotated[
    Path | None,
    typer.Option(
        "--file",
        "-f",
        help="Write to this file (atomically: complete or not at all) instead of stdout.",
        dir_okay=False,
        show_default=False,
    ),
]


def _emit(settings: Settings, file: Path | None, payload: bytes) -> None:
    with output_to(file) as out:
        out.write(payload)


def _show(settings: Settings, file: Path | None, renderable: Any) -> None:
    """Print a table or tree to the terminal, or render it as text into ``file``."""
    if file is None or str(file) == "-":
        print_table(settings.out, renderable)
        return
    with atomic_file(file) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8")
        Console(file=text, width=160, color_system=None).print(renderable, highlight=False)
        text.flush()
        text.detach()  # the atomic file closes the handle, not the wrapper


# --- customers -----------------------------------------------------------------------------


@app.command("list")
def list_customers(
    ctx: typer.Context,
    company_id: CompanyId,
    query: Annotated[
        str | None,
        typer.Option(help="Filter in Codat's query language, e.g. 'status=Active'."),
    ] = None,
    order_by: Annotated[
        str | None, typer.Option(help="Sort field; prefix '-' for descending: -modifiedDate.")
    ] = None,
    page: Annotated[
        int | None, typer.Option(min=1, help="Page number (default 1).", show_default=False)
    ] = None,
    page_size: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=5000,
            help="Customers per page (default 100; 1000 with --all).",
            show_default=False,
        ),
    ] = None,
    all_pages: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every page, streamed with one page in memory; a progress bar on a terminal.",
        ),
    ] = False,
    file: OutFile = None,
) -> None:
    """List a company's customers: one page, or every page with --all.

    Examples: codat-customers list COMPANY_ID --query 'status=Active' --page-size 20;
    codat-customers --output csv list COMPANY_ID --all --file customers.csv
    """
    settings = _settings(ctx)
    with _reported(settings):
        if all_pages and page is not None:
            raise CliFailure("--page and --all cannot be used together", EXIT_USAGE)
        request: ListCustomersRequestTypedDict = {"company_id": company_id}
        if query is not None:
            request["query"] = query
        if order_by is not None:
            request["order_by"] = order_by
        if page is not None:
            request["page"] = page
        if all_pages:
            request["page_size"] = page_size or 1000
            _list_all(settings, request, file)
            return
        if page_size is not None:
            request["page_size"] = page_size
        client = settings.client()
        result = unwrap(client.list(request), client.server_url)
        customers = result.results or []
        output = settings.format_for(file)
        if output is OutputFormat.TABLE:
            _show(settings, file, customers_table(customers))
            pages = max(1, -(-result.total_results // max(result.page_size, 1)))
            settings.note(
                f"page {result.page_number} of {pages}, {result.total_results:,} customers"
                + (" (--page N for more, --all for every page)" if pages > 1 else "")
            )
        elif output is OutputFormat.JSON:
            _emit(settings, file, encode_json(result))
        elif output is OutputFormat.JSONL:
            _emit(settings, file, encode_jsonl(customers))
        else:
            with output_to(file) as out:
                CsvRows(out, CUSTOMER_COLUMNS).write([customer_row(c) for c in customers])


def _list_all(
    settings: Settings, request: ListCustomersRequestTypedDict, file: Path | None
) -> None:
    output = settings.format_for(file, piped=OutputFormat.JSONL)
    client = settings.client()
    to_stdout = file is None or str(file) == "-"
    progress = pages_progress(settings.err, enabled=settings.progress_enabled())
    with progress, output_to(file) as out:
        # On a terminal, rows are printed above the live bar, through its console.
        live = to_stdout and settings.progress_enabled()
        sink = ConsoleLines(progress.console) if live else out
        table_console = (
            (progress.console if live else settings.out)
            if to_stdout and output is OutputFormat.TABLE
            else None
        )
        count = export_customers(
            client, request, sink, output, progress, table_console=table_console
        )
    if not to_stdout:
        settings.note(f"wrote {count:,} customers to {file}")


@app.command("get")
def get_customer(ctx: typer.Context, company_id: CompanyId, customer_id: CustomerId) -> None:
    """Show one customer.

    Example: codat-customers get COMPANY_ID CUSTOMER_ID
    """
    settings = _settings(ctx)
    with _reported(settings):
        client = settings.client()
        customer = unwrap(
            client.get({"company_id": company_id, "customer_id": customer_id}),
            client.server_url,
        )
        _write_record(settings, customer, CUSTOMER_COLUMNS, customer_row(customer))


def _write_record(settings: Settings, record: Any, header: Sequence[str], row: list[str]) -> None:
    output = settings.format_for()
    if output is OutputFormat.TABLE:
        print_table(settings.out, record_table(record))
    elif output is OutputFormat.JSON:
        _emit(settings, None, encode_json(record))
    elif output is OutputFormat.JSONL:
        _emit(settings, None, encode_jsonl([record]))
    else:
        with output_to(None) as out:
            CsvRows(out, header).write([row])


BodyFile = Annotated[
    str,
    typer.Argument(
        help="JSON file with the customer (API field names, camelCase or snake_case); '-' "
        "reads stdin.",
        show_default=True,
    ),
]


def _read_body(source: str) -> Any:
    """The JSON body from a file or stdin, or a usage failure saying what is wrong."""
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        raise CliFailure(
            f"cannot read the body file {source}: {exc.strerror}", EXIT_USAGE
        ) from None
    name = "stdin" if source == "-" else source
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise CliFailure(f"the body in {name} is not valid JSON: {exc}", EXIT_USAGE) from None
    if not isinstance(body, dict):
        raise CliFailure(
            f"the body in {name} must be a JSON object (a customer), got {type(body).__name__}",
            EXIT_USAGE,
        )
    return body


def _push_result(settings: Settings, operation: PushOperation) -> None:
    output = settings.format_for()
    if output is OutputFormat.TABLE:
        print_table(settings.out, push_summary(operation))
    elif output is OutputFormat.JSON:
        _emit(settings, None, encode_json(operation))
    elif output is OutputFormat.JSONL:
        _emit(settings, None, encode_jsonl([operation]))
    else:
        flat = flatten(msgspec.to_builtins(operation))
        with output_to(None) as out:
            CsvRows(out, list(flat)).write([list(flat.values())])
    if operation.status == "Pending":
        settings.note(
            f"the push is Pending; the record is written when it completes. Follow it with "
            f"--wait, or read push operation {operation.push_operation_key} later."
        )
        return
    if operation.status != "Success":
        doc: dict[str, Any] = msgspec.to_builtins(operation)
        details = [
            f"validation {kind[:-1]} {item.get('itemId', '-')}: {item.get('message', '')}"
            for kind in ("errors", "warnings")
            for item in (doc.get("validation") or {}).get(kind) or []
        ]
        message = doc.get("errorMessage") or "no message"
        raise CliFailure(
            f"the push ended {operation.status} ({operation.status_code}): {message}",
            EXIT_API,
            details,
        )


TimeoutMinutes = Annotated[
    int | None,
    typer.Option(min=0, help="Minutes the platform may take before the push times out."),
]
Wait = Annotated[
    bool,
    typer.Option(
        "--wait",
        help="Wait until the push completes (Success, Failed or TimedOut) and show that; a push "
        "usually answers Pending first.",
    ),
]
WaitTimeout = Annotated[
    float,
    typer.Option(
        min=0.001, help="Seconds --wait waits before giving up (the push may still complete)."
    ),
]


def _completed(
    client: CodatCustomers, operation: PushOperation, wait: bool, timeout: float
) -> PushOperation:
    """``operation``, or with ``wait`` its final state (polling the push operation)."""
    if not wait:
        return operation
    return unwrap(client.wait_for_push(operation, timeout_s=timeout), client.server_url)


@app.command("create")
def create_customer(
    ctx: typer.Context,
    company_id: CompanyId,
    connection_id: ConnectionId,
    body: BodyFile = "-",
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            help="Send this Idempotency-Key (default: a new one per command, reused by its "
            "retries); repeat a command with the same key and Codat creates nothing twice.",
            show_default=False,
        ),
    ] = None,
    timeout_in_minutes: TimeoutMinutes = None,
    wait: Wait = False,
    wait_timeout: WaitTimeout = 300.0,
) -> None:
    """Create a customer from a JSON body; it is checked before anything is sent.

    Example: codat-customers create COMPANY_ID CONNECTION_ID customer.json --idempotency-key K
    """
    settings = _settings(ctx)
    with _reported(settings):
        customer = _read_body(body)
        plugins = [IdempotencyKeyPlugin(idempotency_key)] if idempotency_key else []
        client = settings.client(plugins)
        request: dict[str, Any] = {
            "company_id": company_id,
            "connection_id": connection_id,
            "customer": customer,
        }
        if timeout_in_minutes is not None:
            request["timeout_in_minutes"] = timeout_in_minutes
        operation = unwrap(client.create(request), client.server_url)  # type: ignore[arg-type]
        _push_result(settings, _completed(client, operation, wait, wait_timeout))


@app.command("update")
def update_customer(
    ctx: typer.Context,
    company_id: CompanyId,
    connection_id: ConnectionId,
    customer_id: CustomerId,
    body: BodyFile = "-",
    force_update: Annotated[
        bool,
        typer.Option(help="Update even if the customer changed in the platform since you read it."),
    ] = False,
    timeout_in_minutes: TimeoutMinutes = None,
    wait: Wait = False,
    wait_timeout: WaitTimeout = 300.0,
) -> None:
    """Update a customer from a JSON body (the whole customer); checked before sending.

    Example: codat-customers update COMPANY_ID CONNECTION_ID CUSTOMER_ID customer.json
    """
    settings = _settings(ctx)
    with _reported(settings):
        customer = _read_body(body)
        client = settings.client()
        request: dict[str, Any] = {
            "company_id": company_id,
            "connection_id": connection_id,
            "customer_id": customer_id,
            "customer": customer,
            "force_update": force_update,
        }
        if timeout_in_minutes is not None:
            request["timeout_in_minutes"] = timeout_in_minutes
        operation = unwrap(client.update(request), client.server_url)  # type: ignore[arg-type]
        _push_result(settings, _completed(client, operation, wait, wait_timeout))


@app.command("model")
def create_update_model(
    ctx: typer.Context, company_id: CompanyId, connection_id: ConnectionId
) -> None:
    """Show the fields the connection's platform expects on create and update, as a tree.

    Example: codat-customers model COMPANY_ID CONNECTION_ID
    """
    settings = _settings(ctx)
    with _reported(settings):
        client = settings.client()
        model = unwrap(
            client.get_create_update_model(
                {"company_id": company_id, "connection_id": connection_id}
            ),
            client.server_url,
        )
        output = settings.format_for()
        if output is OutputFormat.TABLE:
            print_table(settings.out, model_tree(model))
        elif output is OutputFormat.JSON:
            _emit(settings, None, encode_json(model))
        elif output is OutputFormat.JSONL:
            _emit(settings, None, encode_jsonl([model]))
        else:
            with output_to(None) as out:
                CsvRows(out, MODEL_COLUMNS).write(model_rows(model))


# --- attachments ---------------------------------------------------------------------------


@attachments_app.command("list")
def list_attachments(
    ctx: typer.Context,
    company_id: CompanyId,
    connection_id: ConnectionId,
    customer_id: CustomerId,
) -> None:
    """List a customer's attachments.

    Example: codat-customers attachments list COMPANY_ID CONNECTION_ID CUSTOMER_ID
    """
    settings = _settings(ctx)
    with _reported(settings):
        client = settings.client()
        dataset = unwrap(
            client.list_attachments(
                {
                    "company_id": company_id,
                    "connection_id": connection_id,
                    "customer_id": customer_id,
                }
            ),
            client.server_url,
        )
        found = dataset.attachments if isinstance(dataset.attachments, list) else []
        output = settings.format_for()
        if output is OutputFormat.TABLE:
            print_table(settings.out, attachments_table(found))
        elif output is OutputFormat.JSON:
            _emit(settings, None, encode_json(dataset))
        elif output is OutputFormat.JSONL:
            _emit(settings, None, encode_jsonl(found))
        else:
            with output_to(None) as out:
                CsvRows(out, ATTACHMENT_COLUMNS).write([attachment_row(a) for a in found])


@attachments_app.command("get")
def get_attachment(
    ctx: typer.Context,
    company_id: CompanyId,
    connection_id: ConnectionId,
    customer_id: CustomerId,
    attachment_id: AttachmentId,
) -> None:
    """Show one attachment's metadata.

    Example: codat-customers attachments get COMPANY_ID CONNECTION_ID CUSTOMER_ID ATTACHMENT_ID
    """
    settings = _settings(ctx)
    with _reported(settings):
        client = settings.client()
        attachment = unwrap(
            client.get_attachment(
                {
                    "company_id": company_id,
                    "connection_id": connection_id,
                    "customer_id": customer_id,
                    "attachment_id": attachment_id,
                }
            ),
            client.server_url,
        )
        _write_record(settings, attachment, ATTACHMENT_COLUMNS, attachment_row(attachment))


_FILENAME = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.IGNORECASE)


def _suggested_name(disposition: str, fallback: str) -> str:
    from urllib.parse import unquote  # noqa: PLC0415

    names = [unquote(m) for m in _FILENAME.findall(disposition)]
    # The last is filename*=, the UTF-8 form, when the server sent both.
    name = Path(names[-1]).name if names else ""
    return name if name and name not in {".", ".."} else fallback


@attachments_app.command("download")
def download_attachment(
    ctx: typer.Context,
    company_id: CompanyId,
    connection_id: ConnectionId,
    customer_id: CustomerId,
    attachment_id: AttachmentId,
    destination: Annotated[
        str | None,
        typer.Argument(
            help="File or folder to save to; '-' writes to stdout (default: the attachment's "
            "own file name, in the current folder).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Download an attachment's bytes, streamed, with a progress bar on a terminal.

    The file is written under a temporary name and renamed when complete, so an error or
    Ctrl-C never leaves half a file. Example:
    codat-customers attachments download COMPANY_ID CONNECTION_ID CUSTOMER_ID ATTACHMENT_ID ./files/
    """
    settings = _settings(ctx)
    with _reported(settings):
        client = settings.client()
        download = unwrap(
            client.download_attachment(
                {
                    "company_id": company_id,
                    "connection_id": connection_id,
                    "customer_id": customer_id,
                    "attachment_id": attachment_id,
                }
            ),
            client.server_url,
        )
        with download:
            if destination == "-":
                target = None
            else:
                name = _suggested_name(
                    download.headers.get("content-disposition", ""), attachment_id
                )
                target = Path(destination) if destination else Path(name)
                if target.is_dir():
                    target = target / name
            length = download.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            progress = bytes_progress(settings.err, enabled=settings.progress_enabled())
            written = 0
            with progress, output_to(target) as out:
                task = progress.add_task(target.name if target else "stdout", total=total)
                for chunk in download.iter_bytes():
                    written += out.write(chunk)
                    progress.update(task, advance=len(chunk))
        if target is not None:
            settings.note(f"saved {written:,} bytes to {target}")


# --- snapshots, the sandbox and the demo ---------------------------------------------------


@app.command("export-snapshot")
def snapshot_export(
    ctx: typer.Context,
    company_id: CompanyId,
    file: Annotated[
        Path,
        typer.Argument(
            help="The snapshot file (JSON Lines; gzip-compressed if it ends in .gz).",
            dir_okay=False,
        ),
    ],
    connection_id: Annotated[
        str | None,
        typer.Option(
            help="A connection of the company: with it, every customer's attachment "
            "metadata is exported too (one request per customer).",
            show_default=False,
        ),
    ] = None,
    page_size: Annotated[int, typer.Option(min=1, max=5000, help="Customers per request.")] = 1000,
) -> None:
    """Write a company's customers (and attachment metadata) to one file, for
    'codat-customers sandbox --snapshot FILE' to serve offline.

    Example: codat-customers export-snapshot COMPANY_ID acme.snapshot.jsonl --connection-id ID
    """
    settings = _settings(ctx)
    with _reported(settings):
        client = settings.client()
        progress = pages_progress(settings.err, enabled=settings.progress_enabled())
        with progress, atomic_file(file) as out:
            customers, attachments = export_snapshot(
                client, company_id, connection_id, out, progress, page_size=page_size
            )
        settings.note(f"wrote {customers:,} customers and {attachments:,} attachments to {file}")


_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


def _exit(code: int) -> NoReturn:
    raise typer.Exit(code)


@app.command("sandbox", context_settings=_PASS_THROUGH, add_help_option=False)
def sandbox(ctx: typer.Context) -> None:
    """Serve a local, stateful Codat Customers API (see: codat-customers sandbox --help).

    Add --snapshot FILE to serve a snapshot written by export-snapshot.
    """
    try:
        from codat_customers.sandbox.cli import main as sandbox_main  # noqa: PLC0415
    except ImportError:
        _settings(ctx).err.print(
            "Error: the sandbox is not installed: pip install 'codat-customers[sandbox]'"
        )
        _exit(EXIT_USAGE)
    _exit(sandbox_main(["sandbox", *ctx.args]))


def _demo_script() -> Path | None:
    """examples/demo.py of the source tree this command runs from (or the current folder)."""
    here = Path(__file__).resolve()
    for folder in (Path.cwd(), *here.parents):
        candidate = folder / "examples" / "demo.py"
        if candidate.is_file():
            return candidate
    return None


@app.command("demo", context_settings=_PASS_THROUGH, add_help_option=False)
def demo(ctx: typer.Context) -> None:
    """Run the README's demo (examples/demo.py): all eight operations against a local sandbox.

    Its own options (codat-customers demo --help): --server-url URL --api-key KEY.
    """
    script = _demo_script()
    if script is None:
        _settings(ctx).err.print(
            "Error: examples/demo.py ships with the source repository; run this from a clone."
        )
        _exit(EXIT_USAGE)
    argv = sys.argv
    sys.argv = [str(script), *ctx.args]
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        code = exc.code
        _exit(code if isinstance(code, int) else (0 if code is None else 1))
    finally:
        sys.argv = argv
