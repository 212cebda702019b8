"""The async transport a client picks when it is given none (codat_customers.async_default).

Which adapters are installed is simulated in a fresh interpreter: ``sys.modules[name] =
None`` makes ``import name`` fail there as if it were not installed, and a package that
raises on import, put first on ``sys.path``, stands for a broken install. Each child makes
a real async call to the test server, so the chosen transport is shown to work.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from client_support import API_KEY, COMPANY, CUSTOMER, CUSTOMER_JSON
from codat_customers.adapters.aiohttp import AiohttpTransport
from codat_customers.adapters.stdlib import StdlibTransport
from pytest_httpserver import HTTPServer
from returns.io import IOSuccess

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.adapters.threaded import ThreadedAsyncTransport
from codat_customers.async_default import ASYNC_PREFERENCE, default_async_adapter

REQUEST = {"company_id": COMPANY, "customer_id": CUSTOMER}

CHILD = textwrap.dedent(
    """
    import asyncio, json, logging, sys

    options = json.loads(sys.argv[1])
    for name in options["blocked"]:
        sys.modules[name] = None  # import name now fails, as if it were not installed
    if options["shadow"]:
        sys.path.insert(0, options["shadow"])
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)

    from returns.io import IOSuccess

    from codat_customers import CodatCustomers
    from codat_customers.async_default import default_async_adapter

    # Not the suite's credential: the child's output is not the secret guard's business.
    client = CodatCustomers("Basic Y2hpbGQ6", server_url=options["base_url"])
    unused = CodatCustomers("Basic Y2hpbGQ6", server_url=options["base_url"])
    asyncio.run(unused.aclose())
    imported_early = "aiohttp" in sys.modules and sys.modules["aiohttp"] is not None

    async def main():
        result = await client.get_async(options["request"])
        await client.aclose()
        return isinstance(result, IOSuccess)

    ok = asyncio.run(main())
    transport = client.async_transport
    print(json.dumps({
        "chosen": default_async_adapter(),
        "transport": type(transport).__name__,
        "wrapped": type(getattr(transport, "transport", None)).__name__,
        "imported_before_first_async_call": imported_early,
        "ok": ok,
    }))
    """
)


@pytest.fixture
def customer_server(httpserver: HTTPServer) -> str:
    """The test server answering the one ``get`` the children make."""
    httpserver.expect_request(f"/companies/{COMPANY}/data/customers/{CUSTOMER}").respond_with_json(
        CUSTOMER_JSON
    )
    return httpserver.url_for("/").rstrip("/")


def run_child(base_url: str, blocked: list[str] = [], shadow: Path | None = None) -> Any:  # noqa: B006
    options = {
        "base_url": base_url,
        "request": REQUEST,
        "blocked": blocked,
        "shadow": str(shadow) if shadow else None,
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(options)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_the_preference_order_is_aiohttp_then_threaded() -> None:
    assert ASYNC_PREFERENCE == ("aiohttp", "threaded")
    assert default_async_adapter() == "aiohttp"  # the test environment has every extra


def test_with_aiohttp_installed_the_default_is_aiohttp(customer_server: str) -> None:
    seen, _ = run_child(customer_server)
    assert seen == {
        "chosen": "aiohttp",
        "transport": "AiohttpTransport",
        "wrapped": "NoneType",
        "imported_before_first_async_call": False,
        "ok": True,
    }


@pytest.mark.parametrize("missing", ["aiohttp", "codat_customers.adapters.aiohttp"])
def test_without_aiohttp_the_default_is_threaded_urllib3(
    customer_server: str, missing: str
) -> None:
    seen, _ = run_child(customer_server, blocked=[missing])
    assert seen == {
        "chosen": "threaded",
        "transport": "ThreadedAsyncTransport",
        "wrapped": "Urllib3Transport",
        "imported_before_first_async_call": False,
        "ok": True,
    }


def test_an_aiohttp_that_fails_to_import_falls_back_to_threaded(
    customer_server: str, tmp_path: Path
) -> None:
    broken = tmp_path / "aiohttp"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('a half-installed aiohttp')\n")

    seen, log = run_child(customer_server, shadow=tmp_path)

    assert seen["chosen"] == "aiohttp"  # it looks installed ...
    assert (seen["transport"], seen["wrapped"]) == ("ThreadedAsyncTransport", "Urllib3Transport")
    assert seen["ok"] is True  # ... and the client still works, on the next in the order
    assert "aiohttp is installed but does not import" in log


def test_a_given_transport_also_carries_the_async_calls(customer_server: str) -> None:
    transport = StdlibTransport()
    client = CodatCustomers(API_KEY, server_url=customer_server, transport=transport)

    async def call() -> object:
        return await client.get_async(REQUEST)  # type: ignore[arg-type]

    result = asyncio.run(call())

    assert isinstance(result, IOSuccess)
    assert isinstance(client.async_transport, ThreadedAsyncTransport)
    assert client.async_transport.transport is transport
    client.close()


def test_both_faces_default_to_aiohttp_and_a_given_async_transport_wins(
    customer_server: str,
) -> None:
    seed = CodatAccounting(security=API_KEY, server_url=customer_server)
    assert isinstance(seed.results.async_transport, AiohttpTransport)
    mine = ThreadedAsyncTransport(StdlibTransport())
    client = CodatCustomers(API_KEY, server_url=customer_server, async_transport=mine)
    assert client.async_transport is mine
    seed.close()
    client.close()
