"""Peer fidelity of the write lifecycle (issue 15): codat-accounting 0.36.0's models parse the
sandbox's Pending, Failed and TimedOut push answers and push-operation reads.

Usage (after ``bench/run.py`` has made ``bench/.venvs/peer``)::

    uv run --all-extras python bench/peer_push_fidelity.py

Not a test: the peer's virtualenv is built from PyPI by the benchmark, and the test suite
treats a skip as a failure. It prints one line per parsed document and exits 1 if the
peer rejects any.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from codat_customers.sandbox import SandboxServer
from codat_customers.sandbox.testing import RawClient
from codat_customers.sandbox.writes import PushOutcomes, WriteConfig

PEER = Path(__file__).resolve().parent / ".venvs" / "peer" / "bin" / "python"

PARSE = """
import json, sys
from codat_accounting.models import shared
from codat_accounting.utils import unmarshal_json
failed = 0
for name, model, text in json.load(sys.stdin):
    try:
        parsed = unmarshal_json(text, getattr(shared, model))
        print(f"ok   {name:<34} {model:<24} status={parsed.status} code={parsed.status_code}")
    except Exception as exc:
        failed += 1
        print(f"FAIL {name:<34} {model:<24} {exc}")
sys.exit(1 if failed else 0)
"""


def documents() -> list[tuple[str, str, str]]:
    """``(name, peer model, JSON)`` for each status of each answer the sandbox gives."""
    docs: list[tuple[str, str, str]] = []
    writes = WriteConfig(push_mode="async", push_seconds=0)
    with SandboxServer(writes=writes) as server:
        api = RawClient(server)
        body = {"customerName": "Peer Ltd", "status": "Active"}
        for label, outcomes in (
            ("success", PushOutcomes(success=1)),
            ("failed", PushOutcomes(success=0, failed=1)),
            ("timed-out", PushOutcomes(success=0, timed_out=1)),
        ):
            server.set_writes(outcomes=outcomes, push_mode="async", push_seconds=0)
            created = api.create(body)
            key = created.json()["pushOperationKey"]
            docs.append(
                (f"create answer ({label})", "CreateCustomerResponse", created.data.decode())
            )
            final = api.get(f"{api.c}/push/{key}")
            docs.append((f"push read ({label})", "CreateCustomerResponse", final.data.decode()))
            current = api.get(f"{api.c}/data/customers/{server.customer_id}").json()
            updated = api.update(server.customer_id, {**current, "customerName": "Peer Co"})
            docs.append(
                (f"update answer ({label})", "UpdateCustomerResponse", updated.data.decode())
            )
        server.set_writes(push_mode="immediate")
        model_failure = api.create({"status": "Active"})
        docs.append(
            ("immediate Failed (model)", "CreateCustomerResponse", model_failure.data.decode())
        )
        history = api.get(f"{api.c}/push").json()["results"]
        for operation in history[:3]:
            docs.append(
                (f"history {operation['status']}", "CreateCustomerResponse", json.dumps(operation))
            )
        api.close()
    return docs


def main() -> int:
    """Collect the documents and have the peer parse them."""
    if not PEER.exists():
        print(f"no peer virtualenv at {PEER}; run bench/run.py first", file=sys.stderr)
        return 2
    done = subprocess.run(
        [str(PEER), "-c", PARSE], input=json.dumps(documents()), text=True, check=False
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
