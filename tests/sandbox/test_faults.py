"""Fault injection over real HTTP, switched through the admin endpoint and the Python API."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import urllib3
from codat_customers.sandbox import FaultConfig, SandboxServer
from codat_customers.sandbox.testing import RawClient, assert_error

NEW = {"customerName": "Fault Tolerant Ltd", "status": "Active"}


def test_faults_are_off_by_default(api: RawClient) -> None:
    config = api.admin("GET", "faults").json()
    assert config["error_rate"] == 0.0 and config["rate_limit"] is None
    assert config["drop_connection_rate"] == 0.0 and config["latency_ms"] == 0.0


def test_admin_endpoint_sets_merges_and_resets(api: RawClient) -> None:
    replaced = api.admin("PUT", "faults", {"error_rate": 0.25, "seed": 9})
    assert replaced.status == 200 and replaced.json()["error_rate"] == 0.25
    merged = api.admin("POST", "faults", {"latency_ms": 5}).json()
    assert merged["error_rate"] == 0.25 and merged["latency_ms"] == 5 and merged["seed"] == 9
    assert api.admin("PUT", "faults", {"latency_ms": 1}).json()["error_rate"] == 0.0
    assert api.admin("DELETE", "faults").json()["latency_ms"] == 0.0
    for bad in ({"error_rate": 2}, {"no_such_fault": 1}, {"rate_limit": -1}):
        assert api.admin("PUT", "faults", bad).status == 400
    assert api.admin("POST", "faults", {"error_rate": "high"}).status == 400


def test_rate_limit_answers_429_with_retry_after(api: RawClient) -> None:
    api.admin("PUT", "faults", {"rate_limit": 3, "rate_limit_window": 60})
    statuses = []
    for _ in range(3):
        response = api.get(api.k + "/options/customers")
        statuses.append(response.status)
    assert statuses == [200, 200, 200]
    assert response.headers["X-Rate-Limit-Remaining"] == "0"
    assert response.headers["X-Rate-Limit-Limit"] == "3"
    limited = api.get(api.k + "/options/customers")
    body = assert_error(limited, 429)
    assert "too many requests" in body["error"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_rate_limit_window_resets(api: RawClient) -> None:
    api.admin("PUT", "faults", {"rate_limit": 1, "rate_limit_window": 0.3})
    assert api.get(api.k + "/options/customers").status == 200
    assert api.get(api.k + "/options/customers").status == 429
    time.sleep(0.35)
    assert api.get(api.k + "/options/customers").status == 200


def _statuses(seed: int, count: int) -> list[int]:
    faults = FaultConfig(seed=seed, error_rate=0.5)
    with SandboxServer(customers=1, faults=faults) as server:
        api = RawClient(server)
        return [api.get(api.k + "/options/customers").status for _ in range(count)]


def test_server_errors_are_a_deterministic_fraction() -> None:
    first = _statuses(seed=7, count=40)
    assert first == _statuses(seed=7, count=40)
    assert set(first) == {200, 500, 503}
    assert 10 <= first.count(200) <= 30
    assert first != _statuses(seed=8, count=40)


def test_injected_errors_are_error_messages(api: RawClient) -> None:
    api.admin("PUT", "faults", {"error_rate": 1.0, "error_statuses": [503]})
    body = assert_error(api.get(api.c + "/data/customers"), 503)
    assert "maintenance" in body["error"]


def test_latency_is_added(api: RawClient) -> None:
    api.admin("PUT", "faults", {"latency_ms": 300})
    started = time.perf_counter()
    assert api.get(api.k + "/options/customers").status == 200
    assert time.perf_counter() - started >= 0.3


def test_truncated_json_is_a_complete_response_with_half_a_body(api: RawClient) -> None:
    whole = api.get(api.k + "/options/customers").data
    api.admin("PUT", "faults", {"truncate_json_rate": 1.0})
    response = api.get(api.k + "/options/customers")
    assert response.status == 200
    assert response.data == whole[: len(whole) // 2]
    assert int(response.headers["content-length"]) == len(whole) // 2
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.data)


def test_dropped_connection_breaks_mid_body(api: RawClient, codat_sandbox: SandboxServer) -> None:
    api.admin("PUT", "faults", {"drop_connection_rate": 1.0})
    with pytest.raises(urllib3.exceptions.ProtocolError):
        api.get(api.c + "/data/customers")
    download = (
        f"{api.k}/data/customers/{codat_sandbox.customer_id}/attachments/"
        f"{codat_sandbox.attachment_id}/download"
    )
    with pytest.raises(urllib3.exceptions.ProtocolError):
        api.get(download)
    api.admin("DELETE", "faults")
    assert api.get(api.c + "/data/customers").status == 200


def test_push_then_500_writes_but_reports_failure(api: RawClient) -> None:
    api.admin("PUT", "faults", {"push_then_500_rate": 1.0})
    assert_error(api.create(NEW), 500)
    assert api.list()["totalResults"] == 41  # the write happened: a blind retry duplicates


def test_push_then_500_with_a_key_lets_a_retry_see_the_real_answer(api: RawClient) -> None:
    api.admin("PUT", "faults", {"push_then_500_rate": 1.0})
    key = {"Idempotency-Key": str(uuid.uuid4())}
    assert_error(api.create(NEW, headers=key), 500)
    api.admin("DELETE", "faults")
    retried = api.create(NEW, headers=key)
    assert retried.status == 200 and retried.json()["status"] == "Success"
    assert api.list()["totalResults"] == 41


def test_faults_can_target_operations(api: RawClient) -> None:
    api.admin(
        "PUT",
        "faults",
        {"error_rate": 1.0, "error_statuses": [500], "operations": ["create-customer"]},
    )
    assert api.list()["totalResults"] == 40
    assert_error(api.create(NEW), 500)


def test_faults_from_the_python_api(codat_sandbox: SandboxServer) -> None:
    api = RawClient(codat_sandbox)
    codat_sandbox.set_faults(error_rate=1.0, error_statuses=[500])
    assert api.get(api.k + "/options/customers").status == 500
    codat_sandbox.clear_faults()
    assert api.get(api.k + "/options/customers").status == 200
