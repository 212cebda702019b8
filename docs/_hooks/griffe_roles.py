"""Griffe extension: the docstrings' Sphinx roles become checked cross-references.

The source's docstrings use reST roles (``:class:`HttpRequest```, ``:meth:`close```,
``:data:`~codat_customers.core.http.STREAMED_STATUS```). Each one is resolved from the scope
of the object whose docstring holds it (its members, then its parents', then their imports)
and rewritten as an autorefs link, ``[`HttpRequest`][codat_customers.core.http.HttpRequest]``.
A role naming something that no longer exists is logged as a warning, which fails the strict
build: a docstring cannot keep pointing at a removed name. Roles naming the standard library
or a builtin (``:mod:`pickle```) are shown as code, unlinked: the site has no inventory of
Python's own documentation (the build runs offline).
"""

from __future__ import annotations

import builtins
import logging
import re
import sys
from typing import Any

import griffe

logger = logging.getLogger("mkdocs.plugins.griffe_roles")

_ROLE = re.compile(r":(?:py:)?(class|meth|func|attr|mod|data|exc|obj):`(~?)([\w.]+)(\(\))?`")


def _exists(collection: Any, path: str) -> bool:
    try:
        collection[path]
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return False
    return True


def _resolve(obj: griffe.Object, target: str, collection: Any) -> str | None:
    if target.startswith("codat_customers."):
        return target
    if target.startswith("."):  # Sphinx's relative form: from the module, then its package
        module = obj.module
        for scope in (module, module.parent):
            if scope is not None and _exists(collection, scope.path + target):
                return scope.path + target
        return None
    head, _, rest = target.partition(".")
    scope: Any = obj
    while scope is not None:
        try:
            path = scope.resolve(head)
        except griffe.NameResolutionError:
            scope = scope.parent
            continue
        return f"{path}.{rest}" if rest else path
    return None


def _outside(target: str) -> bool:
    """Whether ``target`` names the standard library or a builtin (no site to link to)."""
    head = target.lstrip(".").split(".", 1)[0]
    return head in sys.stdlib_module_names or hasattr(builtins, head)


class SphinxRoles(griffe.Extension):
    """Rewrite ``:role:`name``` in every docstring as an autorefs cross-reference."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Rewrite the roles of one object's docstring, once the whole tree is loaded."""
        docstring = obj.docstring
        if docstring is None or ":" not in docstring.value:
            return

        def link(match: re.Match[str]) -> str:
            _role, short, target, call = match.groups()
            shown = (target.rsplit(".", 1)[-1] if short else target.lstrip(".")) + (call or "")
            path = _resolve(obj, target, loader.modules_collection)
            if path is None and _outside(target):
                return f"`{shown}`"  # the standard library or a builtin: shown, not linked
            if path is None:
                logger.warning("%s: %s names nothing that exists", obj.path, match.group(0))
                return f"`{shown}`"
            return f"[`{shown}`][{path}]"

        docstring.value = _ROLE.sub(link, docstring.value)
