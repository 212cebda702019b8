"""Raw HTTP access to a running sandbox, for tests that check the wire format itself.

No SDK is involved: requests are built by hand with urllib3 and responses are returned as
they arrived. ``RawClient`` is bound to one `SandboxServer` and sends its API key.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import urllib3

from .server import SandboxServer

__all__ = ["RawClient", "assert_error"]


class RawClient:
    """Requests to one sandbox over real HTTP, with its API key unless told otherwise."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.http = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(30))
        self.company = server.company_id
        """The company the path prefixes use (the seeded one unless changed)."""
        self.connection = server.connection_id

    def close(self) -> None:
        """Close the pooled connections."""
        self.http.clear()

    @property
    def c(self) -> str:
        """The company path prefix: ``/companies/{companyId}``."""
        return f"/companies/{self.company}"

    @property
    def k(self) -> str:
        """The connection path prefix: ``/companies/{companyId}/connections/{connectionId}``."""
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
        """Send one request; ``body`` is JSON-encoded unless it is bytes."""
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
        """GET ``path``."""
        return self.request("GET", path, **kwargs)

    def list(self, **params: Any) -> dict[str, Any]:
        """List customers of the company with these query parameters; expects 200."""
        response = self.get(self.c + "/data/customers", params=params)
        assert response.status == 200, response.data
        result: dict[str, Any] = response.json()
        return result

    def create(self, body: Any, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        """POST a customer to the connection's push endpoint."""
        return self.request("POST", self.k + "/push/customers", body=body, **kwargs)

    def update(self, customer_id: str, body: Any, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        """PUT a customer to the connection's push endpoint."""
        return self.request("PUT", f"{self.k}/push/customers/{customer_id}", body=body, **kwargs)

    def admin(self, method: str, path: str, body: Any = None) -> urllib3.BaseHTTPResponse:
        """Call an admin endpoint under ``/_sandbox/`` (no API key needed)."""
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
