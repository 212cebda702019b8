"""Helpers of the load test: what a process holds open, and what a transport's pool holds.

Neither urllib3, httpx nor aiohttp has a public count of the connections its pool keeps,
so :func:`pooled_connections` reads their internals (read only: nothing is patched).
"""

from __future__ import annotations

import os

from codat_customers.adapters.aiohttp import AiohttpTransport
from codat_customers.adapters.httpx import HttpxAsyncTransport, HttpxTransport
from codat_customers.adapters.stdlib import StdlibTransport
from codat_customers.adapters.urllib3 import Urllib3Transport

from codat_customers.adapters.threaded import ThreadedAsyncTransport


def open_fds() -> int:
    """File descriptors open in this process."""
    count = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the descriptor listdir itself used, closed by now
            continue
        count += 1
    return count


def client_sockets(port: int) -> int:
    """TCP sockets of this process connected to ``port`` on the other end.

    The conformance sandbox serves from a thread of this process, so its own (server)
    sockets are counted out: only the client side of each connection is.
    """
    inodes = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    count = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)  # the header
                for line in lines:
                    fields = line.split()
                    remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                    count += remote_port == port and fields[9] in inodes
        except FileNotFoundError:  # no IPv6 in this kernel
            continue
    return count


def pooled_connections(transport: object) -> int:
    """Connections the transport's pool holds open (idle, or lent out for aiohttp)."""
    if isinstance(transport, ThreadedAsyncTransport):
        return pooled_connections(transport.transport)
    if isinstance(transport, Urllib3Transport):
        manager = transport.pool
        hosts = [manager.pools.get(key) for key in manager.pools.keys()]  # noqa: SIM118
        return sum(
            1
            for host in hosts
            if host is not None and host.pool is not None
            for connection in list(host.pool.queue)
            if connection is not None and connection.sock is not None
        )
    if isinstance(transport, StdlibTransport):
        return sum(len(idle) for idle in transport._pool._idle.values())
    if isinstance(transport, HttpxTransport):
        # ``.client`` would make a new client after close: look at the latest one instead.
        return _httpcore_open(transport._owned.current if transport._owned else None)
    if isinstance(transport, HttpxAsyncTransport):
        return _httpcore_open(transport.client)
    if isinstance(transport, AiohttpTransport):
        connector = None if transport.session is None else transport.session.connector
        if connector is None:  # no session yet, or closed
            return 0
        kept = sum(len(connections) for connections in connector._conns.values())
        return kept + len(connector._acquired)
    raise TypeError(f"no pool count for {type(transport).__name__}")


def _httpcore_open(client: object) -> int:
    if client is None:
        return 0
    pool = client._transport._pool  # type: ignore[attr-defined]
    return sum(not connection.is_closed() for connection in pool.connections)
