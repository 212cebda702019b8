"""Suite-wide rule: a skipped test fails the run unless the skip is listed as expected.

A clone of this repository alone must run every test (the contract is in ``spec/``), so a skip
means something is missing: a file, a tool, a dependency. Each skip is reported with its reason
(``-ra`` in pyproject.toml prints them) and, unless its reason matches ``EXPECTED_SKIPS``, the
session's exit status becomes "tests failed" even when every test that ran passed. The check is
on by default so that the README's test command and the one ``.ci/run`` runs are the same
command; ``--allow-skips`` turns it off for a local run on a machine that lacks something.
"""

from __future__ import annotations

import pytest
import secret_guard

# Substrings of skip reasons that may appear without failing the run, each with why. Empty:
# on a machine set up as the README says, nothing in this suite has a reason to skip.
EXPECTED_SKIPS: dict[str, str] = {}

_skips: list[tuple[str, str]] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--allow-skips",
        action="store_true",
        default=False,
        help="do not fail the run when tests are skipped (they are still reported, with reasons)",
    )


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, line, "Skipped: why")
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _record(report: pytest.TestReport | pytest.CollectReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = _reason(report)
        if not any(expected in reason for expected in EXPECTED_SKIPS):
            _skips.append((report.nodeid, reason))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _record(report)
    secret_guard.check_report(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    _record(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skips and exitstatus == pytest.ExitCode.OK and not session.config.getoption("allow_skips"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if secret_guard.leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    if secret_guard.leaks:
        terminalreporter.section("secrets leaked", sep="=", red=True, bold=True)
        for leak in secret_guard.leaks:
            terminalreporter.line(leak)
    if not _skips:
        return
    allowed = config.getoption("allow_skips")
    terminalreporter.section("unexpected skips", sep="=", red=not allowed, bold=True)
    for nodeid, reason in _skips:
        terminalreporter.line(f"{nodeid}: {reason}")
    terminalreporter.line(
        "allowed by --allow-skips"
        if allowed
        else f"{len(_skips)} unexpected skip(s): the run fails (tests/conftest.py explains why)"
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    secret_guard.install()
