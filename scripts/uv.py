"""Run the project's pinned uv, installing it first if needed: ``python3 scripts/uv.py ARGS``.

Works with any Python 3.10+ that has the ``venv`` module, including a Debian or Ubuntu system
Python that refuses ``pip install`` outside a virtual environment (PEP 668): uv is installed
from PyPI into its own virtual environment, ``.uv/`` at the repository root, never into the
interpreter you run this with. The project's environment (``.venv/``) is then made by uv with
that same interpreter, unless ``UV_PYTHON`` says otherwise. ``.ci/run`` uses this file too, so
the uv version below is the one place the project pins it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

UV_VERSION = "0.13.9"

ROOT = Path(__file__).resolve().parent.parent
TOOL_ENV = ROOT / ".uv"
BIN = TOOL_ENV / ("Scripts" if os.name == "nt" else "bin")
UV = BIN / ("uv.exe" if os.name == "nt" else "uv")


def installed() -> bool:
    """Whether ``.uv/`` already holds the pinned uv (no subprocess: look for its dist-info)."""
    pattern = f"uv-{UV_VERSION}.dist-info"
    return UV.is_file() and any(TOOL_ENV.glob(f"[Ll]ib/**/site-packages/{pattern}"))


def install() -> None:
    """Create ``.uv/`` with pip, and install the pinned uv from PyPI into it."""
    if not (BIN / ("python.exe" if os.name == "nt" else "python")).exists():
        print(f"scripts/uv.py: creating {TOOL_ENV} with {sys.executable}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOL_ENV)
    python = BIN / ("python.exe" if os.name == "nt" else "python")
    print(f"scripts/uv.py: installing uv=={UV_VERSION} into {TOOL_ENV}", file=sys.stderr)
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*command, f"uv=={UV_VERSION}"], check=True)


def main() -> int:
    """Install uv if needed, then run it with this script's arguments."""
    if not installed():
        install()
    env = dict(os.environ)
    env.setdefault("UV_PYTHON", sys.executable)  # the project's .venv uses this interpreter
    arguments = [str(UV), *sys.argv[1:]]
    if os.name == "nt":
        return subprocess.run(arguments, env=env, check=False).returncode
    os.execve(arguments[0], arguments, env)  # replaces this process: signals reach uv directly
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
