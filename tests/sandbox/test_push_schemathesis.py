"""The sandbox's push-operation reads against ``spec/push-operations.openapi.json``:
schemathesis generates requests (schema-valid and invalid data) and every response must be
documented, carry the documented content type, match its schema and not be a server error.

The sandbox runs in push mode ``async`` with a mix of outcomes, so its history holds
Pending, Success, Failed and TimedOut operations for the responses to be checked against.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.testing import RawClient
from codat_customers.sandbox.writes import PushOutcomes, WriteConfig
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SPEC = Path(__file__).resolve().parents[2] / "spec" / "push-operations.openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[SandboxServer, list[str]]]:
    with SandboxServer(writes=WriteConfig(push_mode="async", push_seconds=0)) as server:
        api = RawClient(server)
        keys = []
        for outcomes in (
            PushOutcomes(success=1),
            PushOutcomes(success=0, failed=1),
            PushOutcomes(success=0, timed_out=1),
        ):
            server.set_writes(outcomes=outcomes)
            body = {"customerName": "Conformance Ltd", "status": "Active"}
            keys.append(api.create(body).json()["pushOperationKey"])
        keys.append(api.create({"status": "Active"}).json()["pushOperationKey"])  # no name
        server.set_writes(push_seconds=3600)
        body = {"customerName": "Still pending", "status": "Active"}
        keys.append(api.create(body).json()["pushOperationKey"])
        statuses = {op["status"] for op in api.get(api.c + "/push").json()["results"]}
        assert statuses == {"Pending", "Success", "Failed", "TimedOut"}, statuses
        api.close()
        yield server, keys


schema = schemathesis.openapi.from_path(SPEC)
schema.config.generation.update(max_examples=25, modes=list(GenerationMode))


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_push_reads_conform_to_the_contract(
    case: schemathesis.Case[Any], live: tuple[SandboxServer, list[str]]
) -> None:
    server, _ = live
    case.call_and_validate(
        base_url=server.base_url, headers={"Authorization": server.auth_header}, checks=CHECKS
    )


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_push_reads_conform_on_real_operations(
    case: schemathesis.Case[Any], live: tuple[SandboxServer, list[str]]
) -> None:
    # Random ids only reach the 404 paths; pinning them reaches the success paths too.
    server, keys = live
    for name in list(case.path_parameters or {}):
        if name == "companyId":
            case.path_parameters[name] = server.company_id
        elif name == "pushOperationKey":
            case.path_parameters[name] = random.Random(str(case.query)).choice(keys)
    case.call_and_validate(
        base_url=server.base_url, headers={"Authorization": server.auth_header}, checks=CHECKS
    )
