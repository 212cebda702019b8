"""Every Python block of README.md and docs/ runs against a sandbox, and prints what it says.

One test per page: its blocks share one namespace and one sandbox, in page order (see
``docs_support`` and docs/contributing.md). A block marked not runnable is skipped with its
reason, which is required; it is not a pytest skip, so the suite's no-skip rule is unaffected.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from codat_customers.sandbox import SandboxServer
from docs_support import ROOT, blocks, marker_problems, output_matches, page_id, pages, run_block

RUNNABLE_PAGES = [path for path in pages() if any(b.is_python for b in blocks(path))]


def test_markers_and_languages_are_well_formed() -> None:
    problems = [problem for path in pages() for problem in marker_problems(path)]
    assert not problems, "\n".join(problems)


def test_every_python_block_is_found() -> None:
    # The parser must see the pages' blocks; an empty list would make the suite vacuous.
    python = [b for path in pages() for b in blocks(path) if b.is_python]
    assert len(python) >= 40
    assert any(b.path == ROOT / "README.md" for b in python)


@pytest.mark.parametrize("path", RUNNABLE_PAGES, ids=page_id)
def test_page_code_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # blocks that save files save them here
    logging.getLogger("codat_customers").propagate = True
    namespace: dict[str, object] = {"__name__": "__docs__"}
    with SandboxServer() as sandbox:
        monkeypatch.setenv("CODAT_SERVER_URL", sandbox.base_url)
        assert os.environ["CODAT_SERVER_URL"] == sandbox.base_url
        for block in blocks(path):
            if not block.is_python or block.not_runnable is not None:
                continue
            try:
                printed = run_block(block, namespace, sandbox)
            except Exception as exc:
                raise AssertionError(f"{block.where}: the block raised {exc!r}") from exc
            if block.expected_output is not None:
                assert output_matches(block.expected_output, printed), (
                    f"{block.where}: printed\n{printed}\nbut the page says\n{block.expected_output}"
                )
