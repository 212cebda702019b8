"""rich's pretty printer (and its tracebacks with locals) never shows header values."""

from __future__ import annotations

import pytest
from codat_customers.core import HttpRequest

SECRET = "Basic c2stdGVzdC1zZWNyZXQ="


def test_rich_repr_of_a_request_hides_header_values() -> None:
    pretty = pytest.importorskip("rich.pretty")
    request = HttpRequest(
        operation_id="get-customer",
        method="GET",
        path="/companies/c/data/customers/x",
        headers=(("accept", "application/json"), ("authorization", SECRET)),
    )
    text = pretty.pretty_repr(request)
    assert "c2stdGVzdC1zZWNyZXQ" not in text
    assert "authorization" in text
    assert "/companies/c/data/customers/x" in text
