"""Many companies (issue 14): a global bound, a per-company bound, a Result per company."""

from __future__ import annotations

import asyncio
import uuid

from codat_customers.adapters.urllib3 import Urllib3Transport
from codat_customers.core import ApiError
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.faults import FaultConfig
from scale_support import CountingTransport

from codat_customers import CodatCustomers
from codat_customers.concurrency import gather_customers, gather_customers_sync

PER_COMPANY = 60


def client_for(sandbox: SandboxServer) -> tuple[CodatCustomers, CountingTransport]:
    counting = CountingTransport(Urllib3Transport())
    client = CodatCustomers(sandbox.api_key, server_url=sandbox.base_url, transport=counting)
    return client, counting


def test_both_bounds_hold_and_a_failed_company_loses_nothing_else() -> None:
    faults = FaultConfig(latency_ms=20, operations=["list-customers"])
    with SandboxServer(customers=PER_COMPANY, companies=4, faults=faults) as sandbox:
        unknown = str(uuid.uuid4())
        companies = [*sandbox.company_ids, unknown]
        client, counting = client_for(sandbox)
        with client:
            results = gather_customers_sync(
                client, companies, max_in_flight=6, per_company=3, page_size=10
            )
            assert list(results) == companies
            for company in sandbox.company_ids:
                assert len({c.id for c in results[company].unwrap()}) == PER_COMPANY
            error = results[unknown].failure()
            assert isinstance(error, ApiError) and error.status == 404
            assert 4 <= counting.peak <= 6  # the global bound

            # One company alone: only the per-company bound limits it.
            counting.peak = 0
            one = asyncio.run(
                gather_customers(
                    client, sandbox.company_ids[:1], max_in_flight=10, per_company=3, page_size=10
                )
            )
            assert len(one[sandbox.company_id].unwrap()) == PER_COMPANY
            assert counting.peak == 3
