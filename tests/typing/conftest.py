"""One mypy run and one basedpyright run over the sample files, shared by the session."""

from __future__ import annotations

import pytest
from typing_support import Diagnostic, run_mypy, run_pyright


@pytest.fixture(scope="session")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> list[Diagnostic]:
    """What mypy --strict reports for the samples."""
    return run_mypy(tmp_path_factory.mktemp("mypy-cache"))


@pytest.fixture(scope="session")
def pyright_errors(tmp_path_factory: pytest.TempPathFactory) -> list[Diagnostic]:
    """What basedpyright (strict) reports for the samples."""
    return run_pyright(tmp_path_factory.mktemp("pyright"))
