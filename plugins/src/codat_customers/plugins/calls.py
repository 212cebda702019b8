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
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass
from typing import TypeVar

import msgspec
import pluggy
from codat_customers.core import (
    AsyncTransport,
    CodatError,
    DecodeError,
    HttpRequest,
    HttpResponse,
    ProtocolError,
    ReadTimeoutError,
    Transport,
    TransportError,
)
from returns.result import Failure, Result, Success

from .auth import credential_fingerprint
from .context import CallContext
from .dispatch import CallHooks
from .outcomes import describe_failure

__all__ = ["Plan", "Send", "Sleep", "plan_call", "run", "run_async"]

T = TypeVar("T")

try:  # the workspace's one version (VERSION at the repository root), read once at import
    from importlib.metadata import version as _distribution_version

    USER_AGENT = f"codat-customers/{_distribution_version('codat-customers-plugins')}"
except ImportError:  # PackageNotFoundError: a source tree on sys.path, not installed
    USER_AGENT = "codat-customers/unknown"


@dataclass(frozen=True, slots=True)
class Send:
    """Ask the driver to send ``request`` once, waiting at most ``timeout`` seconds.

    ``timeout`` bounds connecting and each read. ``deadline`` is set when the call has a
    deadline: the seconds left for this attempt as a whole, which async drivers enforce
    by cancelling the attempt.
    """

    request: HttpRequest
    timeout: float | None = None
    deadline: float | None = None


@dataclass(frozen=True, slots=True)
class Sleep:
    """Ask the driver to wait ``seconds`` before the next command."""

    seconds: float


Plan = Generator[Send | Sleep, HttpResponse | TransportError | None, Result[T, CodatError]]


def _merged(
    found: list[Mapping[str, str]], keep: HttpRequest, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The headers a hook's implementations returned, to add to a request.

    pluggy lists results in call order and the first caller wins, so they are applied in
    reverse, over ``base``. Headers ``keep`` already carries (the core's, and the caller's
    own for this call) are not replaced: a per-call header is the most specific wish.
    """
    merged: dict[str, str] = dict(base) if base else {}
    for extra in reversed(found):
        if extra:
            for name, value in extra.items():
                merged[name.lower()] = value
    for name, _ in keep.headers:
        merged.pop(name, None)
    return merged


# Listed under every plugin's headers: any plugin may replace the default User-Agent.
_DEFAULT_HEADERS = {"user-agent": USER_AGENT}


def _prepared(hooks: CallHooks, request: HttpRequest, context: CallContext) -> HttpRequest:
    """``request`` with the headers of ``codat_prepare_request`` and the default ones."""
    prepare = hooks.prepare_request
    merged = _merged(
        [] if prepare is None else prepare(request, context), request, _DEFAULT_HEADERS
    )
    if not merged:
        return request
    # ``merged`` is lower-case and disjoint from the request's own headers, so appending is
    # what ``with_headers`` would do, without lower-casing and filtering a second time.
    return msgspec.structs.replace(request, headers=request.headers + tuple(merged.items()))


def _attempt(
    begin: Callable[..., list[Mapping[str, str]]],
    request: HttpRequest,
    built: HttpRequest,
    context: CallContext,
    attempt: int,
    delay: float,
) -> HttpRequest:
    """``request`` with the headers ``codat_attempt_started`` gives for this attempt alone.

    They may replace what a prepare hook added (a rotating credential fetched again for a
    retry), never what ``built`` (the core's request, with the caller's own headers) carries.
    """
    return request.with_headers(_merged(begin(request, context, attempt, delay), built))


def plan_call(
    hook: pluggy.HookRelay | CallHooks,
    request: HttpRequest,
    context: CallContext,
    parse: Callable[[HttpResponse], Result[T, CodatError]],
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], float] = time.time,
) -> Plan[T]:
    """Plan one call: prepare, consult the cache, send with retries, parse, store.

    ``hook`` is a plugin manager's :class:`~.dispatch.CallHooks` (a client passes its
    :class:`~.dispatch.CallPluginManager`'s, resolved once per set of plugins) or its
    ``hook`` relay, whose hooks are then called through pluggy. Either way the hooks
    implemented when the call starts are the ones it runs.

    When a plugin implements ``codat_call_started`` or ``codat_call_finished`` (a tracer),
    the plan is wrapped so that they bracket the whole call, however it ends; otherwise
    nothing is added.

    A :class:`~codat_customers.core.CodatError` raised by a prepare hook (a rotating
    credential the core rejects) ends the call as a ``Failure`` before anything is sent.
    Once the cache has been consulted, ``codat_cache_store`` is called exactly once whatever
    happens next: with the response the core accepted, or with ``None`` after a failure, an
    exception in a hook, or a driver that stopped the plan early (a cancelled task closes
    it), so a write always invalidates and a read never leaves per-call state behind.

    A 2xx answer whose body is not well-formed JSON (``DecodeError.malformed``: cut short or
    damaged on the way) is reported to the observe and retry hooks as a
    :class:`~codat_customers.core.ProtocolError` (the outcome is unknown, exactly as when a
    body is cut short), so a request that is safe to repeat is re-sent; if it is not
    re-sent, the call fails with the :class:`~codat_customers.core.DecodeError`. Well-formed
    JSON that is not the model, or a body over the parser's limits, is final: sending again
    would bring the same answer back. A failed
    call's error says whether a write may have landed and carries the idempotency key,
    ``Retry-After`` and rate-limit values (:func:`.outcomes.describe_failure`).
    """
    hooks = hook if isinstance(hook, CallHooks) else CallHooks.through_pluggy(hook)
    plan = _plan_call(hooks, request, context, parse, clock, wall_clock)
    if hooks.call_started is not None or hooks.call_finished is not None:
        return _bracketed(hooks, request, context, plan)
    return plan


def _bracketed(
    hooks: CallHooks, request: HttpRequest, context: CallContext, plan: Plan[T]
) -> Plan[T]:
    """``plan`` between ``codat_call_started`` and ``codat_call_finished`` (exactly once)."""
    if hooks.call_started is not None:
        hooks.call_started(request, context)
    result: Result[T, CodatError] | None = None
    try:
        result = yield from plan
        return result
    finally:
        if hooks.call_finished is not None:
            error = result.failure() if isinstance(result, Failure) else None
            value = result.unwrap() if isinstance(result, Success) else None
            download = value if isinstance(value, HttpResponse) and value.is_streamed else None
            hooks.call_finished(request, context, error, download)


def _plan_call(
    hooks: CallHooks,
    request: HttpRequest,
    context: CallContext,
    parse: Callable[[HttpResponse], Result[T, CodatError]],
    clock: Callable[[], float],
    wall_clock: Callable[[], float],
) -> Plan[T]:
    """:func:`plan_call` without the call hooks."""
    built = request
    try:
        request = _prepared(hooks, request, context)
    except CodatError as exc:
        return Failure(exc)
    # Caches key on what is sent, whichever plugin set the header.
    context = context.with_fingerprint(credential_fingerprint(request.header("authorization")))
    if hooks.cache_lookup is not None:
        cached = hooks.cache_lookup(request, context)
        if cached is not None:
            return parse(cached)
    accepted: HttpResponse | None = None
    last_sent = request
    try:
        response, result, last_sent = yield from _send_until_final(
            hooks, request, built, context, parse, clock
        )
        # Only a response the core accepted is worth keeping: a 200 HTML page from a proxy
        # or a truncated body must not be served back from a cache for a whole TTL.
        if isinstance(result, Success):
            accepted = response
            return result
        return Failure(describe_failure(result.failure(), request, wall_clock()))
    finally:
        if hooks.cache_store is not None:
            sent_with = last_sent.header("authorization")
            if sent_with != request.header("authorization"):
                # A retry went out under a rotated credential: the answer is that key's.
                context = context.with_fingerprint(credential_fingerprint(sent_with))
            hooks.cache_store(request, context, accepted)


def _send_until_final(
    hooks: CallHooks,
    request: HttpRequest,
    built: HttpRequest,
    context: CallContext,
    parse: Callable[[HttpResponse], Result[T, CodatError]],
    clock: Callable[[], float],
) -> Generator[
    Send | Sleep,
    HttpResponse | TransportError | None,
    tuple[HttpResponse | None, Result[T, CodatError], HttpRequest],
]:
    """Send, observe and ask the retry policy until an attempt is final; parse that one.

    Also returns the request last sent (its headers may differ from ``request``'s).
    """
    observe, retry_delay, begin = hooks.observe_attempt, hooks.retry_delay, hooks.attempt_started
    started = clock()
    sent = request
    attempt = 0
    waited = 0.0
    while True:
        attempt += 1
        timeout, left = context.timeout, None
        if context.deadline is not None:
            left = context.deadline - (clock() - started)
            if attempt > 1 and left <= 0:
                break  # the deadline passed while waiting: the last outcome stands
            timeout = left if timeout is None else min(timeout, left)
        if begin is None:
            sent = request
        else:
            try:
                sent = _attempt(begin, request, built, context, attempt, waited)
            except CodatError as exc:  # a rotating credential the core rejects, on a retry
                return None, Failure(exc), sent
        outcome = yield Send(sent, timeout, left)
        response = outcome if isinstance(outcome, HttpResponse) else None
        error = outcome if isinstance(outcome, TransportError) else None
        kept, parsed = response, None
        if response is not None and 200 <= response.status < 300:
            parsed = parse(response)
            undecodable = parsed.failure() if isinstance(parsed, Failure) else None
            if isinstance(undecodable, DecodeError) and undecodable.malformed:
                # Accepted, but the answer is unreadable: what happened is unknown.
                response = None
                error = ProtocolError(
                    f"the {undecodable.status} answer's body could not be decoded: {undecodable}"
                )
        # The arguments of codat_observe_attempt and codat_retry_delay, in their order.
        details = (request, context, attempt, response, error, clock() - started)
        if observe is not None:
            observe(*details)
        delay = None if retry_delay is None else retry_delay(*details)
        if delay is None:
            break
        # The driver releases the response it is not handed back for.
        yield Sleep(delay)
        waited = delay
    if parsed is not None:
        return kept, parsed, sent
    if response is None:
        assert error is not None
        return None, Failure(error), sent
    return response, parse(response), sent


def run(plan: Plan[T], transport: Transport, context: CallContext) -> Result[T, CodatError]:
    """Drive ``plan`` with a synchronous transport and ``time.sleep``.

    The driver owns every response until the plan returns a ``Success`` built on it (a
    download keeps its stream); any other response is released exactly once, whether the
    plan retried, failed, or an exception (a hook's, ``KeyboardInterrupt``) stopped it.
    """
    held: HttpResponse | None = None
    result: Result[T, CodatError] | None = None
    try:
        command = next(plan)
        while True:
            if held is not None:  # a retry: the previous answer is discarded
                held.close()
                held = None
            if isinstance(command, Send):
                try:
                    outcome: HttpResponse | TransportError = transport.send(
                        command.request, base_url=context.base_url, timeout=command.timeout
                    )
                except TransportError as exc:
                    outcome = exc
                held = outcome if isinstance(outcome, HttpResponse) else None
                command = plan.send(outcome)
            else:
                time.sleep(command.seconds)
                command = plan.send(None)
    except StopIteration as done:
        final: Result[T, CodatError] = done.value
        result = final
        return final
    finally:
        plan.close()
        if held is not None and not isinstance(result, Success):
            held.close()


async def _bounded(sending: Awaitable[HttpResponse], seconds: float | None) -> HttpResponse:
    """``sending``, cancelled after ``seconds`` (the call's deadline) if it is still going."""
    if seconds is None:
        return await sending
    try:
        return await asyncio.wait_for(sending, seconds)
    except asyncio.TimeoutError:
        # The transport released what it had when it was cancelled.
        raise ReadTimeoutError(f"the call's deadline passed after {seconds:.3f} s") from None


async def run_async(
    plan: Plan[T], transport: AsyncTransport, context: CallContext
) -> Result[T, CodatError]:
    """Drive ``plan`` with an asynchronous transport and ``asyncio.sleep``.

    Responses are released as in :func:`run`; a cancelled task closes the plan (so a write
    still invalidates the cache) and releases the response it held.
    """
    held: HttpResponse | None = None
    result: Result[T, CodatError] | None = None
    try:
        command = next(plan)
        while True:
            if held is not None:
                await held.aclose()
                held = None
            if isinstance(command, Send):
                try:
                    outcome: HttpResponse | TransportError = await _bounded(
                        transport.send(
                            command.request, base_url=context.base_url, timeout=command.timeout
                        ),
                        command.deadline,
                    )
                except TransportError as exc:
                    outcome = exc
                held = outcome if isinstance(outcome, HttpResponse) else None
                command = plan.send(outcome)
            else:
                await asyncio.sleep(command.seconds)
                command = plan.send(None)
    except StopIteration as done:
        final: Result[T, CodatError] = done.value
        result = final
        return final
    finally:
        plan.close()
        if held is not None and not isinstance(result, Success):
            await held.aclose()
