"""HttpxAsyncTransport lets at most ``max_in_flight`` requests into httpx's pool at once.

httpcore slows down sharply when hundreds of requests queue inside one pool, so the
transport queues them itself. A loopback server that holds every request for a moment
counts how many it has at once.
"""

from __future__ import annotations

import asyncio
import pickle
import threading
from collections.abc import Iterator

import httpx
import pytest
from codat_customers.adapters.httpx import HttpxAsyncTransport
from returns.unsafe import unsafe_perform_io

from codat_customers import CodatCustomers

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CUSTOMER = b'{"id": "C-1", "customerName": "Acme", "status": "Active"}'


class HoldingServer:
    """HTTP/1.1 keep-alive server answering every request after ``hold`` seconds."""

    def __init__(self, hold: float = 0.02) -> None:
        self.hold = hold
        self.now = 0
        self.most = 0
        self.port = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.Server | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._server = server
        self._ready.set()
        self._loop.run_forever()

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                self.now += 1
                self.most = max(self.most, self.now)
                await asyncio.sleep(self.hold)
                self.now -= 1
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(CUSTOMER)}\r\n\r\n"
                )
                writer.write(head.encode() + CUSTOMER)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def __enter__(self) -> HoldingServer:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


@pytest.fixture
def server() -> Iterator[HoldingServer]:
    with HoldingServer() as running:
        yield running


def most_at_once(server: HoldingServer, transport: HttpxAsyncTransport, tasks: int) -> int:
    async def scenario() -> None:
        async with CodatCustomers(
            "key",
            server_url=f"http://127.0.0.1:{server.port}",
            retry_config=None,
            async_transport=transport,
        ) as client:
            request = {"company_id": COMPANY, "customer_id": "C-1"}
            results = await asyncio.gather(*(client.get_async(request) for _ in range(tasks)))
        for result in results:
            assert unsafe_perform_io(result.unwrap()).id == "C-1"

    asyncio.run(scenario())
    return server.most


def test_an_explicit_bound_is_kept(server: HoldingServer) -> None:
    assert most_at_once(server, HttpxAsyncTransport(max_in_flight=5), tasks=60) == 5


def test_the_default_bound_is_the_pool_size_of_the_client_it_makes() -> None:
    # The server cannot tell this bound from the pool's own (both 100): the difference is
    # where the other requests wait, which bench/reliability_load.py measures.
    assert HttpxAsyncTransport().max_in_flight == 100
    assert HttpxAsyncTransport(max_in_flight=7).max_in_flight == 7


def test_your_own_client_is_not_bounded_unless_asked() -> None:
    yours = httpx.AsyncClient()
    assert HttpxAsyncTransport(yours).max_in_flight is None
    assert HttpxAsyncTransport(yours, max_in_flight=20).max_in_flight == 20


def test_the_bound_survives_pickling(server: HoldingServer) -> None:
    copy = pickle.loads(pickle.dumps(HttpxAsyncTransport(max_in_flight=3)))
    assert most_at_once(server, copy, tasks=30) == 3


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "4"])
def test_a_bad_bound_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="max_in_flight"):
        HttpxAsyncTransport(max_in_flight=bad)  # type: ignore[arg-type]
