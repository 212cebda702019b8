"""The adapter contract's shared pieces in core (TLS is in test_conformance_tls.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from codat_customers.core import (
    GuardedStream,
    HttpRequest,
    MemoryByteStream,
    ProtocolError,
    finish_response,
    lowercase_headers,
)

JSON_GET = HttpRequest(operation_id="probe", method="GET", path="/probe")
DOWNLOAD = HttpRequest(operation_id="probe", method="GET", path="/f", response_kind="stream")


def test_lowercase_headers_keeps_repeated_values() -> None:
    headers = lowercase_headers([("Set-Cookie", "a=1"), ("X-Id", "7"), ("set-cookie", "b=2")])
    assert headers == {"set-cookie": "a=1, b=2", "x-id": "7"}


@pytest.mark.parametrize(
    ("request_", "status", "streamed"),
    [(DOWNLOAD, 200, True), (DOWNLOAD, 404, False), (JSON_GET, 200, False)],
)
def test_finish_response_streams_only_successful_downloads(
    request_: HttpRequest, status: int, streamed: bool
) -> None:
    response = finish_response(
        request_, status, [("Content-Type", "x/y")], MemoryByteStream(b"body")
    )
    assert response.headers == {"content-type": "x/y"}
    assert response.is_streamed is streamed
    assert response.body == (b"" if streamed else b"body")


class _Library:
    """Stands for an HTTP library's response: counts releases, can fail mid-body."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.releases = 0
        self.fail_after = fail_after

    def chunks(self, size: int) -> Iterator[bytes]:
        for index in range(3):
            if self.fail_after == index:
                raise OSError("connection reset")
            yield b"x" * size

    def read(self) -> bytes:
        return b"".join(self.chunks(4))

    def release(self) -> None:
        self.releases += 1


def _guarded(library: _Library) -> GuardedStream:
    def to_error(exc: BaseException) -> ProtocolError:
        return ProtocolError(str(exc))

    return GuardedStream(library.chunks, library.read, library.release, (OSError,), to_error)


def test_guarded_stream_maps_failures_and_releases_once() -> None:
    library = _Library(fail_after=1)
    stream = _guarded(library)
    with pytest.raises(ProtocolError, match="connection reset"):
        list(stream.iter_bytes(2))
    stream.close()
    assert library.releases == 1


def test_guarded_stream_releases_when_closed_early() -> None:
    library = _Library()
    stream = _guarded(library)
    chunks = stream.iter_bytes(2)
    assert next(chunks) == b"xx"
    chunks.close()  # the consumer stops reading
    assert library.releases == 1
    assert _guarded(library).read() == b"x" * 12
    assert library.releases == 2
