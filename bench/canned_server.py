"""A loopback HTTP/1.1 server whose own cost is small and constant: fixed bytes per route.

Standard library only (asyncio protocol, keep-alive, no framework), so the client side
dominates every end-to-end figure. Routes, whatever the company or customer id:

* ``GET .../data/customers?...pageSize=N`` -> ``page-N.json`` if it exists, else ``page-100.json``
* ``GET .../data/customers/<id>`` -> ``customer.json``

Run: ``python bench/canned_server.py BODIES_DIR`` prints ``PORT <n>`` and serves until killed.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

_PAGE_SIZE = re.compile(rb"[?&]pageSize=(\d+)")


def _response(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode() + body


def _not_found() -> bytes:
    body = b'{"statusCode":404,"error":"Not found"}'
    return (
        b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


class Routes:
    def __init__(self, directory: Path) -> None:
        self.customer = _response((directory / "customer.json").read_bytes())
        self.pages = {
            int(path.stem.split("-")[1]): _response(path.read_bytes())
            for path in directory.glob("page-*.json")
        }
        self.missing = _not_found()

    def answer(self, target: bytes) -> bytes:
        path, _, _query = target.partition(b"?")
        if path.endswith(b"/data/customers"):
            match = _PAGE_SIZE.search(target)
            size = int(match.group(1)) if match else 100
            return self.pages.get(size) or self.pages.get(100) or self.missing
        if b"/data/customers/" in path:
            return self.customer
        return self.missing


class CannedProtocol(asyncio.Protocol):
    def __init__(self, routes: Routes) -> None:
        self.routes = routes
        self.buffer = b""
        self.skip = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        out = []
        close = False
        while True:
            if self.skip:  # the rest of a request body we ignore
                taken = min(self.skip, len(buffer))
                buffer = buffer[taken:]
                self.skip -= taken
                if self.skip:
                    break
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head, buffer = buffer[:end], buffer[end + 4 :]
            lines = head.split(b"\r\n")
            parts = lines[0].split(b" ")
            target = parts[1] if len(parts) > 1 else b"/"
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    self.skip = int(value.strip() or 0)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            out.append(self.routes.answer(target))
        self.buffer = buffer
        assert self.transport is not None
        if out:
            self.transport.write(b"".join(out))
        if close:
            self.transport.close()


async def serve(directory: Path, port: int) -> None:
    routes = Routes(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: CannedProtocol(routes), "127.0.0.1", port, backlog=1024, reuse_address=True
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    async with server:
        await stop.wait()


def main() -> None:
    directory = Path(sys.argv[1])
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    asyncio.run(serve(directory, port))


if __name__ == "__main__":
    main()
