"""The command line: ``python -m codat_customers.sandbox`` and ``codat-customers sandbox``."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import urllib3
from codat_customers.sandbox import DEMO_COMPANY_ID, auth_header_for
from codat_customers.sandbox.cli import build_parser


def _start(arguments: list[str]) -> tuple[subprocess.Popen[str], str, str]:
    process = subprocess.Popen(
        arguments,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    banner = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        banner.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    text = "".join(banner)
    match = re.search(r"at (http://127\.0\.0\.1:\d+)", text)
    assert match, text
    return process, match.group(1), text


def _stop(process: subprocess.Popen[str], sig: signal.Signals) -> str:
    process.send_signal(sig)
    output, _ = process.communicate(timeout=20)
    return output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_module_serves_prints_key_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "cli.db"
    process, base_url, banner = _start(
        [
            sys.executable,
            "-m",
            "codat_customers.sandbox",
            "--port",
            "0",
            "--db",
            str(db),
            "--customers",
            "12",
            "--api-key",
            "my-key",
        ]
    )
    try:
        assert "API key:       my-key" in banner
        assert auth_header_for("my-key") in banner
        assert DEMO_COMPANY_ID in banner
        response = urllib3.request(
            "GET",
            f"{base_url}/companies/{DEMO_COMPANY_ID}/data/customers",
            headers={"Authorization": auth_header_for("my-key")},
        )
        assert response.status == 200
        assert response.json()["totalResults"] == 12
    finally:
        output = _stop(process, sig)
    assert process.returncode == 0, output
    assert "Sandbox stopped." in output
    assert db.exists()


def test_console_script_with_fault_flags(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("codat-customers")
    process, base_url, _ = _start(
        [str(script), "sandbox", "--port", "0", "--error-rate", "1", "--customers", "2"]
    )
    try:
        response = urllib3.request(
            "GET",
            f"{base_url}/companies/{DEMO_COMPANY_ID}/data/customers",
            headers={"Authorization": auth_header_for("sandbox-demo-api-key")},
            retries=False,
        )
        assert response.status in (500, 503)
    finally:
        _stop(process, signal.SIGTERM)
    assert process.returncode == 0


def test_parser_defaults_and_validation() -> None:
    args = build_parser().parse_args(["sandbox"])
    assert (args.host, args.port, args.db, args.seed, args.customers) == (
        "127.0.0.1",
        8765,
        None,
        0,
        40,
    )
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sandbox", "--error-rate", "1.5"])
