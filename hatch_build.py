"""The hatchling metadata hook of every distribution in this workspace.

The eight distributions are released together under one version number, written once in the
file ``VERSION`` at the workspace root. Each ``pyproject.toml`` lists ``version`` and
``dependencies`` (the root, plugins and sandbox also ``optional-dependencies``) in
``project.dynamic`` and writes them under ``[tool.hatch.metadata.hooks.custom]``, with
``{version}`` wherever a sibling distribution must be pinned to the same release
(``"codat-customers-core=={version}"``).
This hook reads ``VERSION``, sets the version and fills in the pins.

The six member distributions have a ``hatch_build.py`` of their own that forwards here. A
source distribution needs neither this file nor ``VERSION``: its ``PKG-INFO`` already holds
the version and the pinned requirements, and hatchling reads them from there when it builds a
wheel from the sdist, without calling the hook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface


def workspace_version(start: str) -> str:
    """The version in the nearest ``VERSION`` file at or above ``start``."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "VERSION"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8").strip()
    message = f"no VERSION file at or above {here}"
    raise FileNotFoundError(message)


class WorkspaceVersionHook(MetadataHookInterface):
    """Sets ``version`` and formats ``{version}`` into the requirements of the hook's table."""

    def update(self, metadata: dict[str, Any]) -> None:
        """Fill in the dynamic fields this hook is configured with."""
        version = workspace_version(self.root)
        metadata["version"] = version

        def pinned(requirements: list[str]) -> list[str]:
            return [requirement.format(version=version) for requirement in requirements]

        if "dependencies" in self.config:
            metadata["dependencies"] = pinned(self.config["dependencies"])
        if "optional-dependencies" in self.config:
            extras: dict[str, list[str]] = self.config["optional-dependencies"]
            metadata["optional-dependencies"] = {
                name: pinned(reqs) for name, reqs in extras.items()
            }
