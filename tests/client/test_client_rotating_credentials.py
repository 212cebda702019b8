"""A credential given as a function is fetched once per attempt (issue 10).

A retry after a backoff re-reads it, so a key rotated while the call waited is not sent
again; the cache stores the final answer under the key that attempt carried; a header the
caller passed for the call is never replaced. Real sockets, every async adapter too.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections.abc import Callable, Iterator

import pytest
from codat_customers.adapters.aiohttp import AiohttpTransport
from codat_customers.adapters.httpx import HttpxAsyncTransport
from codat_customers.core import AsyncTransport, RequestValidationError
from codat_customers.plugins import AuthPlugin, CachePlugin, RotatingAuthPlugin
from pytest_httpserver import HTTPServer
from returns.result import Failure
from returns.unsafe import unsafe_perform_io
from werkzeug import Request, Response

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.utils import BackoffStrategy, RetryConfig

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
PATH = f"/companies/{COMPANY}/data/customers/C-1"
GET = {"company_id": COMPANY, "customer_id": "C-1"}
FAST = RetryConfig("backoff", BackoffStrategy(1, 5, 1.5, 5_000), True)


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(key.encode()).decode()


class Keys:
    """A provider handing out key-1, key-2, ... and counting its calls."""

    def __init__(self) -> None:
        self._numbers: Iterator[int] = itertools.count(1)
        self.handed: list[str] = []

    def __call__(self) -> str:
        self.handed.append(f"key-{next(self._numbers)}")
        return self.handed[-1]


def unavailable_then_ok(server: HTTPServer, failures: int) -> None:
    """503 for the first ``failures`` requests, then the customer named after the key."""
    seen = itertools.count()

    def handle(request: Request) -> Response:
        if next(seen) < failures:
            return Response("busy", status=503)
        body = {"id": "C-1", "customerName": request.headers["Authorization"], "status": "Active"}
        return Response(json.dumps(body), content_type="application/json")

    server.expect_request(PATH).respond_with_handler(handle)


def sent_keys(server: HTTPServer) -> list[str]:
    return [entry[0].headers.get("Authorization", "") for entry in server.log]


def url(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


def test_a_function_makes_a_rotating_plugin_and_a_string_does_not() -> None:
    assert type(AuthPlugin("key")) is AuthPlugin
    rotating = AuthPlugin(Keys())
    assert isinstance(rotating, RotatingAuthPlugin)
    assert "key-" not in repr(rotating)


def test_each_attempt_fetches_the_credential_once(httpserver: HTTPServer) -> None:
    unavailable_then_ok(httpserver, failures=2)
    keys = Keys()
    with CodatCustomers(keys, server_url=url(httpserver), retry_config=FAST) as client:
        customer = client.get(GET).unwrap()
    assert keys.handed == ["key-1", "key-2", "key-3"]
    assert sent_keys(httpserver) == [basic("key-1"), basic("key-2"), basic("key-3")]
    assert customer.customer_name == basic("key-3")


def test_the_seed_face_fetches_it_once_per_attempt_too(httpserver: HTTPServer) -> None:
    unavailable_then_ok(httpserver, failures=1)
    keys = Keys()
    sdk = CodatAccounting(security=keys, server_url=url(httpserver))
    customer = sdk.customers.get(request=GET, retries=FAST)
    assert keys.handed == ["key-1", "key-2"]
    assert customer.customer_name == basic("key-2")


ASYNC_TRANSPORTS: dict[str, Callable[[], AsyncTransport | None]] = {
    "threaded": lambda: None,
    "httpx": HttpxAsyncTransport,
    "aiohttp": AiohttpTransport,
}


@pytest.mark.parametrize("transport", ASYNC_TRANSPORTS)
def test_async_attempts_fetch_it_once_each(httpserver: HTTPServer, transport: str) -> None:
    unavailable_then_ok(httpserver, failures=2)
    keys = Keys()

    async def scenario() -> str:
        async with CodatCustomers(
            keys,
            server_url=url(httpserver),
            retry_config=FAST,
            async_transport=ASYNC_TRANSPORTS[transport](),
        ) as client:
            result = await client.get_async(GET)
            return str(unsafe_perform_io(result.unwrap()).customer_name)

    assert asyncio.run(scenario()) == basic("key-3")
    assert keys.handed == ["key-1", "key-2", "key-3"]
    assert sent_keys(httpserver) == [basic("key-1"), basic("key-2"), basic("key-3")]


def test_the_cache_keeps_the_answer_under_the_key_that_got_it(httpserver: HTTPServer) -> None:
    """Looked up under key-1, answered to key-2: key-1 must not be served key-2's data."""
    unavailable_then_ok(httpserver, failures=1)
    handed = iter(["key-1", "key-2", "key-1", "key-2"])
    cache = CachePlugin(ttl=300)
    with CodatCustomers(
        lambda: next(handed), server_url=url(httpserver), retry_config=FAST, cache=cache
    ) as client:
        assert client.get(GET).unwrap().customer_name == basic("key-2")
        # key-1 has no entry of its own: it is sent and answered for itself.
        assert client.get(GET).unwrap().customer_name == basic("key-1")
        # key-2's entry is the first call's final answer.
        assert client.get(GET).unwrap().customer_name == basic("key-2")
    assert sent_keys(httpserver) == [basic("key-1"), basic("key-2"), basic("key-1")]
    assert cache.hits == 1


def test_a_callers_own_header_is_not_replaced_on_a_retry(httpserver: HTTPServer) -> None:
    unavailable_then_ok(httpserver, failures=1)
    keys = Keys()
    own = basic("caller's own")
    with CodatCustomers(keys, server_url=url(httpserver), retry_config=FAST) as client:
        client.get(GET, http_headers={"Authorization": own}).unwrap()
    assert sent_keys(httpserver) == [own, own]


def test_a_bad_credential_on_a_retry_ends_the_call_as_a_validation_failure(
    httpserver: HTTPServer,
) -> None:
    unavailable_then_ok(httpserver, failures=1)
    handed = iter(["good-key", "Basic c2VjcmV0\r\nX-Injected: 1"])
    with CodatCustomers(
        lambda: next(handed), server_url=url(httpserver), retry_config=FAST
    ) as client:
        result = client.get(GET)
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, RequestValidationError)
    assert error.field == "security"
    assert "c2VjcmV0" not in str(error)
    assert len(httpserver.log) == 1
