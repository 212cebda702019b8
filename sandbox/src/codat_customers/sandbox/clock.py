"""Time for the sandbox: an injectable clock and the API's datetime text format."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

__all__ = ["Clock", "format_utc", "normalise_datetime", "parse_datetime", "system_clock"]

Clock = Callable[[], datetime]
"""A function returning the current time as an aware datetime."""

_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?$"
)


def system_clock() -> datetime:
    """Return the current UTC time."""
    return datetime.now(timezone.utc)


def format_utc(moment: datetime) -> str:
    """Format a datetime the way the sandbox stores and returns them: UTC, seconds, ``Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str) -> datetime | None:
    """Parse a date or datetime as Codat accepts them; ``None`` if it is not one.

    A bare date means midnight UTC, and so does a datetime without an offset: the API
    documents unqualified datetimes as local to the platform, and the sandbox's platform
    lives in UTC.
    """
    match = _DATETIME.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=_zone(offset),
        )
    except ValueError:
        return None
    return moment


def normalise_datetime(text: str) -> str | None:
    """Return ``text`` in the stored format, or ``None`` if it is not a datetime.

    Stored datetimes share one format so that SQL can compare them as plain text and use
    an index for it.
    """
    moment = parse_datetime(text)
    return None if moment is None else format_utc(moment)


def _zone(offset: str | None) -> timezone:
    if offset is None or offset in ("Z", "z"):
        return timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(sign * delta)
