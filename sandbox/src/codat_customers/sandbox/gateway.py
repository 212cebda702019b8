"""What stands in front of every Codat operation: authentication, rate limits and faults.

Each operation is wrapped in an `Endpoint`, a raw ASGI app, because two faults (a dropped
connection, a truncated body) have to control exactly which bytes reach the socket.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from .clock import format_utc
from .errors import ApiError, error_response
from .faults import RateDecision, RequestFaults
from .state import SandboxState

__all__ = ["Endpoint", "Handler"]

Handler = Callable[[Request, RequestFaults], Awaitable[Response]]
"""An operation: the request and this request's faults in, a response out."""

_ERROR_TEXT = {
    500: "There is a problem with our server. Please try again later.",
    503: "The Codat API is temporarily offline for maintenance. Please try again later.",
}


class Endpoint:
    """ASGI app running one operation behind auth, rate limiting and fault injection."""

    def __init__(self, state: SandboxState, operation: str, handler: Handler) -> None:
        self.state = state
        self.operation = operation
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one request."""
        request = Request(scope, receive)
        faults = self.state.faults
        config = faults.config
        if config.latency_ms and faults.applies_to(self.operation):
            await asyncio.sleep(config.latency_ms / 1000)
        if not self._authorised(request):
            self.state.stats.record(self.operation, 401)
            await error_response(401, "Unauthorized")(scope, receive, send)
            return
        # Complete the pushes and run the syncs that are due before anything is read.
        self.state.writes.settle()
        rate = faults.rate(self.operation)
        drawn = faults.draw(self.operation)
        response = await self._respond(request, rate, drawn)
        response.headers.update(self._rate_headers(rate))
        self.state.stats.record(
            self.operation,
            response.status_code,
            dropped=drawn.drop_connection,
            truncated=_truncates(response, drawn) and not drawn.drop_connection,
        )
        await _deliver(response, drawn, scope, receive, send)

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), self.state.auth_header.encode())

    async def _respond(
        self, request: Request, rate: RateDecision, drawn: RequestFaults
    ) -> Response:
        if rate.retry_after is not None:
            return error_response(
                429,
                "You have made too many requests in a given amount of time; please retry later.",
                headers={"Retry-After": str(rate.retry_after)},
            )
        if drawn.error_status is not None:
            status = drawn.error_status
            return error_response(status, _ERROR_TEXT.get(status, "Injected fault."))
        try:
            return await self.handler(request, drawn)
        except ApiError as error:
            return error.to_response()

    def _rate_headers(self, rate: RateDecision) -> dict[str, str]:
        # Rounded to the nearest second: ``reset_in`` was measured a moment before this
        # clock read, and truncating would push a midnight reset to 00:00:01 whenever a
        # second boundary fell in between.
        reset = self.state.clock() + timedelta(seconds=rate.reset_in + 0.5)
        return {
            "X-Rate-Limit-Limit": str(rate.limit),
            "X-Rate-Limit-Remaining": str(rate.remaining),
            "X-Rate-Limit-Reset": format_utc(reset),
        }


async def _deliver(
    response: Response, drawn: RequestFaults, scope: Scope, receive: Receive, send: Send
) -> None:
    if _truncates(response, drawn):
        headers = {key: value for key, value in response.headers.items() if key != "content-length"}
        response = Response(
            bytes(response.body[: len(response.body) // 2]),
            status_code=response.status_code,
            headers=headers,
        )
    if drawn.drop_connection:
        await _send_half_then_drop(response, send)
        return
    await response(scope, receive, send)


def _truncates(response: Response, drawn: RequestFaults) -> bool:
    streaming = isinstance(response, StreamingResponse)
    return drawn.truncate_json and not streaming and _is_json(response)


def _is_json(response: Response) -> bool:
    return response.headers.get("content-type", "").startswith("application/json")


async def _send_half_then_drop(response: Response, send: Send) -> None:
    # Headers promise the whole body; returning early makes the server close the socket,
    # which is what a client sees when a connection breaks mid-response.
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    if isinstance(response, StreamingResponse):
        iterator = response.body_iterator
        async for chunk in iterator:
            data = chunk if isinstance(chunk, bytes) else str(chunk).encode()
            await send(
                {"type": "http.response.body", "body": data[: len(data) // 2], "more_body": True}
            )
            break
        closer = getattr(iterator, "aclose", None)
        if closer is not None:
            await closer()
        return
    body = bytes(response.body)
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
