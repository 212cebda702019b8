"""Property: the Result API never raises, whatever the input and whatever the server does.

Hypothesis picks an operation, a request (valid, damaged, or not a request at all), per-call
options (good and bad), and how a real server on 127.0.0.1 answers (any status, content
type, body, a body cut short, a slow answer the caller gives up on). Every adapter, sync and
async, through closed clients and a fresh event loop per example, must give a ``Result``
whose failure is a :class:`~codat_customers.core.CodatError`. Cancelling the caller's own
task is not an outcome of the call: it propagates, and the next call still gives a Result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from codat_customers.core import CodatError
from codat_customers.plugins import BackoffStrategy, RetryConfig
from conformance_support import ADAPTERS, Adapter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from release_support import DOWNLOAD, Script, ScriptedServer
from returns.io import IOResult
from returns.result import Failure, Result, Success
from returns.unsafe import unsafe_perform_io

from codat_customers import AttachmentDownload, CodatCustomers

COMPANY = DOWNLOAD["company_id"]
CONNECTION = DOWNLOAD["connection_id"]
CUSTOMER = {"customer_name": "Acme", "status": "Active"}
VALID: dict[str, dict[str, Any]] = {
    "list": {"company_id": COMPANY, "page": 1, "page_size": 10, "query": "status=Active"},
    "get": {"company_id": COMPANY, "customer_id": "C-1"},
    "create": {"company_id": COMPANY, "connection_id": CONNECTION, "customer": CUSTOMER},
    "update": {
        "company_id": COMPANY,
        "connection_id": CONNECTION,
        "customer_id": "C-1",
        "customer": CUSTOMER,
        "force_update": True,
    },
    "get_create_update_model": {"company_id": COMPANY, "connection_id": CONNECTION},
    "list_attachments": {"company_id": COMPANY, "connection_id": CONNECTION, "customer_id": "C-1"},
    "get_attachment": {**DOWNLOAD},
    "download_attachment": {**DOWNLOAD},
}
QUICK_RETRIES = RetryConfig("backoff", BackoffStrategy(1, 5, 1.5, 40), True)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
odd_values = json_values | st.binary(max_size=8) | st.just(object()) | st.just(float("nan"))


@st.composite
def requests(draw: st.DrawFn, operation: str) -> object:
    """A valid request, one with a key dropped, changed or added, or something else."""
    kind = draw(st.sampled_from(["valid", "drop", "change", "add", "nested", "other"]))
    request = dict(VALID[operation])
    keys = sorted(request)
    if kind == "drop":
        del request[draw(st.sampled_from(keys))]
    elif kind == "change":
        request[draw(st.sampled_from(keys))] = draw(odd_values)
    elif kind == "add":
        request[draw(st.text(max_size=10))] = draw(odd_values)
    elif kind == "nested" and "customer" in request:
        customer = dict(CUSTOMER)
        customer[draw(st.sampled_from(["customer_name", "status", "addresses", "contacts"]))] = (
            draw(odd_values)
        )
        request["customer"] = customer
    elif kind == "other":
        return draw(odd_values | st.lists(json_values, max_size=2))
    return request


options = st.fixed_dictionaries(
    {},
    optional={
        "timeout_ms": st.one_of(
            st.none(), st.integers(-10, 5000), st.floats(), st.text(max_size=3)
        ),
        "retries": st.one_of(st.none(), st.just(QUICK_RETRIES), st.text(max_size=3)),
        "server_url": st.one_of(st.none(), st.just(""), st.text(max_size=12)),
    },
)

bodies = st.one_of(
    st.just(b'{"id": "C-1", "customerName": "Acme", "status": "Active"}'),
    st.just(b'{"results": [], "pageNumber": 1, "pageSize": 10, "totalResults": 0, "_links": {}}'),
    st.just(b'{"error": "nope", "statusCode": 404, "validation": {"errors": [{"message": 1}]}}'),
    json_values.map(msgspec.json.encode),
    st.binary(max_size=200),
)
scripts = st.builds(
    Script,
    status=st.sampled_from(
        [200, 201, 202, 204, 206, 299, 301, 304, 400, 401, 404, 409, 418, 429, 500, 503, 599]
    ),
    body=bodies,
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=x-unknown",
            "text/html",
            "application/octet-stream",
            "",
        ]
    ),
    missing=st.sampled_from([0, 0, 0, 1, 64]),
)


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.stop()


def assert_result(outcome: object) -> None:
    """``outcome`` is a Result; a failure is a CodatError; a download is released."""
    assert isinstance(outcome, Result), f"not a Result: {outcome!r}"
    if isinstance(outcome, Failure):
        assert isinstance(outcome.failure(), CodatError), repr(outcome.failure())
    else:
        assert isinstance(outcome, Success)
        value = outcome.unwrap()
        if isinstance(value, AttachmentDownload):
            value.close()


def client_for(adapter: Adapter, base_url: str) -> CodatCustomers:
    # The contract's default policy waits up to an hour; these retries give up within 40 ms.
    if adapter.make_sync is not None:
        return CodatCustomers(
            "key", server_url=base_url, retry_config=QUICK_RETRIES, transport=adapter.make_sync()
        )
    assert adapter.make_async is not None
    return CodatCustomers(
        "key",
        server_url=base_url,
        retry_config=QUICK_RETRIES,
        async_transport=adapter.make_async(),
    )


async def call_async(client: CodatCustomers, name: str, request: object, **kw: Any) -> object:
    outcome: IOResult[Any, Any] = await getattr(client, name + "_async")(request, **kw)
    result: object = unsafe_perform_io(outcome)
    if isinstance(result, Success) and isinstance(result.unwrap(), AttachmentDownload):
        await result.unwrap().aclose()
        return Success(None)
    return result


@pytest.mark.parametrize("adapter", ADAPTERS, ids=[adapter.id for adapter in ADAPTERS])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_result_api_never_raises(
    server: ScriptedServer, adapter: Adapter, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(sorted(VALID)), label="operation")
    request = data.draw(requests(name), label="request")
    per_call = data.draw(options, label="options")
    server.script = data.draw(scripts, label="script")
    close_first = data.draw(st.booleans(), label="closed client")
    client = client_for(adapter, server.base_url)
    if not adapter.is_async:
        if close_first:
            client.close()
        assert_result(getattr(client, name)(request, **per_call))
        client.close()
        return

    async def scenario() -> None:
        if close_first:
            await client.aclose()
        assert_result(await call_async(client, name, request, **per_call))

    # A fresh event loop for every run: the client outlives the loop it was first used in.
    asyncio.run(scenario())
    asyncio.run(scenario())
    asyncio.run(client.aclose())


@pytest.mark.parametrize(
    "adapter", [a for a in ADAPTERS if a.is_async], ids=[a.id for a in ADAPTERS if a.is_async]
)
def test_after_the_caller_gives_up_the_next_call_is_a_result(
    server: ScriptedServer, adapter: Adapter
) -> None:
    client = client_for(adapter, server.base_url)

    async def scenario() -> None:
        server.script = Script(status=200, delay_headers=0.2)
        for name in ("get", "download_attachment", "update"):
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(call_async(client, name, VALID[name]), 0.02)
        server.script = Script(
            status=200, body=b'{"id": "C-1", "status": "Active"}', content_type="application/json"
        )
        outcome = await call_async(client, "get", VALID["get"])
        assert isinstance(outcome, Success)
        await client.aclose()

    asyncio.run(scenario())
