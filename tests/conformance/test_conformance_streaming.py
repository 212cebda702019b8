"""Downloads stream in chunks with bounded memory, and a broken stream is a ProtocolError."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from codat_customers.core import ProtocolError
from codat_customers.sandbox import SandboxServer
from conformance_support import BIG_ATTACHMENT_SIZE, Driver

MEMORY_BOUND = 8 * 1024 * 1024


def test_large_download_is_streamed_with_bounded_memory(
    driver: Driver, big_attachment: dict[str, Any]
) -> None:
    sandbox = driver.sandbox
    client = driver.client()
    request = {
        "company_id": sandbox.company_id,
        "connection_id": sandbox.connection_id,
        "customer_id": big_attachment["customerId"],
        "attachment_id": big_attachment["attachment"]["id"],
    }
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        download = driver.invoke("result", client, "download_attachment", request).unwrap()
        size, digest, largest = driver.consume(download, chunk_size=256 * 1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size == BIG_ATTACHMENT_SIZE
    assert digest == big_attachment["sha256"]
    assert largest <= 256 * 1024
    # The peak covers this process's allocations, the sandbox's included: far below 64 MiB
    # means the body never sat in memory whole, on either side.
    assert peak - baseline < MEMORY_BOUND, f"peak grew by {(peak - baseline) / 2**20:.1f} MiB"


def test_connection_dropped_mid_download_is_a_protocol_error(
    driver: Driver, faults: SandboxServer
) -> None:
    faults.set_faults(drop_connection_rate=1.0, operations=["download-customer-attachment"])
    client = driver.client()
    request = {
        "company_id": faults.company_id,
        "connection_id": faults.connection_id,
        "customer_id": faults.customer_id,
        "attachment_id": faults.attachment_id,
    }
    download = driver.invoke("result", client, "download_attachment", request).unwrap()
    assert download.status_code == 200
    with pytest.raises(ProtocolError):
        driver.consume(download)
    assert download.is_closed
