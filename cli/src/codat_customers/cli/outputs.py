"""Where output goes: files written atomically, stdout, and progress bars on stderr."""

from __future__ import annotations

import contextlib
import gzip
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

__all__ = ["ConsoleLines", "atomic_file", "bytes_progress", "output_to", "pages_progress"]


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """Write ``path`` through a temporary file beside it, renamed over it only on success.

    An error or Ctrl-C removes the temporary file, so ``path`` is either the complete new
    file or whatever was there before, never half of an export. A name ending in ``.gz`` is
    gzip-compressed.
    """
    folder = path.parent if str(path.parent) else Path()
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed on success
        dir=folder, prefix=f".{path.name}.", suffix=".part", delete=False
    )
    mask = os.umask(0)
    os.umask(mask)
    try:
        # NamedTemporaryFile makes the file private; the result gets the usual mode.
        os.chmod(handle.name, 0o666 & ~mask)
        with handle:
            if path.name.endswith(".gz"):
                with gzip.GzipFile(fileobj=handle, mode="wb") as compressed:
                    yield compressed  # type: ignore[misc]
            else:
                yield handle  # type: ignore[misc]  # a BinaryIO in all but name
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(handle.name)
        raise


@contextlib.contextmanager
def output_to(path: Path | None) -> Iterator[BinaryIO]:
    """``path`` written atomically, or stdout's byte stream for ``None`` or ``-``."""
    if path is None or str(path) == "-":
        stdout = sys.stdout.buffer
        try:
            yield stdout
        finally:
            stdout.flush()
        return
    with atomic_file(path) as handle:
        yield handle


class ConsoleLines:
    """A byte sink that prints whole lines through a Rich console, above its live bar."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._pending = b""

    def write(self, data: bytes, /) -> int:
        """Print the complete lines of ``data``; keep an unfinished line for later."""
        text, _, self._pending = (self._pending + data).rpartition(b"\n")
        if text:
            self._console.print(Text(text.decode()), soft_wrap=True, highlight=False, markup=False)
        return len(data)


def pages_progress(console: Console, *, enabled: bool) -> Progress:
    """The bar of a paged listing: pages done of the total, customers so far, ETA."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages"),
        TextColumn("{task.fields[items]:,} {task.fields[unit]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
        redirect_stdout=False,
        redirect_stderr=False,
    )


def bytes_progress(console: Console, *, enabled: bool) -> Progress:
    """The bar of a download: bytes of the total, rate, ETA."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
        redirect_stdout=False,
        redirect_stderr=False,
    )
