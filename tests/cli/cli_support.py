"""Helpers of the CLI tests: ``codat-customers`` run as a subprocess against a sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from codat_customers.sandbox import SandboxServer

SCRIPT = Path(sys.executable).with_name("codat-customers")
CUSTOMERS = 45


@dataclass
class Ran:
    code: int
    out: str
    err: str


@dataclass
class Cli:
    """Runs ``codat-customers`` against one sandbox, as a user would."""

    sandbox: SandboxServer

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CODAT_")}
        env.update(
            CODAT_SERVER_URL=self.sandbox.base_url,
            CODAT_API_KEY=self.sandbox.api_key,
            COLUMNS="200",
        )
        env.update(extra)
        return env

    def __call__(
        self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> Ran:
        done = subprocess.run(
            [str(SCRIPT), *args],
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            env=env or self.env(),
            timeout=120,
            check=False,
        )
        return Ran(done.returncode, done.stdout, done.stderr)

    def popen(self, args: Sequence[str]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(SCRIPT), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(),
        )
