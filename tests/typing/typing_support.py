"""Running mypy and basedpyright over the sample files and reading what they expect.

The samples say what each checker must report with ``# expect-<checker>[<code>]: <text>``
comments on the lines before the code they are about. Both checkers run once per session
(see ``conftest.py``); these helpers only start them and parse their output.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import NamedTuple

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: mypy brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_FILES = sorted(SAMPLES.glob("*.py"))
CHECKERS = ("mypy", "pyright")

_EXPECT = re.compile(r"^\s*# expect-(?P<checker>mypy|pyright)\[(?P<code>[\w-]+)\]: (?P<text>.+)$")
_MYPY_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+): (?P<severity>error|note): (?P<message>.*?)"
    r"(?:  \[(?P<code>[\w-]+)\])?$"
)


class Diagnostic(NamedTuple):
    """One error a checker reported, or one a sample expects (``text``: part of the message)."""

    file: str
    line: int
    code: str
    text: str


def expected(checker: str) -> list[Diagnostic]:
    """The errors the samples expect from ``checker``, each on the next code line."""
    found: list[Diagnostic] = []
    for path in SAMPLE_FILES:
        pending: list[tuple[str, str]] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _EXPECT.match(line)
            if match:
                if match["checker"] == checker:
                    pending.append((match["code"], match["text"]))
                continue
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            found += [Diagnostic(path.name, number, code, text) for code, text in pending]
            pending = []
        assert not pending, f"{path.name}: expectations after the last line of code"
    return found


def compare(checker: str, actual: list[Diagnostic]) -> list[str]:
    """Every difference between what ``checker`` reported and what the samples expect."""
    wanted = expected(checker)
    problems: list[str] = []
    by_place: dict[tuple[str, int], list[Diagnostic]] = {}
    for item in actual:
        by_place.setdefault((item.file, item.line), []).append(item)
    for item in wanted:
        here = by_place.get((item.file, item.line), [])
        if not any(got.code == item.code and item.text in got.text for got in here):
            problems.append(f"missing   {item.file}:{item.line} [{item.code}] {item.text!r}")
    have = Counter((d.file, d.line, d.code) for d in actual)
    want = Counter((d.file, d.line, d.code) for d in wanted)
    for (file, line, code), count in (have - want).items():
        for got in by_place[(file, line)]:
            if got.code == code:
                problems.append(f"unexpected {file}:{line} [{code}] {got.text!r} (x{count})")
                break
    return problems


def run_mypy(cache_dir: Path) -> list[Diagnostic]:
    """mypy --strict with the project's configuration over the samples: its errors."""
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "pyproject.toml"),
        "--cache-dir",
        str(cache_dir),
        "--show-error-codes",
        "--no-pretty",
        "--no-error-summary",
        "--hide-error-context",
        "--no-color-output",
        *map(str, SAMPLE_FILES),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise AssertionError(f"mypy failed to run ({done.returncode}):\n{done.stdout}{done.stderr}")
    found: list[Diagnostic] = []
    for line in done.stdout.splitlines():
        match = _MYPY_LINE.match(line)
        assert match, f"unexpected mypy output: {line!r}"
        if match["severity"] == "error":
            path = Path(match["path"])
            found.append(
                Diagnostic(path.name, int(match["line"]), match["code"] or "", match["message"])
            )
    return found


def basedpyright() -> str:
    """The basedpyright executable of this environment (a dev dependency)."""
    beside = Path(sys.executable).with_name("basedpyright")
    if beside.exists():
        return str(beside)
    found = shutil.which("basedpyright")
    if found is None:
        raise AssertionError("basedpyright is not installed: uv sync (it is in the dev group)")
    return found


def merged_packages(into: Path) -> Path:
    """One ``codat_customers`` tree joining every distribution's part, as a wheel install has.

    The workspace's distributions each contribute a subpackage of ``codat_customers`` (joined
    at runtime by ``pkgutil.extend_path``); pyright resolves a package from one directory
    only, so it is given this tree of symlinks. The parts are mypy's ``mypy_path`` entries.
    """
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    roots = [ROOT / entry for entry in config["tool"]["mypy"]["mypy_path"]]
    _merge([root for root in roots if root.is_dir()], into)
    return into


def _merge(sources: list[Path], into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    children: dict[str, list[Path]] = {}
    for source in sources:
        for child in sorted(source.iterdir()):
            if child.name != "__pycache__":
                children.setdefault(child.name, []).append(child)
    for name, paths in children.items():
        directories = [path for path in paths if path.is_dir()]
        if len(directories) > 1:
            _merge(directories, into / name)
        else:
            (into / name).symlink_to(paths[0])  # a file held by several parts: the first wins


def run_pyright(workdir: Path) -> list[Diagnostic]:
    """basedpyright in strict mode over the samples, against the merged packages: its errors."""
    config = {
        "typeCheckingMode": "strict",
        "pythonVersion": "3.10",
        "extraPaths": [str(merged_packages(workdir / "packages"))],
    }
    config_path = workdir / "pyrightconfig.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    command = [
        basedpyright(),
        "--outputjson",
        "--project",
        str(config_path),
        "--pythonpath",
        sys.executable,
        *map(str, SAMPLE_FILES),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(
            f"basedpyright failed to run ({done.returncode}):\n{done.stdout}{done.stderr}"
        ) from None
    return [
        Diagnostic(
            Path(item["file"]).name,
            item["range"]["start"]["line"] + 1,
            item.get("rule", ""),
            item["message"].replace("\xa0", " "),
        )
        for item in report["generalDiagnostics"]
        if item["severity"] in ("error", "warning")
    ]
