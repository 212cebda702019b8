"""Every Customers operation, end to end, against a local sandbox: no account, no network.

Writes follow Codat's real lifecycle: the sandbox runs in push mode ``async``, so a create
answers ``Pending`` and the new record's id is only known once the push operation completes
(``push_operations.wait``).

Run from the repository root: ``uv run --all-extras python examples/demo.py``.
Point it at another server with ``--server-url URL --api-key KEY``.
"""

from __future__ import annotations

import argparse
import tempfile
from contextlib import ExitStack
from pathlib import Path

from returns.pipeline import flow
from returns.pointfree import bind, map_

from codat_customers import CodatAccounting
from codat_customers.models import errors, shared

COMPANY_ID = "8a210b68-6988-11ed-a1eb-0242ac120002"
CONNECTION_ID = "2e9d2c44-f675-40ba-8049-353bfcb5e171"


def heading(text: str) -> None:
    """Print a section heading."""
    print(f"\n== {text} " + "=" * max(0, 70 - len(text)))


def show_customer(customer: shared.Customer) -> None:
    """Print one customer as a short card."""
    address = (customer.addresses or [None])[0] if customer.addresses else None
    city = address.city if isinstance(address, shared.Items) else None
    deleted = (
        customer.metadata.is_deleted if isinstance(customer.metadata, shared.Metadata) else None
    )
    print(f"  id:        {customer.id}")
    print(f"  name:      {customer.customer_name}")
    print(f"  email:     {customer.email_address}")
    print(f"  status:    {customer.status}   currency: {customer.default_currency}")
    print(f"  city:      {city}   contacts: {len(customer.contacts or [])}   deleted: {deleted}")


def run(server_url: str, auth_header: str) -> None:
    """Call all eight operations and print what each returned."""
    s = CodatAccounting(security=shared.Security(auth_header=auth_header), server_url=server_url)

    heading("get_create_update_model: what the integration expects")
    model = s.customers.get_create_update_model(
        request={"company_id": COMPANY_ID, "connection_id": CONNECTION_ID}
    )
    for name, field in sorted((model.properties or {}).items()):
        flag = "required" if field.required else "optional"
        print(f"  {name:<22} {field.type:<9} {flag}")

    heading("list: active customers, newest first (page 1, 5 per page)")
    page = s.customers.list(
        request={
            "company_id": COMPANY_ID,
            "query": "status=Active && metadata.isDeleted!=true",
            "order_by": "-modifiedDate",
            "page": 1,
            "page_size": 5,
        }
    )
    print(f"  {page.total_results} match; page {page.page_number} holds {len(page.results or [])}")
    for customer in page.results or []:
        print(f"  - {customer.id:<40} {customer.customer_name}")

    first = (page.results or [])[0]
    heading(f"get: customer {first.id}")
    show_customer(s.customers.get(request={"company_id": COMPANY_ID, "customer_id": first.id}))

    heading("create: a new customer (one idempotency key, safe to retry)")
    created = s.customers.create(
        request={
            "company_id": COMPANY_ID,
            "connection_id": CONNECTION_ID,
            "customer": {
                "status": shared.CustomerStatus.ACTIVE,
                "customer_name": "Demo Widgets Ltd",
                "email_address": "accounts@demo-widgets.example",
                "default_currency": "GBP",
                "addresses": [{"type": shared.AccountingAddressType.BILLING, "city": "Leeds"}],
            },
        }
    )
    print(f"  push {created.push_operation_key}: {created.status} ({created.status_code})")
    # A Pending answer has no record yet: wait for the push to complete, then read its id.
    done = s.push_operations.wait(created, timeout_s=120)
    print(f"  completed {done.completed_on_utc}: {done.status} ({done.status_code})")
    if done.status != "Success" or not done.changes:
        print(f"  the push did not succeed: {done.error_message}")
        return
    record = done.changes[0].record_ref
    new_id = record.id if isinstance(record, shared.PushOperationRef) else None
    print(f"  new customer id: {new_id}")

    heading("update: rename it, then wait for the push")
    assert isinstance(new_id, str)
    updated = s.customers.update(
        request={
            "company_id": COMPANY_ID,
            "connection_id": CONNECTION_ID,
            "customer_id": new_id,
            "customer": {"status": "Active", "customer_name": "Demo Widgets Group"},
        }
    )
    print(f"  push {updated.push_operation_key}: {updated.status}")
    final = s.push_operations.wait(updated, timeout_s=120)
    renamed = s.customers.get(request={"company_id": COMPANY_ID, "customer_id": new_id})
    print(f"  {final.status}; name is now {renamed.customer_name!r}")

    heading("push_operations.list: this company's writes, newest first")
    history = s.push_operations.list(
        request={"company_id": COMPANY_ID, "order_by": "-requestedOnUtc", "page_size": 5}
    )
    for operation in history.results or []:
        key, status = operation.push_operation_key, operation.status
        print(f"  - {key}  {status:<8} {operation.requested_on_utc}")

    heading("list_attachments: the first customer that has some")
    attachments: list[shared.Attachment] = []
    owner = first.id
    for customer in s.customers.iter_all(request={"company_id": COMPANY_ID, "page_size": 50}):
        assert isinstance(customer.id, str)
        found = s.customers.list_attachments(
            request={
                "company_id": COMPANY_ID,
                "connection_id": CONNECTION_ID,
                "customer_id": customer.id,
            }
        )
        if found.attachments:
            attachments, owner = found.attachments, customer.id
            break
    print(f"  customer {owner} has {len(attachments)} attachment(s)")
    for attachment in attachments:
        print(f"  - {attachment.name:<28} {attachment.content_type:<18} {attachment.file_size} B")
    if not attachments:
        return
    ids = {"company_id": COMPANY_ID, "connection_id": CONNECTION_ID, "customer_id": owner}

    heading("get_attachment")
    one = s.customers.get_attachment(request={**ids, "attachment_id": attachments[0].id})
    print(f"  {one.name}: {one.content_type}, {one.file_size} bytes, created {one.date_created}")

    heading("download_attachment: streamed to disk")
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / str(one.name or "attachment.bin")
        with s.customers.download_attachment(
            request={**ids, "attachment_id": attachments[0].id}
        ) as download:
            written = download.save(target)
        print(f"  saved {written} bytes ({download.headers.get('content-type')}) to {target.name}")

    heading("errors: an unknown customer")
    try:
        s.customers.get(request={"company_id": COMPANY_ID, "customer_id": "no-such-customer"})
    except errors.ErrorMessage as exc:
        print(f"  errors.ErrorMessage {exc.status_code}: {exc.data.error}")

    heading("Result API: list -> first id -> get -> name, without exceptions")
    name_of_first = flow(
        s.results.list({"company_id": COMPANY_ID, "page_size": 1}),
        bind(lambda p: s.results.get({"company_id": COMPANY_ID, "customer_id": p.results[0].id})),
        map_(lambda c: c.customer_name),
    )
    print(f"  {name_of_first}")
    s.close()


def main() -> None:
    """Start a sandbox (unless a server URL is given) and run the demo against it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server-url", help="use this server instead of a local sandbox")
    parser.add_argument("--api-key", default="", help="API key for --server-url")
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.server_url:
            server_url, auth_header = args.server_url, args.api_key
        else:
            from codat_customers.sandbox import SandboxServer
            from codat_customers.sandbox.writes import WriteConfig

            # Pushes answer Pending and complete a second later, as Codat's do.
            writes = WriteConfig(push_mode="async", push_seconds=1)
            sandbox = stack.enter_context(SandboxServer(writes=writes))
            server_url, auth_header = sandbox.base_url, sandbox.auth_header
            print(f"sandbox running at {server_url}")
        run(server_url, auth_header)


if __name__ == "__main__":
    main()
