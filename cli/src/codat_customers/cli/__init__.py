"""The ``codat-customers`` command line, a thin layer over the SDK (Typer and Rich).

``main`` is the console script's entry point; ``app`` is the Typer application (for tests
and for embedding: ``typer.testing.CliRunner().invoke(app, [...])``). Importing
``codat_customers`` itself never imports this package, Typer or Rich.
"""

from __future__ import annotations

from collections.abc import Sequence

from .app import IdempotencyKeyPlugin, Settings, app
from .failures import EXIT_API, EXIT_INTERRUPTED, EXIT_OK, EXIT_TRANSPORT, EXIT_USAGE

__all__ = [
    "EXIT_API",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TRANSPORT",
    "EXIT_USAGE",
    "IdempotencyKeyPlugin",
    "Settings",
    "app",
    "main",
]


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``codat-customers``: run the command line and exit with its status."""
    app(args=None if argv is None else list(argv), prog_name="codat-customers")
