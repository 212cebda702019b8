"""A download whose file write fails releases its connection at once (sync and async)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
import urllib3
from codat_customers.adapters.httpx import HttpxAsyncTransport
from codat_customers.sandbox import SandboxServer
from returns.unsafe import unsafe_perform_io

from codat_customers import CodatCustomers


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with SandboxServer() as server:
        yield server


@pytest.fixture(scope="module")
def big(sandbox: SandboxServer) -> dict[str, str]:
    """A 1 MiB attachment: many chunks, so a write fails while the body is still unread."""
    response = urllib3.request(
        "POST",
        sandbox.base_url + "/_sandbox/attachments",
        json={"size": 1024 * 1024, "name": "big.bin"},
        timeout=60,
    )
    assert response.status == 201, response.data
    created: dict[str, Any] = response.json()
    return {**request(sandbox), "attachment_id": created["attachment"]["id"]}


def full_disk_target(tmp_path: Path) -> Path:
    """A target whose partial file is /dev/full: every write fails with ENOSPC."""
    target = tmp_path / "attachment.pdf"
    os.symlink("/dev/full", str(target) + ".part")
    return target


def request(sandbox: SandboxServer) -> dict[str, str]:
    return {
        "company_id": sandbox.company_id,
        "connection_id": sandbox.connection_id,
        "customer_id": sandbox.customer_id,
        "attachment_id": sandbox.attachment_id,
    }


# Chunks larger than the file's 8 KiB buffer go straight to /dev/full, so the first write
# fails while most of the body is still on the wire.
CHUNK = 64 * 1024


def test_save_releases_at_once_when_the_write_fails(
    sandbox: SandboxServer, big: dict[str, str], tmp_path: Path
) -> None:
    with CodatCustomers(sandbox.auth_header, server_url=sandbox.base_url) as client:
        download = client.download_attachment(big).unwrap()
        with pytest.raises(OSError):
            download.save(full_disk_target(tmp_path), chunk_size=CHUNK)
        assert download.is_closed
        assert not (tmp_path / "attachment.pdf").exists()


@pytest.mark.parametrize("transport", ["threaded", "httpx"])
def test_asave_releases_at_once_when_the_write_fails(
    sandbox: SandboxServer, big: dict[str, str], tmp_path: Path, transport: str
) -> None:
    client = CodatCustomers(
        sandbox.auth_header,
        server_url=sandbox.base_url,
        async_transport=HttpxAsyncTransport() if transport == "httpx" else None,
    )

    async def scenario() -> None:
        outcome = await client.download_attachment_async(big)
        download = unsafe_perform_io(outcome.unwrap())
        with pytest.raises(OSError):
            await download.asave(full_disk_target(tmp_path), chunk_size=CHUNK)
        assert download.is_closed  # released now, not when the generator is collected
        await client.aclose()

    asyncio.run(scenario())
