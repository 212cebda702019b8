"""Streaming downloads over a real socket: 50 MB with bounded memory, read, save, errors."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from client_support import (
    ATTACHMENT,
    BASE,
    COMPANY,
    CONNECTION,
    CUSTOMER,
    CUSTOMER_JSON,
    DOWNLOAD_CHUNK,
    download_chunks,
    serve_download,
)
from pytest_httpserver import HTTPServer
from returns.result import Success

from codat_customers import CodatAccounting, CodatCustomers
from codat_customers.models import errors

T = TypeVar("T")

SIZE = 50 * 1024 * 1024
MEMORY_LIMIT = 8 * 1024 * 1024
REQ = {
    "company_id": COMPANY,
    "connection_id": CONNECTION,
    "customer_id": CUSTOMER,
    "attachment_id": ATTACHMENT,
}


def sha256_of(chunks: Iterator[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


BIG_SHA = sha256_of(download_chunks(SIZE))


@pytest.fixture(scope="module")
def big_server() -> Iterator[str]:
    """A server in another process serving 50 MB, so tracemalloc sees only the client."""
    here = Path(__file__).parent
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import client_support; client_support.run_download_server({SIZE})",
        ],
        cwd=here,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(here), *sys.path])},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdin is not None
    url = child.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), url
    yield url
    child.stdin.close()
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def measure(action: Callable[[], T]) -> tuple[T, int]:
    """Run ``action`` under tracemalloc; return its value and the peak growth in bytes."""
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        value = action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return value, peak - baseline


def test_50_mb_download_through_iter_bytes_has_bounded_memory(big_server: str) -> None:
    client = CodatAccounting(security="k", server_url=big_server)

    def consume() -> tuple[int, str, int]:
        digest = hashlib.sha256()
        count = 0
        largest = 0
        with client.customers.download_attachment(request=REQ) as download:
            assert download.status_code == 200
            assert download.headers["content-length"] == str(SIZE)
            for chunk in download.iter_bytes(DOWNLOAD_CHUNK):
                digest.update(chunk)
                count += len(chunk)
                largest = max(largest, len(chunk))
        assert download.is_closed
        return count, digest.hexdigest(), largest

    (count, sha, largest), growth = measure(consume)
    client.close()
    assert count == SIZE
    assert sha == BIG_SHA
    assert largest <= DOWNLOAD_CHUNK
    assert growth < MEMORY_LIMIT, f"peak grew by {growth / 2**20:.1f} MiB"


def test_50_mb_download_saved_to_a_path_has_bounded_memory(big_server: str, tmp_path: Path) -> None:
    client = CodatCustomers("k", server_url=big_server)
    target = tmp_path / "attachment.bin"

    def save() -> int:
        outcome = client.download_attachment(REQ)
        assert isinstance(outcome, Success), outcome
        return outcome.unwrap().save(target)

    written, growth = measure(save)
    client.close()
    assert written == SIZE
    assert growth < MEMORY_LIMIT, f"peak grew by {growth / 2**20:.1f} MiB"
    assert target.stat().st_size == SIZE
    with target.open("rb") as handle:
        assert sha256_of(iter(lambda: handle.read(1 << 20), b"")) == BIG_SHA
    assert os.listdir(tmp_path) == ["attachment.bin"]  # no .part left behind


def test_reading_everything_is_what_costs_memory(big_server: str) -> None:
    # The control for the two tests above: read() holds the body, so it must show up.
    client = CodatAccounting(security="k", server_url=big_server)
    body, growth = measure(lambda: client.customers.download_attachment(request=REQ).read())
    client.close()
    assert len(body) == SIZE
    assert growth >= SIZE


def test_small_download_read_and_content(httpserver: HTTPServer, sdk: CodatAccounting) -> None:
    total = DOWNLOAD_CHUNK * 4
    serve_download(httpserver, total)
    download = sdk.customers.download_attachment(request=REQ)
    body = download.read()
    assert hashlib.sha256(body).hexdigest() == sha256_of(download_chunks(total))
    assert download.is_closed
    assert download.content == body  # read once, kept
    assert b"".join(download.iter_bytes(1000)) == body


def test_closing_an_unread_download_frees_the_client_for_more_calls(
    httpserver: HTTPServer, sdk: CodatAccounting
) -> None:
    serve_download(httpserver, DOWNLOAD_CHUNK * 64)
    httpserver.expect_request(f"{BASE}/data/customers/{CUSTOMER}").respond_with_json(CUSTOMER_JSON)
    for _ in range(3):
        with sdk.customers.download_attachment(request=REQ) as download:
            first = next(download.iter_bytes(DOWNLOAD_CHUNK))
            assert first[:4] == (0).to_bytes(4, "big")
        assert download.is_closed
        with pytest.raises(RuntimeError):
            download.read()
    customer = sdk.customers.get(request={"company_id": COMPANY, "customer_id": CUSTOMER})
    assert customer.id == CUSTOMER


def test_truncated_download_raises_and_leaves_no_file(
    httpserver: HTTPServer, base_url: str, tmp_path: Path
) -> None:
    # The server promises 1 MiB but sends 256 KiB and stops: the client must not pretend
    # the file is complete.
    serve_download(httpserver, DOWNLOAD_CHUNK * 4, declared=DOWNLOAD_CHUNK * 16)
    target = tmp_path / "partial.bin"
    with CodatAccounting(security="k", server_url=base_url, timeout_ms=300) as s:
        download = s.customers.download_attachment(request=REQ)
        with pytest.raises(errors.TransportError):
            download.save(target)
    assert os.listdir(tmp_path) == []
