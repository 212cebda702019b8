"""Which async transport a client uses when it is given none: the fastest one installed.

The preference order is fixed, so the choice depends only on what is installed: aiohttp
when ``codat-customers[aiohttp]`` is installed, else the threaded transport over the
client's synchronous one. httpx is never the default: on the loopback benchmark its async
client made fewer calls per second than the threaded transport, with one task and with a
hundred (docs/performance.md has the figures).

A client given its own ``transport=`` but no ``async_transport=`` keeps running its async
calls on that transport, through the threaded adapter, so the pool, proxy and TLS settings
it was built with apply to both faces. Only a client given neither picks from the order
below, and only when its first async call needs a transport: building a client never
imports aiohttp.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging

from codat_customers.core import AsyncTransport, Transport

__all__ = ["ASYNC_PREFERENCE", "default_async_adapter", "default_async_transport"]

ASYNC_PREFERENCE: tuple[str, ...] = ("aiohttp", "threaded")
"""The async adapters a client without ``async_transport=`` tries, fastest first."""

_logger = logging.getLogger("codat_customers")

# What each adapter needs importable besides itself; "threaded" ships with this package.
_NEEDS = {"aiohttp": ("aiohttp", "codat_customers.adapters.aiohttp")}


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        # ValueError: the module is in sys.modules as None (its import was blocked).
        return False


def default_async_adapter() -> str:
    """The name of the async adapter a client given no transports uses here: ``"aiohttp"``
    if it is installed, else ``"threaded"``. Nothing is imported to answer."""
    for name in ASYNC_PREFERENCE:
        if all(_importable(module) for module in _NEEDS.get(name, ())):
            return name
    return "threaded"


def default_async_transport(transport: Transport) -> AsyncTransport:
    """A new async transport of the preferred kind; ``transport`` backs the threaded one.

    An adapter that looks installed but fails to import is passed over for the next one in
    :data:`ASYNC_PREFERENCE` (logged at debug level), so a broken optional install costs
    speed, never a working client.
    """
    if default_async_adapter() == "aiohttp":
        try:
            module = importlib.import_module("codat_customers.adapters.aiohttp")
            aiohttp_transport: AsyncTransport = module.AiohttpTransport()
        except ImportError as exc:
            _logger.debug("aiohttp is installed but does not import (%s): threaded", exc)
        else:
            return aiohttp_transport
    from codat_customers.adapters.threaded import ThreadedAsyncTransport  # noqa: PLC0415

    return ThreadedAsyncTransport(transport)
