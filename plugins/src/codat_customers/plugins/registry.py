"""Creating the plugin manager every client uses."""

from __future__ import annotations

from collections.abc import Iterable

from . import hookspecs
from .dispatch import CallPluginManager
from .markers import PROJECT

__all__ = ["new_plugin_manager"]


def new_plugin_manager(plugins: Iterable[object] = ()) -> CallPluginManager:
    """A plugin manager with our hook specifications and ``plugins`` registered in order.

    Built-in plugins are registered exactly like a user's would be; there is no side door.
    The manager is a ``pluggy.PluginManager`` that also resolves the hooks a call runs once
    per set of plugins (:meth:`~.dispatch.CallPluginManager.call_hooks`).
    """
    manager = CallPluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    for plugin in plugins:
        manager.register(plugin)
    return manager
