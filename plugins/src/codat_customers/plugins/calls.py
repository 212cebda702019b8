"""One logical call, as a sans-I/O plan shared by the sync and the async driver.

:func:`plan_call` runs the hooks and the core's parser and *asks* for I/O by yielding
commands: :class:`Send` (the driver answers with an ``HttpResponse`` or a
``TransportError``) and :class:`Sleep`. :func:`run` and :func:`run_async` are the only
places that touch a transport or a clock-driven wait, so retry, auth, logging and caching
behave identically in both worlds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

import pluggy
from codat_customers.core import (
    AsyncTransport,
    CodatError,
    HttpRequest,
    HttpResponse,
    Transport,
    TransportError,
)
from returns.result import Failure, Result, Success

from .context import CallContext

__all__ = ["Plan", "Send", "Sleep", "plan_call", "run", "run_async"]

T = TypeVar("T")

try:  # the workspace's one version (VERSION at the repository root), read once at import
    from importlib.metadata import version as _distribution_version

    USER_AGENT = f"codat-customers/{_distribution_version('codat-customers-plugins')}"
except ImportError:  # PackageNotFoundError: a source tree on sys.path, not installed
    USER_AGENT = "codat-customers/unknown"


@dataclass(frozen=True, slots=True)
class Send:
    """Ask the driver to send ``request`` once."""

    request: HttpRequest


@dataclass(frozen=True, slots=True)
class Sleep:
    """Ask the driver to wait ``seconds`` before the next command."""

    seconds: float


Plan = Generator[Send | Sleep, HttpResponse | TransportError | None, Result[T, CodatError]]


def _headers(hook: Any, request: HttpRequest, context: CallContext) -> dict[str, str]:
    merged: dict[str, str] = {"user-agent": USER_AGENT}
    # pluggy lists results in call order; the first caller wins, so apply in reverse.
    for extra in reversed(hook.codat_prepare_request(request=request, context=context)):
        merged.update({k.lower(): v for k, v in extra.items()})
    return merged


def _implemented(caller: pluggy.HookCaller) -> bool:
    # Skipping hooks nobody implements saves a pluggy dispatch (about a microsecond) each.
    return bool(caller.get_hookimpls())


def plan_call(
    hook: pluggy.HookRelay,
    request: HttpRequest,
    context: CallContext,
    parse: Callable[[HttpResponse], Result[T, CodatError]],
    clock: Callable[[], float] = time.monotonic,
) -> Plan[T]:
    """Plan one call: prepare, consult the cache, send with retries, parse, store."""
    request = request.with_headers(_headers(hook, request, context))
    if _implemented(hook.codat_cache_lookup):
        cached = hook.codat_cache_lookup(request=request, context=context)
        if cached is not None:
            return parse(cached)
    observe = hook.codat_observe_attempt if _implemented(hook.codat_observe_attempt) else None
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        outcome = yield Send(request)
        response = outcome if isinstance(outcome, HttpResponse) else None
        error = outcome if isinstance(outcome, TransportError) else None
        elapsed = clock() - started
        details = {
            "request": request,
            "context": context,
            "attempt": attempt,
            "response": response,
            "error": error,
            "elapsed": elapsed,
        }
        if observe is not None:
            observe(**details)
        delay = hook.codat_retry_delay(**details)
        if delay is None:
            break
        if response is not None:
            response.close()
        yield Sleep(delay)
    if response is None:
        assert error is not None
        result: Result[T, CodatError] = Failure(error)
    else:
        result = parse(response)
    if _implemented(hook.codat_cache_store):
        # Only a response the core accepted is worth keeping: a 200 HTML page from a proxy
        # or a truncated body must not be served back from a cache for a whole TTL.
        usable = response if isinstance(result, Success) else None
        hook.codat_cache_store(request=request, context=context, response=usable)
    return result


def run(plan: Plan[T], transport: Transport, context: CallContext) -> Result[T, CodatError]:
    """Drive ``plan`` with a synchronous transport and ``time.sleep``."""
    try:
        command = next(plan)
        while True:
            if isinstance(command, Send):
                try:
                    outcome: HttpResponse | TransportError = transport.send(
                        command.request, base_url=context.base_url, timeout=context.timeout
                    )
                except TransportError as exc:
                    outcome = exc
                command = plan.send(outcome)
            else:
                time.sleep(command.seconds)
                command = plan.send(None)
    except StopIteration as done:
        result: Result[T, CodatError] = done.value
        return result


async def run_async(
    plan: Plan[T], transport: AsyncTransport, context: CallContext
) -> Result[T, CodatError]:
    """Drive ``plan`` with an asynchronous transport and ``asyncio.sleep``."""
    try:
        command = next(plan)
        while True:
            if isinstance(command, Send):
                try:
                    outcome: HttpResponse | TransportError = await transport.send(
                        command.request, base_url=context.base_url, timeout=context.timeout
                    )
                except TransportError as exc:
                    outcome = exc
                command = plan.send(outcome)
            else:
                await asyncio.sleep(command.seconds)
                command = plan.send(None)
    except StopIteration as done:
        result: Result[T, CodatError] = done.value
        return result
