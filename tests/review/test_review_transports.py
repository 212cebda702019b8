"""The urllib3 adapter maps a proxy it cannot reach to ConnectError, as its page promises."""

from __future__ import annotations

import urllib3
from codat_customers.adapters.urllib3 import Urllib3Transport
from codat_customers.core import ConnectError
from returns.result import Failure

from codat_customers import CodatCustomers

COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"


def test_an_unresolvable_proxy_is_a_connect_error() -> None:
    # ".invalid" never resolves (RFC 6761): the lookup fails at once, without a network.
    pool = urllib3.ProxyManager("http://nonexistent.invalid:3128", retries=False)
    with CodatCustomers(
        "key",
        server_url="http://api.example.invalid",
        retry_config=None,
        transport=Urllib3Transport(pool),
    ) as client:
        outcome = client.get({"company_id": COMPANY, "customer_id": "C-1"})
    assert isinstance(outcome, Failure), outcome
    assert type(outcome.failure()) is ConnectError, repr(outcome.failure())
