"""A retried download releases the previous attempt's connection before the next attempt.

Counted at the server (:mod:`tls_support`, plain HTTP here): which connection each
request arrived on, and whether the earlier connections were closed by then. Two ways an
attempt of a download can be retried:

* an error status (``503``) answered to the download: the adapter reads that small body
  whole and gives the connection back, so the retry reuses it;
* a ``200`` still streaming that a plugin's retry policy rejects: the driver closes it
  (``held.aclose()`` on async transports) before sending again, which drops its
  connection, since draining an unread body could cost as much as reading it.

Every adapter runs both, sync and async.
"""

from __future__ import annotations

from typing import Any

from codat_customers.core import HttpRequest, HttpResponse, TransportError
from codat_customers.plugins import BackoffStrategy, CallContext, RetryConfig, hookimpl
from conformance_support import AttemptCounter, Driver
from tls_support import Script, ScriptedServer

RETRY_EVERYTHING = RetryConfig("backoff", BackoffStrategy(1, 5, 1.5, 2_000), True)
SIZE = 4 * 1024 * 1024  # far beyond the socket buffers: the first body cannot be sent whole


class RetryFirstStreamedAnswer:
    """A retry policy that rejects the first attempt's streamed ``200`` (say, a bad digest)."""

    @hookimpl
    def codat_retry_delay(
        self,
        request: HttpRequest,
        context: CallContext,
        attempt: int,
        response: HttpResponse | None,
        error: TransportError | None,
        elapsed: float,
    ) -> float | None:
        if attempt == 1 and response is not None and response.is_streamed:
            return 0.0
        return None


def _download(driver: Driver) -> dict[str, Any]:
    sandbox = driver.sandbox
    return {
        "company_id": sandbox.company_id,
        "connection_id": sandbox.connection_id,
        "customer_id": sandbox.customer_id,
        "attachment_id": sandbox.attachment_id,
    }


def _fetch(driver: Driver, server: ScriptedServer, *plugins: object) -> list[int | str]:
    counter = AttemptCounter()
    client = driver.client(
        server_url=server.url(), retry_config=RETRY_EVERYTHING, plugins=[counter, *plugins]
    )
    download = driver.invoke("result", client, "download_attachment", _download(driver)).unwrap()
    size, _, _ = driver.consume(download)
    assert size == SIZE
    return counter.attempts


def test_an_error_status_to_a_download_gives_its_connection_back_before_the_retry(
    driver: Driver,
) -> None:
    script = Script(answers={1: "503", 2: "download"}, download_size=SIZE)
    with ScriptedServer(None, script) as server:
        attempts = _fetch(driver, server)
    assert attempts == [503, 200]
    # The retry went out on the connection that carried the 503: it was back in the pool.
    assert [seen.connection for seen in server.seen] == [1, 1]


def test_a_retried_streaming_answer_is_released_before_the_next_attempt(driver: Driver) -> None:
    script = Script(
        answers={1: "download", 2: "download"}, download_size=SIZE, wait_alone=frozenset({2})
    )
    with ScriptedServer(None, script) as server:
        attempts = _fetch(driver, server, RetryFirstStreamedAnswer())
    assert attempts == [200, 200]
    assert [seen.connection for seen in server.seen] == [1, 2]
    # When the retry arrived, the first answer's connection had been closed by the client
    # (its body was unread), not left checked out while the next attempt ran.
    assert server.alone == {2: True}
