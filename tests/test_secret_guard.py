"""The suite-wide secret guard (tests/secret_guard.py) sees what it must, and this run is clean."""

from __future__ import annotations

import base64
import logging

import secret_guard

KEY = "sk-test-9f3b2c1d0e8a7f6b5c4d3e2f1a0b9c8d"


def test_the_guard_knows_each_form_of_a_key() -> None:
    basic = "Basic " + base64.b64encode(KEY.encode()).decode()
    assert secret_guard.find_secrets(f"Authorization: {basic}")
    assert secret_guard.find_secrets(f"key={KEY}")
    assert secret_guard.find_secrets("nothing to see") == []


def test_the_guard_hears_every_logger_at_every_level() -> None:
    root = logging.getLogger()
    assert secret_guard.GUARD in root.handlers
    assert root.level == logging.DEBUG
    # A record made and handed to the guard directly: logging it for real would also put
    # the key in this test's captured log, which the guard would then rightly report.
    record = logging.LogRecord("some.library", logging.DEBUG, __file__, 1, "value %s", (KEY,), None)
    before = len(secret_guard.leaks)
    secret_guard.GUARD.handle(record)
    caught = secret_guard.leaks[before:]
    del secret_guard.leaks[before:]  # the deliberate leak is not the run's
    assert len(caught) == 1
    assert "some.library" in caught[0]
