"""Every operation over real HTTP, with its documented error paths."""

from __future__ import annotations

import base64

import pytest
from codat_customers.sandbox import (
    DEMO_COMPANY_ID,
    DEMO_CONNECTION_ID,
    SandboxServer,
    auth_header_for,
)
from codat_customers.sandbox.testing import RawClient, assert_error

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def test_seeded_example_ids_exist(codat_sandbox: SandboxServer) -> None:
    assert codat_sandbox.company_id == DEMO_COMPANY_ID
    assert codat_sandbox.connection_id == DEMO_CONNECTION_ID
    assert (
        codat_sandbox.auth_header == "Basic " + base64.b64encode(b"sandbox-demo-api-key").decode()
    )
    assert codat_sandbox.base_url.startswith("http://127.0.0.1:")


def test_missing_or_wrong_key_is_401(api: RawClient) -> None:
    body = assert_error(api.get(api.c + "/data/customers", auth=False), 401)
    assert body["error"] == "Unauthorized"
    wrong = {"Authorization": auth_header_for("not-the-key")}
    assert_error(api.get(api.c + "/data/customers", auth=False, headers=wrong), 401)
    raw_key = {"Authorization": "Basic sandbox-demo-api-key"}
    assert_error(api.get(api.c + "/data/customers", auth=False, headers=raw_key), 401)


def test_list_customers_returns_a_page(api: RawClient) -> None:
    page = api.list()
    assert page["pageNumber"] == 1
    assert page["pageSize"] == 100
    assert page["totalResults"] == 40
    assert len(page["results"]) == 40
    first = page["results"][0]
    assert first["status"] in ("Active", "Archived", "Unknown")
    assert {"id", "customerName", "addresses", "modifiedDate"} <= first.keys()


def test_get_customer(api: RawClient, codat_sandbox: SandboxServer) -> None:
    response = api.get(f"{api.c}/data/customers/{codat_sandbox.customer_id}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["id"] == codat_sandbox.customer_id


def test_unknown_company_connection_customer_are_404(api: RawClient) -> None:
    body = assert_error(api.get(f"/companies/{UNKNOWN}/data/customers"), 404)
    assert UNKNOWN in body["error"]
    assert_error(api.get(f"{api.c}/data/customers/no-such-customer"), 404)
    body = assert_error(api.get(f"{api.c}/connections/{UNKNOWN}/options/customers"), 404)
    assert body["error"] == f"Data connection {UNKNOWN} not found"
    assert_error(api.get(f"{api.k}/data/customers/nope/attachments"), 404)
    assert_error(api.update("nope", {"customerName": "X", "status": "Active"}), 404)
    assert_error(api.get("/companies/not-a-uuid/data/customers"), 404)


def test_connection_of_another_company_is_404(api: RawClient, codat_sandbox: SandboxServer) -> None:
    path = f"/companies/{codat_sandbox.unsynced_company_id}/connections/{api.connection}"
    assert_error(api.get(path + "/options/customers"), 404)


def test_unsynced_company_answers_409(api: RawClient, codat_sandbox: SandboxServer) -> None:
    path = f"/companies/{codat_sandbox.unsynced_company_id}/data/customers"
    body = assert_error(api.get(path), 409)
    assert body["error"] == "The data set has not been requested."
    assert_error(api.get(path + "/anything"), 409)


def test_unknown_route_and_wrong_method_are_json(api: RawClient) -> None:
    assert_error(api.get("/companies"), 404)
    response = api.request("DELETE", f"{api.c}/data/customers")
    assert_error(response, 405)
    assert "GET" in response.headers["allow"]


def test_get_create_update_model(api: RawClient) -> None:
    response = api.get(api.k + "/options/customers")
    assert response.status == 200
    model = response.json()
    assert model["type"] == "Object"
    assert model["displayName"] == "Customer"
    assert model["required"] is True
    name = model["properties"]["customerName"]
    assert name["required"] is True and name["type"] == "String"
    assert name["validation"]["information"][0]["details"] == "Max length of 100 characters."
    status = model["properties"]["status"]
    assert [option["value"] for option in status["options"]] == ["Active", "Archived", "Unknown"]
    phone = model["properties"]["contacts"]["properties"]["phone"]
    assert phone["type"] == "Array"
    assert phone["properties"]["type"]["required"] is True


def test_rate_limit_headers_on_every_response(api: RawClient) -> None:
    first = api.get(api.k + "/options/customers")
    second = api.get(api.k + "/options/customers")
    assert int(first.headers["X-Rate-Limit-Limit"]) == 3000
    assert int(second.headers["X-Rate-Limit-Remaining"]) == (
        int(first.headers["X-Rate-Limit-Remaining"]) - 1
    )
    assert second.headers["X-Rate-Limit-Reset"].endswith("T00:00:00Z")


def test_list_and_get_attachments(api: RawClient, codat_sandbox: SandboxServer) -> None:
    base = f"{api.k}/data/customers/{codat_sandbox.customer_id}/attachments"
    listed = api.get(base).json()["attachments"]
    assert [item["id"] for item in listed] == codat_sandbox.attachment_ids
    assert [item["contentType"] for item in listed] == ["application/pdf", "image/png", "text/csv"]
    one = api.get(f"{base}/{codat_sandbox.attachment_id}")
    assert one.status == 200
    assert one.json() == listed[0]
    assert_error(api.get(f"{base}/00000000-0000-4000-8000-000000000000"), 404)
    assert_error(api.get(f"{base}/00000000-0000-4000-8000-000000000000/download"), 404)


def test_customer_without_attachments_lists_none(api: RawClient) -> None:
    last = api.list(pageSize=1, page=40)["results"][0]
    response = api.get(f"{api.k}/data/customers/{last['id']}/attachments")
    assert response.status == 200
    assert response.json() == {"attachments": []}


def test_download_attachments_have_their_bytes_and_headers(
    api: RawClient, codat_sandbox: SandboxServer
) -> None:
    base = f"{api.k}/data/customers/{codat_sandbox.customer_id}/attachments"
    listed = api.get(base).json()["attachments"]
    signatures = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n"}
    for item in listed:
        response = api.get(f"{base}/{item['id']}/download")
        assert response.status == 200
        assert response.headers["content-type"] == "application/octet-stream"
        assert int(response.headers["content-length"]) == item["fileSize"] == len(response.data)
        assert response.headers["content-disposition"].startswith(
            f'attachment; filename="{item["name"]}"'
        )
        if item["contentType"] in signatures:
            assert response.data.startswith(signatures[item["contentType"]])
        else:
            assert response.data.startswith(b"invoice,issued,due,amount,currency,status\n")


@pytest.mark.codat_sandbox(seed=5, customers=7, api_key="other-key")
def test_fixture_options_come_from_the_marker(codat_sandbox: SandboxServer) -> None:
    assert codat_sandbox.seed.seed == 5 and codat_sandbox.seed.customers == 7
    assert codat_sandbox.auth_header == auth_header_for("other-key")
    api = RawClient(codat_sandbox)
    assert api.list()["totalResults"] == 7
    info = api.admin("GET", "info").json()
    assert info["authHeader"] == auth_header_for("other-key")
    assert info["seed"]["customer_id"] == codat_sandbox.customer_id
