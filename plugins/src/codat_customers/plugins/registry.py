"""Creating the plugin manager every client uses."""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from . import hookspecs
from .markers import PROJECT

__all__ = ["new_plugin_manager"]


def new_plugin_manager(plugins: Iterable[object] = ()) -> pluggy.PluginManager:
    """A plugin manager with our hook specifications and ``plugins`` registered in order.

    Built-in plugins are registered exactly like a user's would be; there is no side door.
    """
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    for plugin in plugins:
        manager.register(plugin)
    return manager
