"""create and update: validation, push-operation responses, forceUpdate, timeouts and
Idempotency-Key replay."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import urllib3
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.testing import RawClient, assert_error

NEW = {
    "customerName": "Harbour Coffee Roasters Ltd",
    "contactName": "Ines Novak",
    "emailAddress": "ines@harbour.example",
    "defaultCurrency": "GBP",
    "status": "Active",
    "addresses": [{"type": "Billing", "line1": "1 Quay", "city": "Bristol", "postalCode": "BS1"}],
    "contacts": [
        {"name": "Ines", "status": "Active", "phone": [{"number": "+44 1", "type": "Mobile"}]}
    ],
}


def _is_utc_timestamp(text: str) -> bool:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").year >= 2024


def test_create_returns_a_successful_push_operation(api: RawClient) -> None:
    response = api.create(NEW)
    assert response.status == 200
    operation = response.json()
    uuid.UUID(operation["pushOperationKey"])
    assert operation["status"] == "Success" and operation["statusCode"] == 200
    assert operation["companyId"] == api.company
    assert operation["dataConnectionKey"] == api.connection
    assert operation["dataType"] == "customers"
    assert _is_utc_timestamp(operation["requestedOnUtc"])
    assert operation["completedOnUtc"] == operation["requestedOnUtc"]
    data = operation["data"]
    assert data["customerName"] == NEW["customerName"]
    assert data["modifiedDate"] == operation["requestedOnUtc"]
    assert operation["changes"] == [
        {"type": "Created", "recordRef": {"id": data["id"], "dataType": "customers"}}
    ]
    assert "validation" not in operation


def test_created_customer_is_visible_at_once(api: RawClient) -> None:
    created = api.create(NEW).json()["data"]
    fetched = api.get(f"{api.c}/data/customers/{created['id']}").json()
    assert fetched == created
    listed = api.list(query=f"id={created['id']}")
    assert listed["totalResults"] == 1 and listed["results"][0] == created
    assert api.list()["totalResults"] == 41


def test_read_only_fields_are_ignored(api: RawClient) -> None:
    body = {**NEW, "id": "mine", "modifiedDate": "2001-01-01T00:00:00Z"}
    data = api.create(body).json()["data"]
    assert data["id"] != "mine"
    assert data["modifiedDate"] != "2001-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        {"customerName": "No status"},
        {"customerName": "Wrong type", "status": "Active", "addresses": "nowhere"},
        {"customerName": "Bad enum", "status": "Sleeping"},
        {
            "customerName": "Bad phone",
            "status": "Active",
            "contacts": [{"status": "Active", "phone": [{"number": "1", "type": "Pager"}]}],
        },
    ],
)
def test_a_body_that_breaks_the_schema_is_400(api: RawClient, body: Any) -> None:
    error = assert_error(api.create(body), 400)
    assert error["error"] == "Error processing request - not valid."
    assert error["validation"]["errors"][0]["message"]
    assert api.list()["totalResults"] == 40


def test_breaking_the_model_fails_the_push(api: RawClient) -> None:
    body = {"status": "Active", "customerName": "", "defaultCurrency": "pounds", "phone": "9" * 51}
    response = api.create(body)
    assert response.status == 200
    operation = response.json()
    assert operation["status"] == "Failed" and operation["statusCode"] == 400
    assert operation["errorMessage"]
    found = {(e["itemId"], e["validatorName"]) for e in operation["validation"]["errors"]}
    assert found == {
        ("customerName", "Required"),
        ("defaultCurrency", "Format"),
        ("phone", "MaxLength"),
    }
    assert operation["changes"] == []
    assert api.list()["totalResults"] == 40


def test_update_replaces_the_customer(api: RawClient, codat_sandbox: SandboxServer) -> None:
    before = api.get(f"{api.c}/data/customers/{codat_sandbox.customer_id}").json()
    body = {**before, "customerName": "Renamed Ltd", "phone": "+44 20 0000 0000"}
    response = api.update(codat_sandbox.customer_id, body)
    assert response.status == 200
    operation = response.json()
    assert operation["status"] == "Success"
    assert operation["changes"][0]["type"] == "Modified"
    after = api.get(f"{api.c}/data/customers/{codat_sandbox.customer_id}").json()
    assert after["customerName"] == "Renamed Ltd"
    assert after["id"] == codat_sandbox.customer_id
    assert after["modifiedDate"] > before["modifiedDate"]
    assert after.get("metadata") == before.get("metadata")
    assert operation["data"] == after


def test_update_with_a_stale_copy_fails_unless_forced(
    api: RawClient, codat_sandbox: SandboxServer
) -> None:
    path = f"{api.c}/data/customers/{codat_sandbox.customer_id}"
    copy = api.get(path).json()
    assert api.update(codat_sandbox.customer_id, copy).json()["status"] == "Success"
    stale = {**copy, "customerName": "Stale write"}
    failed = api.update(codat_sandbox.customer_id, stale).json()
    assert failed["status"] == "Failed"
    assert failed["validation"]["errors"][0]["validatorName"] == "ForceUpdate"
    assert api.get(path).json()["customerName"] != "Stale write"
    forced = api.update(codat_sandbox.customer_id, stale, params={"forceUpdate": "true"})
    assert forced.json()["status"] == "Success"
    assert api.get(path).json()["customerName"] == "Stale write"


def test_update_rejects_a_bad_force_update_value(
    api: RawClient, codat_sandbox: SandboxServer
) -> None:
    response = api.update(codat_sandbox.customer_id, NEW, params={"forceUpdate": "perhaps"})
    assert_error(response, 400)


def test_timeout_in_minutes(api: RawClient, codat_sandbox: SandboxServer) -> None:
    operation = api.create(NEW, params={"timeoutInMinutes": 2}).json()
    assert operation["status"] == "Success" and operation["timeoutInMinutes"] == 2
    codat_sandbox.set_faults(push_duration_seconds=300)
    slow = api.create(NEW, params={"timeoutInMinutes": 2}).json()
    assert slow["status"] == "TimedOut"
    requested = datetime.fromisoformat(slow["requestedOnUtc"].replace("Z", "+00:00"))
    completed = datetime.fromisoformat(slow["completedOnUtc"].replace("Z", "+00:00"))
    assert completed - requested == timedelta(seconds=300)
    # Codat stopped waiting, but the write landed.
    assert api.get(f"{api.c}/data/customers/{slow['data']['id']}").status == 200
    assert_error(api.create(NEW, params={"timeoutInMinutes": -1}), 400)
    assert_error(api.create(NEW, params={"timeoutInMinutes": "soon"}), 400)


def test_push_history_is_recorded(api: RawClient) -> None:
    api.create(NEW)
    api.create({"status": "Active"})
    history = api.admin("GET", f"push-operations?companyId={api.company}").json()["results"]
    assert [op["status"] for op in history] == ["Success", "Failed"]


# --- Idempotency-Key ----------------------------------------------------------------------


def test_same_key_replays_the_first_response(api: RawClient) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.create(NEW, headers=key)
    second = api.create(NEW, headers=key)
    assert first.status == second.status == 200
    assert second.data == first.data
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert api.list()["totalResults"] == 41


def test_errors_are_replayed_too(api: RawClient) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.create({"customerName": "x"}, headers=key)
    assert first.status == 400
    again = api.create({"customerName": "x"}, headers=key)
    assert again.status == 400 and again.data == first.data


def test_same_key_with_another_body_is_422(api: RawClient) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert api.create(NEW, headers=key).status == 200
    assert_error(api.create({**NEW, "customerName": "Other"}, headers=key), 422)
    assert api.list()["totalResults"] == 41


def test_same_key_in_flight_is_409(api: RawClient, codat_sandbox: SandboxServer) -> None:
    codat_sandbox.set_faults(push_latency_ms=800)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    results: list[urllib3.BaseHTTPResponse] = []
    first = threading.Thread(target=lambda: results.append(api.create(NEW, headers=key)))
    first.start()
    try:
        # Give the first request time to claim the key.
        threading.Event().wait(0.3)
        assert_error(api.create(NEW, headers=key), 409)
    finally:
        first.join()
    assert results[0].status == 200
    assert api.create(NEW, headers=key).data == results[0].data


def test_a_429_is_not_remembered(api: RawClient, codat_sandbox: SandboxServer) -> None:
    codat_sandbox.set_faults(rate_limit=0, retry_after=1)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert_error(api.create(NEW, headers=key), 429)
    codat_sandbox.clear_faults()
    retried = api.create(NEW, headers=key)
    assert retried.status == 200 and retried.json()["status"] == "Success"


def test_keys_expire_after_90_minutes() -> None:
    now = [datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)]
    with SandboxServer(clock=lambda: now[0]) as server:
        api = RawClient(server)
        key = {"Idempotency-Key": "fixed-key"}
        first = api.create(NEW, headers=key).json()
        now[0] += timedelta(minutes=89)
        assert api.create(NEW, headers=key).json() == first
        now[0] += timedelta(minutes=2)
        fresh = api.create(NEW, headers=key).json()
        assert fresh["pushOperationKey"] != first["pushOperationKey"]
        assert api.list()["totalResults"] == 42
