"""The suite-wide secret guard: no known credential in anything the suite logs or reports.

Every credential the suite sends, in each form it can take on the wire, is looked for in:
every log record of every logger at every level (message and formatted traceback), every
test's captured stdout, stderr and log, and every failure report. The client tests check
reprs and error messages one by one; this guard covers everything else the suite does.
``tests/conftest.py`` installs it and fails the run on a leak.
"""

from __future__ import annotations

import base64
import logging

import pytest


def _forms(key: str) -> set[str]:
    encoded = base64.b64encode(key.encode()).decode("ascii")
    return {key, encoded, encoded.rstrip("=")}


SECRET_KEYS = (
    "sk-test-9f3b2c1d0e8a7f6b5c4d3e2f1a0b9c8d",  # tests/client/client_support.API_KEY
    "sk-other-0011223344556677",  # client_support.OTHER_KEY
    "sandbox-demo-api-key",  # the sandbox's default key
)
SECRETS = frozenset().union(*(_forms(key) for key in SECRET_KEYS))
leaks: list[str] = []


def find_secrets(text: str) -> list[str]:
    """The known secrets that occur in ``text``."""
    return sorted(secret for secret in SECRETS if secret in text)


class _SecretGuard(logging.Handler):
    """Checks every log record, at every level, with its traceback formatted."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a record whose arguments do not format: check its parts
            text = f"{record.msg} {record.args}"
        found = find_secrets(text)
        if found:
            leaks.append(f"log record of {record.name!r} carries {found}: {text[:300]}")


GUARD = _SecretGuard()
"""The handler on the root logger."""


def install() -> None:
    """Hear every log record of the session."""
    root = logging.getLogger()
    root.addHandler(GUARD)
    # Every level reaches the guard (DEBUG records of every library included).
    root.setLevel(logging.DEBUG)


def check_report(report: pytest.TestReport) -> None:
    """Look for secrets in a test phase's captured output and report."""
    for where, text in (
        ("captured stdout", report.capstdout),
        ("captured stderr", report.capstderr),
        ("captured log", report.caplog),
        ("report", report.longreprtext),
    ):
        found = find_secrets(text)
        if found:
            leaks.append(f"{report.nodeid} ({report.when}): {where} carries {found}")
