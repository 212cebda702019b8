"""The hooks of a plugin manager, resolved once per set of plugins instead of once per call.

pluggy looks a hook's implementations up, copies them, checks the arguments and runs a
generic loop (wrappers, teardowns, tracing) on every hook call: about a microsecond each,
several times per API call, even when one plugin implements the hook. :class:`CallHooks`
holds, for each of our hooks, ``None`` when nothing implements it, or one function taking
the hook's arguments positionally in the specification's order. A hook whose
implementations are plain functions is called directly, in pluggy's order and with
pluggy's result rules (every non-``None`` result in a list; the first one for a
``firstresult`` hook); any other (a wrapper, an implementation taking optional arguments)
and every hook of a manager with a call monitor (``enable_tracing``) goes through pluggy.

:class:`CallPluginManager` keeps the resolved hooks and resolves them again after anything
that can change them: ``register``, ``unregister`` (also ``set_blocked``), ``add_hookspecs``
and ``add_hookcall_monitoring`` (also ``enable_tracing``) and their undo. A plugin
registered while a call runs joins from the next call.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from types import ModuleType
from typing import Any

import pluggy
from codat_customers.core import HttpRequest, HttpResponse

from .context import CallContext

__all__ = ["HOOK_NAMES", "CallHooks", "CallPluginManager", "call_hooks"]

HOOK_NAMES = (
    "codat_call_started",
    "codat_call_finished",
    "codat_prepare_request",
    "codat_cache_lookup",
    "codat_attempt_started",
    "codat_observe_attempt",
    "codat_retry_delay",
    "codat_cache_store",
)
"""The hooks a call runs, in :class:`CallHooks`' attribute order (without ``codat_``)."""

Hook = Callable[..., Any]


class CallHooks:
    """For each hook a call runs: ``None`` (not implemented) or a function to call it.

    Each function takes the hook specification's arguments positionally, in its order
    (``prepare_request(request, context)``), and returns what pluggy would: a list of the
    non-``None`` results, or for ``cache_lookup`` and ``retry_delay`` (``firstresult``)
    the first of them or ``None``. An instance never changes; a call uses one throughout.
    """

    __slots__ = (
        "attempt_started",
        "cache_lookup",
        "cache_store",
        "call_finished",
        "call_started",
        "observe_attempt",
        "prepare_request",
        "retry_delay",
    )

    call_started: Hook | None
    call_finished: Hook | None
    prepare_request: Callable[[HttpRequest, CallContext], list[Mapping[str, str]]] | None
    cache_lookup: Callable[[HttpRequest, CallContext], HttpResponse | None] | None
    attempt_started: Hook | None
    observe_attempt: Hook | None
    retry_delay: Hook | None
    cache_store: Hook | None

    def __init__(self, found: Mapping[str, Hook | None]) -> None:
        for name in HOOK_NAMES:
            object.__setattr__(self, name.removeprefix("codat_"), found.get(name))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    @classmethod
    def through_pluggy(cls, relay: pluggy.HookRelay) -> CallHooks:
        """Every implemented hook of ``relay`` called through pluggy, as it stands now."""
        found: dict[str, Hook | None] = {}
        for name in HOOK_NAMES:
            caller: pluggy.HookCaller | None = getattr(relay, name, None)
            if caller is not None and caller.get_hookimpls():
                found[name] = partial(_via_pluggy, caller, _spec_argnames(caller))
        return cls(found)

    @classmethod
    def direct(cls, relay: pluggy.HookRelay) -> CallHooks:
        """Every implemented hook of ``relay``, called directly where pluggy would add nothing."""
        found: dict[str, Hook | None] = {}
        for name in HOOK_NAMES:
            caller: pluggy.HookCaller | None = getattr(relay, name, None)
            if caller is None:
                continue
            impls = caller.get_hookimpls()
            if impls:
                found[name] = _direct(caller, impls)
        return cls(found)

    def __repr__(self) -> str:
        names = [name for name in self.__slots__ if getattr(self, name) is not None]
        return f"CallHooks({', '.join(sorted(names))})"


def _spec_argnames(caller: pluggy.HookCaller) -> tuple[str, ...]:
    assert caller.spec is not None, caller.name  # every hook a call runs has a specification
    return tuple(caller.spec.argnames)


def _via_pluggy(caller: pluggy.HookCaller, names: tuple[str, ...], *args: object) -> Any:
    return caller(**dict(zip(names, args, strict=True)))


def _direct(caller: pluggy.HookCaller, impls: Sequence[pluggy.HookImpl]) -> Hook:
    """One function calling ``impls`` as pluggy's loop does, or through pluggy if it must."""
    names = _spec_argnames(caller)
    firstresult = bool(caller.spec is not None and caller.spec.opts.get("firstresult"))
    calls: list[tuple[Callable[..., Any], tuple[int, ...] | None]] = []
    for impl in reversed(impls):  # pluggy calls the last in its list first
        if impl.hookwrapper or impl.wrapper or impl.kwargnames:
            return partial(_via_pluggy, caller, names)
        if not set(impl.argnames) <= set(names):
            return partial(_via_pluggy, caller, names)  # pluggy reports the missing argument
        picks = tuple(names.index(argname) for argname in impl.argnames)
        calls.append((impl.function, None if picks == tuple(range(len(names))) else picks))
    if len(calls) == 1 and calls[0][1] is None:
        function = calls[0][0]
        return function if firstresult else partial(_one, function)
    return partial(_first if firstresult else _every, tuple(calls))


def _one(function: Callable[..., Any], *args: object) -> list[Any]:
    result = function(*args)
    return [] if result is None else [result]


def _every(calls: tuple[tuple[Callable[..., Any], tuple[int, ...] | None], ...], *args: Any) -> Any:
    results = []
    for function, picks in calls:
        result = function(*args) if picks is None else function(*[args[i] for i in picks])
        if result is not None:
            results.append(result)
    return results


def _first(calls: tuple[tuple[Callable[..., Any], tuple[int, ...] | None], ...], *args: Any) -> Any:
    for function, picks in calls:
        result = function(*args) if picks is None else function(*[args[i] for i in picks])
        if result is not None:
            return result
    return None


# ``next()`` on a count is atomic under the GIL: two changes never share a generation.
_generations = itertools.count(1)


class CallPluginManager(pluggy.PluginManager):
    """A pluggy ``PluginManager`` that keeps its :class:`CallHooks` up to date.

    Everything pluggy offers works as documented; :meth:`call_hooks` is added.
    """

    def __init__(self, project_name: str) -> None:
        super().__init__(project_name)
        self._generation = next(_generations)
        self._monitors = 0
        self._resolved: tuple[int, CallHooks] | None = None

    def call_hooks(self) -> CallHooks:
        """The hooks as the plugins registered now implement them (cached until a change)."""
        resolved = self._resolved
        if resolved is not None and resolved[0] == self._generation:
            return resolved[1]
        # Read before resolving: a change made meanwhile leaves a stale generation behind,
        # so the next call resolves again rather than keeping what this one saw.
        generation = self._generation
        if self._monitors:
            hooks = CallHooks.through_pluggy(self.hook)
        else:
            hooks = CallHooks.direct(self.hook)
        self._resolved = (generation, hooks)
        return hooks

    def _changed(self) -> None:
        self._generation = next(_generations)

    def register(self, plugin: Any, name: str | None = None) -> str | None:
        """Register ``plugin`` as pluggy does; later calls run its hooks."""
        try:
            return super().register(plugin, name)
        finally:
            self._changed()

    def unregister(self, plugin: Any | None = None, name: str | None = None) -> Any | None:
        """Unregister a plugin as pluggy does; later calls no longer run its hooks."""
        try:
            return super().unregister(plugin, name)
        finally:
            self._changed()

    def add_hookspecs(self, module_or_class: type | ModuleType) -> None:
        """Add hook specifications as pluggy does."""
        try:
            super().add_hookspecs(module_or_class)
        finally:
            self._changed()

    def add_hookcall_monitoring(
        self,
        before: Callable[[str, Sequence[pluggy.HookImpl], Mapping[str, Any]], None],
        after: Callable[
            [pluggy.Result[Any], str, Sequence[pluggy.HookImpl], Mapping[str, Any]], None
        ],
    ) -> Callable[[], None]:
        """Add a call monitor as pluggy does: while one is on, every hook goes through pluggy."""
        undo = super().add_hookcall_monitoring(before, after)
        self._monitors += 1
        self._changed()
        undone = False

        def undo_monitoring() -> None:
            nonlocal undone
            undo()
            if not undone:
                undone = True
                self._monitors -= 1
                self._changed()

        return undo_monitoring


def call_hooks(manager: pluggy.PluginManager) -> CallHooks:
    """``manager``'s hooks for one call (cached by a :class:`CallPluginManager`)."""
    if isinstance(manager, CallPluginManager):
        return manager.call_hooks()
    return CallHooks.through_pluggy(manager.hook)
