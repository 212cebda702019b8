"""The call and attempt hooks a tracer needs: when they run, what they see, what they change."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from codat_customers.core import (
    CodatError,
    HttpRequest,
    HttpResponse,
    MemoryByteStream,
    RequestValidationError,
)
from codat_customers.plugins import (
    CachePlugin,
    CallContext,
    hookimpl,
    new_plugin_manager,
    plan_call,
)
from codat_customers.plugins.calls import _plan_call
from otel_support import QUICK_RETRIES

from codat_customers import CodatCustomers

CUSTOMER = b'{"id": "c-1", "customerName": "A", "status": "Active"}'
GET = {"company_id": "co", "customer_id": "c-1"}


class Scripted:
    """A transport answering with the given statuses in turn, recording what it was sent."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest, *, base_url: str, timeout: float | None) -> HttpResponse:
        self.sent.append(request)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        headers = {"content-type": "application/json"}
        if request.response_kind == "stream" and status == 200:
            headers = {"content-type": "application/pdf"}
            return HttpResponse(200, headers, stream=MemoryByteStream(b"%PDF"))
        return HttpResponse(status, headers, CUSTOMER if status == 200 else b"{}")

    def close(self) -> None:
        pass


class Recorder:
    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.headers = headers

    @hookimpl
    def codat_call_started(self, request: HttpRequest, context: CallContext) -> None:
        self.events.append(("started", context.call_id, request.header("authorization")))

    @hookimpl
    def codat_attempt_started(
        self, request: HttpRequest, context: CallContext, attempt: int, delay: float
    ) -> Mapping[str, str] | None:
        self.events.append(("attempt", attempt, delay > 0))
        return self.headers

    @hookimpl
    def codat_observe_attempt(self, request: HttpRequest, **_: Any) -> None:
        self.events.append(("observed", request.header("traceparent")))

    @hookimpl
    def codat_call_finished(
        self,
        request: HttpRequest,
        context: CallContext,
        error: CodatError | None,
        download: HttpResponse | None,
    ) -> None:
        self.events.append(
            ("finished", context.call_id, type(error).__name__ if error else None, download)
        )


def _client(transport: Scripted, *plugins: object, **options: Any) -> CodatCustomers:
    options.setdefault("retry_config", None)
    return CodatCustomers(
        "Basic eA==", server_url="http://x.invalid", transport=transport, plugins=plugins, **options
    )


def test_a_retried_call_is_bracketed_and_each_attempt_gets_its_own_headers() -> None:
    transport = Scripted(503, 200)
    recorder = Recorder({"traceparent": "00-abc-def-01"})
    with _client(transport, recorder, retry_config=QUICK_RETRIES) as client:
        client.get(GET).unwrap()
    started, *middle, finished = recorder.events
    assert started[0] == "started" and started[2] is None  # before any plugin's headers
    assert middle == [
        ("attempt", 1, False),
        ("observed", None),  # the attempt's headers are its own
        ("attempt", 2, True),
        ("observed", None),
    ]
    assert finished == ("finished", started[1], None, None)
    assert [r.header("traceparent") for r in transport.sent] == ["00-abc-def-01"] * 2
    assert all(r.header("authorization") == "Basic eA==" for r in transport.sent)


def test_attempt_headers_never_replace_the_callers_own() -> None:
    transport = Scripted(200)
    recorder = Recorder({"traceparent": "mine", "Authorization": "per attempt"})
    with _client(transport, recorder) as client:
        own = {"traceparent": "the caller's", "Authorization": "Basic Y2FsbGVy"}
        client.get(GET, http_headers=own).unwrap()
    (sent,) = transport.sent
    assert sent.header("traceparent") == "the caller's"
    assert sent.header("authorization") == "Basic Y2FsbGVy"


def test_attempt_headers_refine_what_prepare_hooks_added() -> None:
    """A per-attempt value (a refreshed credential) wins over the prepare stage's."""
    transport = Scripted(200)
    with _client(transport, Recorder({"Authorization": "per attempt"})) as client:
        client.get(GET).unwrap()
    (sent,) = transport.sent
    assert sent.header("authorization") == "per attempt"


def test_finished_sees_the_failure() -> None:
    recorder = Recorder()
    with _client(Scripted(404), recorder) as client:
        client.get(GET).failure()
    assert recorder.events[-1][2] == "ApiError"


def test_finished_runs_when_a_prepare_hook_rejects_the_call() -> None:
    class Rejects:
        @hookimpl
        def codat_prepare_request(self, request: HttpRequest, context: CallContext) -> None:
            raise RequestValidationError("security", "rotated away")

    recorder = Recorder()
    transport = Scripted(200)
    with _client(transport, Rejects(), recorder) as client:
        client.get(GET).failure()
    assert [event[0] for event in recorder.events] == ["started", "finished"]
    assert recorder.events[-1][2] == "RequestValidationError"
    assert transport.sent == []


def test_a_cache_hit_is_started_and_finished_without_attempts() -> None:
    recorder = Recorder()
    with _client(Scripted(200), recorder, cache=CachePlugin(ttl=60)) as client:
        client.get(GET).unwrap()
        recorder.events.clear()
        client.get(GET).unwrap()
    assert [event[0] for event in recorder.events] == ["started", "finished"]


def test_finished_is_handed_a_download_with_its_stream_unread() -> None:
    recorder = Recorder()
    request = {"company_id": "co", "connection_id": "cn", "customer_id": "c", "attachment_id": "a"}
    with _client(Scripted(200), recorder) as client:
        download = client.download_attachment(request).unwrap()
        handed = recorder.events[-1][3]
        assert isinstance(handed, HttpResponse) and handed.is_streamed
        assert download.read() == b"%PDF"


def test_finished_runs_once_when_the_task_is_cancelled() -> None:
    class Silent:
        async def send(
            self, request: HttpRequest, *, base_url: str, timeout: float | None
        ) -> HttpResponse:
            await asyncio.sleep(3600)
            raise AssertionError

        async def aclose(self) -> None:
            pass

    recorder = Recorder()

    async def scenario() -> None:
        client = _client(Scripted(200), recorder, async_transport=Silent())
        task = asyncio.ensure_future(client.get_async(GET).awaitable())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await client.aclose()

    asyncio.run(scenario())
    assert [event[0] for event in recorder.events] == ["started", "attempt", "finished"]
    assert recorder.events[-1][2:] == (None, None)


def test_without_call_hooks_the_plan_is_not_wrapped() -> None:
    manager = new_plugin_manager()
    context = CallContext("get-customer", "http://x.invalid", None, None)
    request = HttpRequest(operation_id="get-customer", method="GET", path="/")
    plan = plan_call(manager.hook, request, context, lambda r: None)  # type: ignore[arg-type,return-value]
    assert plan.gi_code is _plan_call.__code__  # type: ignore[attr-defined]
    plan.close()
    manager.register(Recorder())
    wrapped = plan_call(manager.hook, request, context, lambda r: None)  # type: ignore[arg-type,return-value]
    assert wrapped.gi_code is not _plan_call.__code__  # type: ignore[attr-defined]
    wrapped.close()
