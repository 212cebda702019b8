"""``/_sandbox/stats``: requests received per operation and per status, reset by DELETE."""

from __future__ import annotations

import pytest
import urllib3
from codat_customers.sandbox.testing import RawClient

NEW = {"customerName": "Counted Ltd", "status": "Active"}


def test_counts_start_at_zero(api: RawClient) -> None:
    stats = api.admin("GET", "stats").json()
    assert stats["total"] == 0 and stats["operations"] == {}
    assert isinstance(stats["since"], float)


def test_counts_every_request_per_operation_and_status(api: RawClient) -> None:
    assert api.get(f"{api.c}/data/customers/{api.server.customer_id}").status == 200
    assert api.get(f"{api.c}/data/customers/no-such-customer").status == 404
    assert api.get(f"{api.c}/data/customers", auth=False).status == 401
    api.admin("PUT", "faults", {"error_rate": 1.0, "error_statuses": [503]})
    assert api.create(NEW).status == 503
    api.admin("DELETE", "faults")
    assert api.create(NEW).status == 200
    api.admin("GET", "faults")  # the admin endpoints themselves are not counted
    stats = api.admin("GET", "stats").json()
    assert stats["total"] == 5
    assert stats["operations"] == {
        "create-customer": {
            "total": 2,
            "statuses": {"200": 1, "503": 1},
            "dropped": 0,
            "truncated": 0,
        },
        "get-customer": {
            "total": 2,
            "statuses": {"200": 1, "404": 1},
            "dropped": 0,
            "truncated": 0,
        },
        "list-customers": {"total": 1, "statuses": {"401": 1}, "dropped": 0, "truncated": 0},
    }


def test_counts_dropped_and_truncated_answers(api: RawClient) -> None:
    path = f"{api.c}/data/customers/{api.server.customer_id}"
    api.admin("PUT", "faults", {"truncate_json_rate": 1.0})
    assert api.get(path).status == 200
    api.admin("PUT", "faults", {"drop_connection_rate": 1.0})
    with pytest.raises(urllib3.exceptions.ProtocolError):
        api.get(path)
    counted = api.admin("GET", "stats").json()["operations"]["get-customer"]
    assert counted == {"total": 2, "statuses": {"200": 2}, "dropped": 1, "truncated": 1}


def test_delete_resets_the_counts(api: RawClient) -> None:
    api.get(f"{api.c}/data/customers")
    before = api.admin("GET", "stats").json()
    assert before["total"] == 1
    reset = api.admin("DELETE", "stats").json()
    assert reset["total"] == 0 and reset["operations"] == {}
    assert reset["since"] >= before["since"]
    api.get(f"{api.c}/data/customers")
    assert api.admin("GET", "stats").json()["operations"]["list-customers"]["total"] == 1
