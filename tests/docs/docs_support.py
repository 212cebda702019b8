"""Finding, preparing and running the code blocks of ``README.md`` and ``docs/``.

The rules (written for authors in ``docs/contributing.md``):

* Every fenced block names its language. ``python`` (or ``py``) blocks are executed; every
  other language (``bash``, ``text``, ...) is not.
* A Python block preceded by ``<!-- not-runnable: REASON -->`` is not executed; the reason
  is required.
* A ``text`` block preceded by ``<!-- output -->`` is what the Python block just before it
  prints; ``...`` in it matches anything (within a line or across lines).
* The Python blocks of one page run in order, in one namespace, against one sandbox started
  for that page, with ``$CODAT_SERVER_URL`` pointing at it and the working directory a fresh
  temporary one. A block may use top-level ``await``. Test functions (``def test_...``) a
  block defines are called afterwards, each with a fresh ``codat_sandbox``.
* Place-holders are substituted from the sandbox before a block runs (``SUBSTITUTIONS``).
"""

from __future__ import annotations

import ast
import asyncio
import base64
import contextlib
import inspect
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codat_customers.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]
PYTHON = {"python", "py", "python3"}

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")
_NOT_RUNNABLE = re.compile(r"^\s*<!--\s*not-runnable:(?P<reason>.*?)-->\s*$")
_OUTPUT = re.compile(r"^\s*<!--\s*output\s*-->\s*$")
_MARKER = re.compile(r"^\s*<!--\s*(not-runnable|output)\b")


def pages() -> list[Path]:
    """README.md and every Markdown page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def page_id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    marker: str | None = None  # the marker comment's text, if one precedes the block
    not_runnable: str | None = None  # the reason, for a not-runnable Python block
    is_output: bool = False  # a ``text`` block marked as the previous block's output
    expected_output: str | None = field(default=None, repr=False)  # set on Python blocks

    @property
    def where(self) -> str:
        return f"{page_id(self.path)}:{self.line}"

    @property
    def is_python(self) -> bool:
        return self.language in PYTHON


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of one page, with their markers and expected outputs attached."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not re.match(
            rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[end]
        ):
            body.append(lines[end][indent:] if lines[end][:indent].isspace() else lines[end])
            end += 1
        marker = None
        before = index - 1
        while before >= 0 and not lines[before].strip():
            before -= 1
        if before >= 0 and _MARKER.match(lines[before]):
            marker = lines[before].strip()
        block = Block(path, index + 1, opening["info"].lower(), "\n".join(body) + "\n", marker)
        if marker and (reason := _NOT_RUNNABLE.match(marker)):
            block.not_runnable = reason["reason"].strip()
        if marker and _OUTPUT.match(marker):
            block.is_output = True
        found.append(block)
        index = end + 1
    for previous, block in itertools.pairwise(found):
        if block.is_output and previous.is_python:
            previous.expected_output = block.code
    return found


def marker_problems(path: Path) -> Iterator[str]:
    """Markers that say nothing or sit where they mean nothing; unnamed languages."""
    found = blocks(path)
    for position, block in enumerate(found):
        if not block.language:
            yield f"{block.where}: a fenced block without a language (python, bash, text, ...)"
        if block.marker and _NOT_RUNNABLE.match(block.marker):
            if not block.is_python:
                yield f"{block.where}: not-runnable marks a {block.language or 'plain'} block"
            elif not block.not_runnable:
                yield f"{block.where}: not-runnable needs a reason: <!-- not-runnable: why -->"
        elif block.marker and block.is_output:
            previous = found[position - 1] if position else None
            if block.language != "text" or previous is None or not previous.is_python:
                yield f"{block.where}: <!-- output --> must mark a text block after a python one"
            elif previous.not_runnable is not None:
                yield f"{block.where}: the output of a block that does not run is never checked"
        elif block.marker:
            yield f"{block.where}: unknown marker {block.marker}"


# --- substitutions --------------------------------------------------------------------------

Substitution = tuple[re.Pattern[str], Callable[[SandboxServer], str]]


def _key(sandbox: SandboxServer) -> str:
    return base64.b64encode(sandbox.api_key.encode()).decode()


SUBSTITUTIONS: list[tuple[str, Substitution]] = [
    (
        "`BASE_64_ENCODED(API_KEY)` (Codat's own place-holder): the sandbox's key, encoded",
        (re.compile(r"BASE_64_ENCODED\(API_KEY\)"), _key),
    ),
    (
        '`"Basic ..."`: the sandbox\'s `Authorization` value',
        (re.compile(r'"Basic \.\.\."'), lambda sandbox: repr(sandbox.auth_header)),
    ),
    (
        "`security=...`: a `shared.Security` holding the sandbox's `Authorization` value",
        (
            re.compile(r"\bsecurity=\.\.\.(?=[,)\s])"),
            lambda sandbox: (
                "security=__import__('codat_customers.models.shared', fromlist=['Security'])"
                f".Security(auth_header={sandbox.auth_header!r})"
            ),
        ),
    ),
    (
        '`"company_id": "..."` (also `connection_id`, `customer_id`, `attachment_id`): the '
        "sandbox's seeded company, its connection, the customer with attachments, its PDF",
        (
            re.compile(r'"(company_id|connection_id|customer_id|attachment_id)": "\.\.\."'),
            lambda sandbox: "",  # replaced per match by _seeded_id
        ),
    ),
    (
        "`https://api.codat.io`, `http://127.0.0.1:8765`, `http://localhost:8765`: the "
        "sandbox's URL",
        (
            re.compile(r"https://api\.codat\.io|http://(?:127\.0\.0\.1|localhost):8765"),
            lambda sandbox: sandbox.base_url,
        ),
    ),
]


def _seeded_id(sandbox: SandboxServer, name: str) -> str:
    return {
        "company_id": sandbox.company_id,
        "connection_id": sandbox.connection_id,
        "customer_id": sandbox.customer_id,
        "attachment_id": sandbox.attachment_id,
    }[name]


def substitute(code: str, sandbox: SandboxServer) -> str:
    for _, (pattern, value) in SUBSTITUTIONS:
        if "company_id|" in pattern.pattern:
            code = pattern.sub(
                lambda m: f'"{m[1]}": {_seeded_id(sandbox, m[1])!r}',
                code,
            )
        else:
            code = pattern.sub(lambda _m, value=value: value(sandbox), code)
    return code


# --- running --------------------------------------------------------------------------------


def output_matches(expected: str, actual: str) -> bool:
    """``expected`` with ``...`` matching anything equals ``actual`` (trailing spaces aside)."""

    def tidy(text: str) -> str:
        return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())

    parts = [re.escape(part) for part in tidy(expected).split("...")]
    return re.fullmatch(".*?".join(parts), tidy(actual), flags=re.S) is not None


def run_block(block: Block, namespace: dict[str, Any], sandbox: SandboxServer) -> str:
    """Execute one block in ``namespace``; returns what it printed."""
    source = substitute(block.code, sandbox)
    # Line numbers in tracebacks are the page's own.
    tree = ast.parse(source, filename=block.where, mode="exec")
    ast.increment_lineno(tree, block.line)
    code = compile(tree, str(block.path), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    before = set(namespace)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        if code.co_flags & inspect.CO_COROUTINE:
            asyncio.run(eval(code, namespace))
        else:
            exec(code, namespace)
        for name in sorted(set(namespace) - before):
            if name.startswith("test_") and callable(namespace[name]):
                _call_test(namespace[name])
    return printed.getvalue()


def _call_test(test: Callable[..., Any]) -> None:
    """Call a test function a block defines, with a fresh ``codat_sandbox`` if it asks."""
    names = inspect.signature(test).parameters
    unknown = set(names) - {"codat_sandbox"}
    if unknown:
        raise AssertionError(f"{test.__name__} asks for fixtures the docs runner lacks: {unknown}")
    if "codat_sandbox" in names:
        with SandboxServer() as sandbox:
            test(codat_sandbox=sandbox)
    else:
        test()
