"""This distribution's hatchling metadata hook: the workspace root's ``hatch_build.py``.

It sets the one version of the workspace (the root's ``VERSION`` file) and pins the sibling
distributions to it; see the root file. It is not called when a wheel is built from an sdist,
whose ``PKG-INFO`` already holds the result.
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface


class WorkspaceVersionHook(MetadataHookInterface):
    """Runs the workspace root's hook of the same name."""

    def update(self, metadata: dict[str, Any]) -> None:
        """Delegate to the root hook, found beside the nearest ``VERSION`` above this folder."""
        here = Path(self.root).resolve()
        root = next(p for p in here.parents if (p / "VERSION").is_file())
        shared = runpy.run_path(str(root / "hatch_build.py"))["WorkspaceVersionHook"]
        shared(self.root, self.config).update(metadata)
