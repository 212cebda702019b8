"""The pluggy project name and markers shared by hook specifications and implementations."""

import pluggy

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "codat_customers"

hookspec = pluggy.HookspecMarker(PROJECT)
"""Marks a function in :mod:`codat_customers.plugins.hookspecs` as a hook specification."""

hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marks a plugin method as a hook implementation (``@hookimpl``, ``@hookimpl(tryfirst=True)``)."""
