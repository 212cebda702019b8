"""Helpers for the sandbox tests: a thin urllib3 client bound to one sandbox."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import urllib3
from codat_customers.sandbox import SandboxServer


class Api:
    """Requests to one sandbox over real HTTP, with its API key unless told otherwise."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(30))
        self.company = server.company_id
        self.connection = server.connection_id

    @property
    def c(self) -> str:
        return f"/companies/{self.company}"

    @property
    def k(self) -> str:
        return f"/companies/{self.company}/connections/{self.connection}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        raw_query: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        preload: bool = True,
    ) -> urllib3.BaseHTTPResponse:
        url = self.server.base_url + path
        if params:
            url += "?" + urlencode(params)
        elif raw_query is not None:
            url += "?" + raw_query
        sent = {"Authorization": self.server.auth_header} if auth else {}
        if body is not None:
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        return self.http.request(method, url, body=data, headers=sent, preload_content=preload)

    def get(self, path: str, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        return self.request("GET", path, **kwargs)

    def list(self, **params: Any) -> dict[str, Any]:
        response = self.get(self.c + "/data/customers", params=params)
        assert response.status == 200, response.data
        result: dict[str, Any] = response.json()
        return result

    def create(self, body: Any, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        return self.request("POST", self.k + "/push/customers", body=body, **kwargs)

    def update(self, customer_id: str, body: Any, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        return self.request("PUT", f"{self.k}/push/customers/{customer_id}", body=body, **kwargs)

    def admin(self, method: str, path: str, body: Any = None) -> urllib3.BaseHTTPResponse:
        return self.request(method, "/_sandbox/" + path, body=body, auth=False)


def assert_error(response: urllib3.BaseHTTPResponse, status: int) -> dict[str, Any]:
    """Check an ErrorMessage response of ``status`` and return its body."""
    assert response.status == status, response.data
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["statusCode"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert len(body["correlationId"]) == 32
    assert body["canBeRetried"] == "Unknown"
    return body
