"""The peer SDK's documented usage, with only the package name changed, against the sandbox.

Each test is written the way ``codat-accounting`` 0.36.0 documents the call (no
``server_url``: the client finds the sandbox through ``CODAT_SERVER_URL``), so a user's
existing code is proven to run unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from codat_customers.sandbox import SandboxServer

from codat_customers import CodatAccounting
from codat_customers.models import errors, operations, shared
from codat_customers.utils import BackoffStrategy, RetryConfig

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION = "2e9d2c44-f675-40ba-8049-353bfcb5e171"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(customers=30) as server:
        yield server


@pytest.fixture
def s(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[CodatAccounting]:
    monkeypatch.setenv("CODAT_SERVER_URL", sandbox.base_url)
    client = CodatAccounting(
        security=shared.Security(
            auth_header=sandbox.auth_header,
        ),
    )
    yield client
    client.close()


def test_create(s: CodatAccounting) -> None:
    res = s.customers.create(
        request={
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer": {
                "status": shared.CustomerStatus.ARCHIVED,
                "customer_name": "Seed Example Ltd",
                "contacts": [
                    {
                        "status": shared.CustomerStatus.ACTIVE,
                        "modified_date": "2022-10-23T00:00:00Z",
                        "phone": [
                            {
                                "type": shared.PhoneNumberType.UNKNOWN,
                                "number": "+44 25691 154789",
                            },
                        ],
                    },
                ],
                "default_currency": "USD",
                "modified_date": "2022-10-23T00:00:00Z",
                "source_modified_date": "2022-10-23T00:00:00Z",
            },
        }
    )
    assert res is not None
    assert isinstance(res, shared.CreateCustomerResponse)
    assert res.status == shared.PushOperationStatus.SUCCESS
    assert isinstance(res.data, shared.Customer)
    assert res.data.status == "Archived"
    contacts = res.data.contacts
    assert isinstance(contacts, list)
    assert contacts[0].phone == [shared.PhoneNumberItems(number="+44 25691 154789", type="Unknown")]


def test_list_get_and_update(s: CodatAccounting, sandbox: SandboxServer) -> None:
    res = s.customers.list(
        request={
            "company_id": COMPANY,
            "order_by": "-modifiedDate",
            "page": 1,
            "page_size": 100,
            "query": f"id={sandbox.customer_id}",
        }
    )
    assert res is not None
    assert isinstance(res, shared.Customers)
    assert [c.id for c in res.results or []] == [sandbox.customer_id]

    one = s.customers.get(request={"company_id": COMPANY, "customer_id": sandbox.customer_id})
    assert isinstance(one, shared.Customer)
    assert one.id == sandbox.customer_id

    updated = s.customers.update(
        request={
            "company_id": COMPANY,
            "connection_id": CONNECTION,
            "customer_id": sandbox.customer_id,
            "customer": {"status": shared.CustomerStatus.ACTIVE, "customer_name": "Renamed"},
            "force_update": True,
        }
    )
    assert isinstance(updated, shared.UpdateCustomerResponse)
    again = s.customers.get(request={"company_id": COMPANY, "customer_id": sandbox.customer_id})
    assert again.customer_name == "Renamed"


def test_get_create_update_model(s: CodatAccounting) -> None:
    res = s.customers.get_create_update_model(
        request={"company_id": COMPANY, "connection_id": CONNECTION}
    )
    assert isinstance(res, shared.PushOption)
    assert res.type == shared.PushOptionType.OBJECT
    assert "status" in (res.properties or {})


def test_attachments(s: CodatAccounting, sandbox: SandboxServer) -> None:
    ids = {"company_id": COMPANY, "connection_id": CONNECTION, "customer_id": sandbox.customer_id}
    listed = s.customers.list_attachments(request=ids)
    assert isinstance(listed, shared.AttachmentsDataset)
    assert sandbox.attachment_id in [a.id for a in listed.attachments or []]

    res = s.customers.get_attachment(request={**ids, "attachment_id": sandbox.attachment_id})
    assert isinstance(res, shared.Attachment)
    assert res.id == sandbox.attachment_id

    download = s.customers.download_attachment(
        request={**ids, "attachment_id": sandbox.attachment_id}
    )
    assert download is not None
    with download:
        assert download.status_code == 200
        body = b"".join(download.iter_bytes(1024))
    assert len(body) == res.file_size

    csv = next(a for a in listed.attachments or [] if a.content_type == "text/csv")
    with s.customers.download_attachment(request={**ids, "attachment_id": csv.id}) as again:
        text = again.text
    assert len(text.encode()) == csv.file_size
    assert "," in text.splitlines()[0]


def test_request_structs_positional_as_in_older_docs(
    s: CodatAccounting, sandbox: SandboxServer
) -> None:
    req = operations.GetCustomerRequest(company_id=COMPANY, customer_id=sandbox.customer_id)
    res = s.customers.get(req)
    assert res.id == sandbox.customer_id


def test_error_handling(s: CodatAccounting) -> None:
    res = None
    with pytest.raises(errors.ErrorMessage) as caught:
        res = s.customers.get(request={"company_id": COMPANY, "customer_id": "<value>"})
    assert res is None
    e = caught.value
    assert isinstance(e.data, errors.ErrorMessageData)
    assert e.data.status_code == 404
    assert '"statusCode":404' in str(e)


def test_retries_per_call_and_per_client(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODAT_SERVER_URL", sandbox.base_url)
    s = CodatAccounting(
        retry_config=RetryConfig("backoff", BackoffStrategy(1, 50, 1.1, 100), False),
        security=shared.Security(auth_header=sandbox.auth_header),
    )
    res = s.customers.get(
        request={"company_id": COMPANY, "customer_id": sandbox.customer_id},
        retries=RetryConfig("backoff", BackoffStrategy(1, 50, 1.1, 100), False),
    )
    assert res.id == sandbox.customer_id


def test_server_selection(sandbox: SandboxServer) -> None:
    by_index = CodatAccounting(server_idx=0, security=shared.Security(auth_header="Basic x"))
    assert by_index.results.server_url == "https://api.codat.io"
    s = CodatAccounting(
        server_url=sandbox.base_url, security=shared.Security(auth_header=sandbox.auth_header)
    )
    assert (
        s.customers.get(request={"company_id": COMPANY, "customer_id": sandbox.customer_id}).id
        == sandbox.customer_id
    )


def test_debug_logger(
    s: CodatAccounting, sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("codat_accounting")
    client = CodatAccounting(
        debug_logger=logger,
        server_url=sandbox.base_url,
        security=shared.Security(auth_header=sandbox.auth_header),
    )
    with caplog.at_level(logging.DEBUG, logger="codat_accounting"):
        client.customers.list(request={"company_id": COMPANY, "page_size": 1})
    assert any("list-customers" in r.getMessage() for r in caplog.records)
    assert all(sandbox.auth_header not in r.getMessage() for r in caplog.records)


def test_async_example(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODAT_SERVER_URL", sandbox.base_url)

    async def main() -> shared.Customer:
        s = CodatAccounting(
            security=shared.Security(
                auth_header=sandbox.auth_header,
            ),
        )
        res = await s.customers.get_async(
            request={"company_id": COMPANY, "customer_id": sandbox.customer_id}
        )
        await s.aclose()
        return res

    assert asyncio.run(main()).id == sandbox.customer_id
