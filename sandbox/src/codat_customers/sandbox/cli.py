"""The ``codat-customers`` command: ``codat-customers sandbox [options]`` serves the sandbox."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import msgspec
import uvicorn

from .app import DEMO_API_KEY, create_app, sandbox_state
from .faults import FaultConfig
from .server import bind_socket, uvicorn_config
from .snapshot import SnapshotError
from .writes import PushOutcomes, WriteConfig

if TYPE_CHECKING:
    from opentelemetry.trace import TracerProvider

__all__ = ["build_parser", "main"]


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be a fraction between 0 and 1")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if not value >= 0.0:
        raise argparse.ArgumentTypeError("must be a number of seconds, 0 or more")
    return value


def _outcomes(text: str) -> PushOutcomes:
    weights: dict[str, float] = {}
    for part in text.split(","):
        name, _, raw = part.partition("=")
        try:
            weights[name.strip().replace("-", "_")] = _non_negative(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected name=weight, got {part!r}") from None
    try:
        return msgspec.convert(
            {"success": 0.0, "failed": 0.0, "timed_out": 0.0, **weights}, PushOutcomes
        )
    except msgspec.ValidationError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``codat-customers``."""
    parser = argparse.ArgumentParser(
        prog="codat-customers", description="Tools of the codat-customers SDK."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    sandbox = commands.add_parser(
        "sandbox",
        help="run a local, stateful Codat Customers API",
        description="Serve a local, stateful imitation of Codat's Customers API.",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    sandbox.add_argument(
        "--db",
        default=None,
        help="SQLite file; kept across restarts (default: a temporary database)",
    )
    sandbox.add_argument("--seed", type=int, default=0, help="seed of the demo data (0)")
    sandbox.add_argument(
        "--customers", type=int, default=40, help="customers to seed into a new database (40)"
    )
    sandbox.add_argument(
        "--companies",
        type=int,
        default=0,
        help="more companies to seed, each with --customers customers of its own (0)",
    )
    sandbox.add_argument(
        "--snapshot",
        default=None,
        metavar="FILE",
        help="fill a new database from this snapshot (codat-customers export-snapshot) "
        "instead of seeding demo data",
    )
    sandbox.add_argument("--api-key", default=DEMO_API_KEY, help="the API key to accept")
    sandbox.add_argument("--log-level", default="warning", help="uvicorn log level")
    sandbox.add_argument(
        "--trace",
        action="store_true",
        help="print a SERVER span per request (JSON, standard output), continuing the client's"
        " traceparent; needs codat-customers-sandbox[tracing]",
    )
    writes = sandbox.add_argument_group("writes (how pushes complete)")
    writes.add_argument(
        "--push-mode",
        choices=("immediate", "async"),
        default="immediate",
        help="immediate: final status at once; async: Pending, then final (immediate)",
    )
    writes.add_argument(
        "--push-seconds",
        type=_non_negative,
        default=2.0,
        help="how long an async push stays Pending (2)",
    )
    writes.add_argument(
        "--push-outcomes",
        type=_outcomes,
        default=PushOutcomes(),
        metavar="success=W,failed=W,timed_out=W",
        help="weights of the final statuses of async pushes (success=1)",
    )
    writes.add_argument(
        "--sync-interval",
        type=_non_negative,
        default=None,
        metavar="SECONDS",
        help="written records show in list/get only this long after they land "
        "(or after POST /_sandbox/sync); default: at once",
    )
    faults = sandbox.add_argument_group("faults (all off by default)")
    faults.add_argument("--fault-seed", type=int, default=0, help="seed of random faults")
    faults.add_argument("--rate-limit", type=int, default=None, help="requests per window")
    faults.add_argument(
        "--rate-limit-window", type=float, default=60.0, help="window in seconds (60)"
    )
    faults.add_argument("--error-rate", type=_rate, default=0.0, help="fraction of 500/503")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="added latency")
    faults.add_argument(
        "--drop-connection-rate", type=_rate, default=0.0, help="fraction of cut connections"
    )
    faults.add_argument(
        "--truncate-json-rate", type=_rate, default=0.0, help="fraction of truncated JSON"
    )
    faults.add_argument(
        "--push-then-500-rate",
        type=_rate,
        default=0.0,
        help="fraction of pushes that write, then answer 500",
    )
    return parser


def _writes(args: argparse.Namespace) -> WriteConfig:
    return WriteConfig(
        push_mode=args.push_mode,
        push_seconds=args.push_seconds,
        outcomes=args.push_outcomes,
        sync_interval_seconds=args.sync_interval,
        seed=args.fault_seed,
    )


def _faults(args: argparse.Namespace) -> FaultConfig:
    return FaultConfig(
        seed=args.fault_seed,
        rate_limit=args.rate_limit,
        rate_limit_window=args.rate_limit_window,
        error_rate=args.error_rate,
        latency_ms=args.latency_ms,
        drop_connection_rate=args.drop_connection_rate,
        truncate_json_rate=args.truncate_json_rate,
        push_then_500_rate=args.push_then_500_rate,
    )


class _Stop(Exception):
    """Raised by the signal handler to end `run_sandbox` normally."""


def _stopped(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def _console_tracing() -> TracerProvider:
    from .tracing import console_tracer_provider  # noqa: PLC0415 - OpenTelemetry when asked

    return console_tracer_provider()


def run_sandbox(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM (uvicorn handles both and shuts down cleanly)."""
    try:
        app = create_app(
            db_path=Path(args.db) if args.db else None,
            seed=args.seed,
            customers=args.customers,
            api_key=args.api_key,
            faults=_faults(args),
            snapshot=args.snapshot,
            companies=args.companies,
            writes=_writes(args),
            tracer_provider=_console_tracing() if args.trace else None,
        )
    except SnapshotError as exc:
        print(f"codat-customers sandbox: error: {exc}", file=sys.stderr)
        return 2
    state = sandbox_state(app)
    sock = bind_socket(args.host, args.port)
    host = f"[{args.host}]" if ":" in args.host else args.host
    base_url = f"http://{host}:{sock.getsockname()[1]}"
    info = state.seed
    lines = [
        f"Codat Customers sandbox at {base_url}",
        f"  API key:       {state.api_key}",
        f"  Authorization: {state.auth_header}",
        f"  Database:      {state.store.path}",
    ]
    writes = state.writes.config
    if writes.push_mode == "async":
        lines.append(f"  Pushes:        Pending for {writes.push_seconds:g} s, then final")
    if writes.sync_interval_seconds is not None:
        lines.append(
            f"  Sync:          writes show {writes.sync_interval_seconds:g} s after landing"
        )
    snapshot = state.store.get_meta("snapshot")
    if snapshot is not None:
        lines.append(f"  Snapshot:      {snapshot}")
    if info is not None:
        lines += [
            f"  Company:       {info.company_id}",
            f"  Connection:    {info.connection_id}",
            f"  Customer with attachments: {info.customer_id}",
        ]
        if info.more_companies:
            lines.append(f"  More companies: {len(info.more_companies)} (GET /_sandbox/info)")
    lines.append("Press Ctrl-C to stop.")
    print("\n".join(lines), flush=True)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to the
    # handler that was installed before it; ours turns that into a normal exit, status 0.
    previous = {sig: signal.signal(sig, _stopped) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with contextlib.suppress(_Stop):
            uvicorn.Server(uvicorn_config(app, log_level=args.log_level)).run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
        state.store.close()
    print("Sandbox stopped.", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``codat-customers``."""
    args = build_parser().parse_args(argv)
    if args.command == "sandbox":
        return run_sandbox(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
