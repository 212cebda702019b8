"""Hooks resolved once per set of plugins: every change to the plugins reaches the next call.

A client's plugin manager calls plain hook implementations directly, in pluggy's order and
with pluggy's result rules; wrappers, implementations with optional arguments and call
monitors go through pluggy. These tests make real calls over a socket, or compare the
direct calls with pluggy's own on the same plugins.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Mapping, Sequence
from typing import Any

import pluggy
import pytest
from client_support import BASE, COMPANY, CUSTOMER, CUSTOMER_JSON, error_json
from codat_customers.core import HttpRequest, HttpResponse, ReadTimeoutError, TransportError
from codat_customers.core.requests import GetCustomerRequest
from codat_customers.plugins import (
    DEFAULT_RETRY,
    CallContext,
    CallHooks,
    hookimpl,
    new_plugin_manager,
)
from codat_customers.plugins.dispatch import HOOK_NAMES
from pytest_httpserver import HTTPServer
from returns.result import Failure, Success

from codat_customers import CodatCustomers

GET_REQ = GetCustomerRequest(company_id=COMPANY, customer_id=CUSTOMER)
GET_PATH = f"{BASE}/data/customers/{CUSTOMER}"


class Tag:
    """Adds ``X-Tag: <value>`` to every request."""

    def __init__(self, value: str) -> None:
        self.value = value

    @hookimpl
    def codat_prepare_request(self, request: HttpRequest) -> Mapping[str, str]:
        return {"X-Tag": self.value}


def sent_tags(server: HTTPServer) -> list[str | None]:
    return [request.headers.get("X-Tag") for request, _ in server.log]


def test_plugins_registered_and_unregistered_through_the_manager_apply_to_the_next_call(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(CUSTOMER_JSON)
    assert isinstance(results.get(GET_REQ), Success)
    # Straight through pluggy's own API, not register_plugin.
    first = Tag("first")
    results.plugin_manager.register(first)
    results.get(GET_REQ)
    results.plugin_manager.register(Tag("second"), name="second")
    results.get(GET_REQ)
    results.plugin_manager.unregister(name="second")
    results.get(GET_REQ)
    results.plugin_manager.set_blocked(results.plugin_manager.get_name(first) or "")
    results.get(GET_REQ)
    assert sent_tags(httpserver) == [None, "first", "second", "first", None]


class WrapsPrepare:
    """A new-style wrapper: it sees and changes what the other implementations returned."""

    @hookimpl(wrapper=True)
    def codat_prepare_request(
        self, request: HttpRequest, context: CallContext
    ) -> Generator[None, list[Mapping[str, str]], list[Mapping[str, str]]]:
        found = yield
        names = sorted(name.lower() for headers in found for name in headers)
        return [*found, {"X-Seen": ",".join(names)}]


def test_a_wrapper_runs_as_pluggy_runs_it(httpserver: HTTPServer, results: CodatCustomers) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(CUSTOMER_JSON)
    results.register_plugin(Tag("tagged"))
    results.register_plugin(WrapsPrepare())
    results.get(GET_REQ)
    request = httpserver.log[0][0]
    assert request.headers["X-Seen"] == "authorization,x-tag"
    assert request.headers["X-Tag"] == "tagged"


def test_a_call_monitor_sees_every_hook_until_it_is_undone(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(CUSTOMER_JSON)
    seen: list[str] = []
    finished: list[str] = []

    def before(name: str, impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
        seen.append(name)

    def after(
        outcome: pluggy.Result[Any],
        name: str,
        impls: Sequence[pluggy.HookImpl],
        kwargs: Mapping[str, Any],
    ) -> None:
        finished.append(name)

    undo = results.plugin_manager.add_hookcall_monitoring(before, after)
    results.get(GET_REQ)
    assert seen == finished
    assert seen == ["codat_prepare_request", "codat_observe_attempt", "codat_retry_delay"]
    undo()
    undo()  # a second undo changes nothing
    results.get(GET_REQ)
    assert len(seen) == 3
    assert sent_tags(httpserver) == [None, None]


def test_tracing_goes_through_pluggy_while_it_is_on(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(CUSTOMER_JSON)
    lines: list[str] = []
    results.plugin_manager.trace.root.setwriter(lines.append)
    undo = results.plugin_manager.enable_tracing()
    results.get(GET_REQ)
    undo()
    traced = len(lines)
    results.get(GET_REQ)
    assert any("codat_retry_delay" in line for line in lines)
    assert len(lines) == traced


# --- the direct calls against pluggy's, on the same plugins ----------------------------


class Recorder:
    """Implements every hook with its own subset and order of the arguments."""

    def __init__(self, name: str, log: list[tuple[str, str, tuple[Any, ...]]]) -> None:
        self.name = name
        self.log = log

    def _seen(self, hook: str, *args: Any) -> None:
        self.log.append((self.name, hook, args))

    @hookimpl
    def codat_call_started(self, context: CallContext, request: HttpRequest) -> None:
        self._seen("call_started", context, request)

    @hookimpl
    def codat_call_finished(self, error: Any, context: CallContext) -> None:
        self._seen("call_finished", error, context)

    @hookimpl
    def codat_prepare_request(self, request: HttpRequest, context: CallContext) -> Any:
        self._seen("prepare_request", request, context)
        return {"x-from": self.name}

    @hookimpl
    def codat_cache_lookup(self, request: HttpRequest) -> Any:
        self._seen("cache_lookup", request)
        return None

    @hookimpl(tryfirst=True)
    def codat_attempt_started(self, attempt: int, delay: float) -> Any:
        self._seen("attempt_started", attempt, delay)
        return {"x-attempt": f"{self.name}-{attempt}"}

    @hookimpl
    def codat_observe_attempt(
        self, elapsed: float, attempt: int, error: TransportError | None
    ) -> None:
        self._seen("observe_attempt", elapsed, attempt, error)

    @hookimpl
    def codat_retry_delay(self, attempt: int, response: HttpResponse | None) -> float | None:
        self._seen("retry_delay", attempt, response)
        return 0.25 if attempt == 2 and self.name == "b" else None

    @hookimpl(trylast=True)
    def codat_cache_store(self, response: HttpResponse | None, request: HttpRequest) -> None:
        self._seen("cache_store", response, request)


CACHED = HttpResponse(200, {}, b"{}")


class AnswersFromCache:
    @hookimpl
    def codat_cache_lookup(self, request: HttpRequest, context: CallContext) -> Any:
        return CACHED if request.path == "/cached" else None


class OptionalArgument:
    """An implementation with a default argument: pluggy passes it when the hook has it."""

    def __init__(self, log: list[tuple[str, str, tuple[Any, ...]]]) -> None:
        self.log = log

    @hookimpl
    def codat_observe_attempt(self, request: HttpRequest, attempt: int = -1) -> None:
        self.log.append(("optional", "observe_attempt", (attempt,)))


def _arguments(attempt: int) -> dict[str, tuple[Any, ...]]:
    context = CallContext("get-customer", "http://x.invalid", None, None)
    request = HttpRequest(operation_id="get-customer", method="GET", path="/cached")
    other = HttpRequest(operation_id="get-customer", method="GET", path="/other")
    response = HttpResponse(503, {}, b"")
    error = ReadTimeoutError("slow")
    return {
        "codat_call_started": (request, context),
        "codat_call_finished": (request, context, error, None),
        "codat_prepare_request": (request, context),
        "codat_cache_lookup": (other if attempt == 1 else request, context),
        "codat_attempt_started": (request, context, attempt, 0.5),
        "codat_observe_attempt": (request, context, attempt, response, None, 0.125),
        "codat_retry_delay": (request, context, attempt, response, None, 0.125),
        "codat_cache_store": (request, context, response),
    }


@pytest.mark.parametrize("attempt", [1, 2])
def test_direct_calls_match_pluggys_calls(attempt: int) -> None:
    log: list[tuple[str, str, tuple[Any, ...]]] = []
    manager = new_plugin_manager(
        [Recorder("a", log), AnswersFromCache(), Recorder("b", log), OptionalArgument(log)]
    )
    manager.register(Recorder("c", log))
    direct = manager.call_hooks()
    via_pluggy = CallHooks.through_pluggy(manager.hook)
    for name, args in _arguments(attempt).items():
        attribute = name.removeprefix("codat_")
        log.clear()
        expected = getattr(via_pluggy, attribute)(*args)
        expected_log = list(log)
        log.clear()
        assert getattr(direct, attribute)(*args) == expected
        assert log == expected_log, name
        assert expected_log, name


def test_a_manager_without_implementations_leaves_every_hook_out() -> None:
    hooks = new_plugin_manager().call_hooks()
    assert all(getattr(hooks, name.removeprefix("codat_")) is None for name in HOOK_NAMES)
    assert repr(hooks) == "CallHooks()"


def test_an_exception_in_a_hook_reaches_the_caller_as_a_plain_call_would(
    httpserver: HTTPServer, results: CodatCustomers
) -> None:
    httpserver.expect_request(GET_PATH).respond_with_json(error_json(503), status=503)

    class Broken:
        @hookimpl
        def codat_observe_attempt(self, attempt: int) -> None:
            raise LookupError(f"attempt {attempt}")

    broken = Broken()
    results.register_plugin(broken)
    with pytest.raises(LookupError, match="attempt 1"):
        results.get(GET_REQ)
    results.plugin_manager.unregister(broken)
    assert isinstance(results.get(GET_REQ), Failure)


def test_the_fingerprinted_context_is_the_same_context_with_the_fingerprint() -> None:
    context = CallContext("get-customer", "http://x.invalid", 2.5, DEFAULT_RETRY, deadline=9.0)
    copy = context.with_fingerprint("0123abcd")
    assert copy == dataclasses.replace(context, credential_fingerprint="0123abcd")
    assert copy.call_id == context.call_id
    assert context.credential_fingerprint == ""
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.base_url = "http://elsewhere.invalid"  # type: ignore[misc]
