"""Hook specifications: the points where plugins shape a call.

A call runs in this order; every hook sees only transport-neutral values
(:class:`~codat_customers.core.HttpRequest`, :class:`~codat_customers.core.HttpResponse`,
:class:`~codat_customers.core.TransportError` and :class:`CallContext`), never a library's
objects, so the same plugin works over every adapter, sync or async::

    codat_call_started         once, before anything else (tracing)
    codat_prepare_request      once, headers are added
    codat_cache_lookup         once, may answer without sending
    ┌ codat_attempt_started    before every attempt: headers for this attempt only
    │ send attempt (adapter)
    │ codat_observe_attempt    after every attempt
    └ codat_retry_delay        after every attempt: wait and send again, or stop
    codat_cache_store          once, with the final response
    codat_call_finished        once, whatever happened (tracing)

Hooks are plain synchronous functions: the drivers (sync or async) do the sending and the
sleeping, so no plugin ever blocks an event loop or needs an async twin.
"""

from __future__ import annotations

from collections.abc import Mapping

from codat_customers.core import CodatError, HttpRequest, HttpResponse, TransportError

from .context import CallContext
from .markers import hookspec

__all__ = [
    "codat_attempt_started",
    "codat_cache_lookup",
    "codat_cache_store",
    "codat_call_finished",
    "codat_call_started",
    "codat_observe_attempt",
    "codat_prepare_request",
    "codat_retry_delay",
]


@hookspec
def codat_call_started(request: HttpRequest, context: CallContext) -> None:
    """See a logical call begin (a tracer opens its call span); the return value is ignored.

    Called first, before :func:`codat_prepare_request`, with the request the core built
    (no plugin's headers yet). Every call that reaches this hook reaches
    :func:`codat_call_finished` exactly once, with a context of the same ``call_id``.
    Not firstresult, not a wrapper.
    """


@hookspec
def codat_call_finished(
    request: HttpRequest,
    context: CallContext,
    error: CodatError | None,
    download: HttpResponse | None,
) -> None:
    """See a logical call end, whatever happened; the return value is ignored.

    Called exactly once after :func:`codat_call_started`: after a success (``error`` is
    ``None``), a failure (``error`` is the :class:`~codat_customers.core.CodatError` the
    caller gets: a rejected credential, a transport error, an error status), a cache hit,
    or when the call was stopped before it had an outcome (a cancelled task, an exception
    in another hook: ``error`` is ``None`` and the call did not succeed either; the
    :class:`CallContext` is the same, so a plugin tells the cases apart by the state it
    kept). ``download`` is set when the call hands a streamed response, body unread, to the
    caller: the call's work goes on until the caller has read or closed it. A plugin that
    must see that moment may replace ``download.stream`` / ``download.astream`` with a
    wrapper that delegates to the original (the caller reads through it); it must not read
    the body itself. Not firstresult, not a wrapper.
    """


@hookspec
def codat_attempt_started(
    request: HttpRequest, context: CallContext, attempt: int, delay: float
) -> Mapping[str, str] | None:
    """See an attempt begin; return headers to add to this attempt only, or ``None``.

    Called right before every send, retries included (not for cache hits), with the
    prepared request. ``attempt`` counts from 1; ``delay`` is the seconds the retry policy
    chose to wait before this attempt (``0.0`` for the first). The headers returned go on
    this attempt alone (a W3C ``traceparent`` naming the attempt's span, a rotating
    credential fetched again for a retry); they are not seen by
    :func:`codat_observe_attempt` or :func:`codat_retry_delay`. They may replace a header a
    :func:`codat_prepare_request` implementation added, never one the core built or the
    caller passed for this call. Not firstresult, not a wrapper.
    """


@hookspec
def codat_prepare_request(request: HttpRequest, context: CallContext) -> Mapping[str, str] | None:
    """Return headers to add to ``request`` before it is sent, or ``None``.

    Called once per logical call, after the core built and validated the request and before
    the cache is consulted, so every attempt carries the same headers (an
    ``Idempotency-Key`` made here is reused by every retry). Every implementation is called;
    when two return the same header name, the one pluggy calls first wins (the most
    recently registered plugin, or one marked ``tryfirst``). Header names are
    case-insensitive. Not firstresult, not a wrapper.
    """


@hookspec(firstresult=True)
def codat_cache_lookup(request: HttpRequest, context: CallContext) -> HttpResponse | None:
    """Return a stored response for ``request`` to answer it without sending, or ``None``.

    Called once per logical call, after :func:`codat_prepare_request`. The first
    implementation returning a response wins (firstresult) and that response is parsed as
    if it had come from the network; no attempt is made and no other hook runs for the call.
    """


@hookspec
def codat_observe_attempt(
    request: HttpRequest,
    context: CallContext,
    attempt: int,
    response: HttpResponse | None,
    error: TransportError | None,
    elapsed: float,
) -> None:
    """Observe one attempt (logging, metrics, tracing); the return value is ignored.

    Called after every attempt, including those that will be retried. Exactly one of
    ``response`` and ``error`` is set. A 2xx answer whose body cannot be decoded comes as
    ``error`` (a :class:`~codat_customers.core.ProtocolError`): its outcome is unknown, as
    when a body is cut short. ``attempt`` counts from 1; ``elapsed`` is seconds
    since the first attempt started. Implementations must not read ``response.stream``.
    Not firstresult, not a wrapper.
    """


@hookspec(firstresult=True)
def codat_retry_delay(
    request: HttpRequest,
    context: CallContext,
    attempt: int,
    response: HttpResponse | None,
    error: TransportError | None,
    elapsed: float,
) -> float | None:
    """Return how many seconds to wait before sending ``request`` again, or ``None`` to stop.

    Called after every attempt, after :func:`codat_observe_attempt`, with the same
    arguments. The first implementation returning a number decides (firstresult); when all
    return ``None`` the attempt's outcome is final. A policy must not resend a request that
    the server may already have processed unless the request is safe to replay.
    """


@hookspec
def codat_cache_store(
    request: HttpRequest, context: CallContext, response: HttpResponse | None
) -> None:
    """See the final outcome of a call: store it, or invalidate what it made stale.

    Called once per logical call that was sent (not for calls answered from the cache),
    after the core parsed the last response: with that response when it parsed into the
    operation's model, or ``None`` when the call failed (a transport error, an error status,
    or a body the core rejected). Writes must invalidate whatever their outcome, since a
    failed write may still have landed. Streamed responses are passed with their stream
    unread; do not read it. Return value ignored.
    """
