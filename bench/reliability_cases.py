"""One contender's side of a reliability scenario, run as a subprocess by bench/reliability.py.

Usage: ``PYTHON bench/reliability_cases.py CASE CONTENDER`` with ``$BENCH_SETTINGS`` set,
where CONTENDER is ``ours-seed`` (our ``CodatAccounting``), ``ours-result`` (our
``CodatCustomers``) or ``peer`` (codat-accounting 0.36.0, run by the peer virtualenv's
python). Every contender is driven by the same code here, with its default settings; only
`make_client` differs. Standard library only besides the contender: the peer's virtualenv
has neither msgspec nor our package. Prints a JSON document on the last line of stdout.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import threading
import time
import traceback
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Outcome = dict[str, Any]
"""``{"ok": bool, "unknown": bool | None, "error": str | None}`` for one call."""


@dataclass
class Client:
    """One contender's client behind the three calls the scenarios make."""

    create: Callable[[dict[str, Any]], Outcome]
    get: Callable[[dict[str, Any]], Outcome]
    list: Callable[[dict[str, Any]], Outcome]
    drained: Callable[[], bool | None]
    """Whether the client's retry budget is spent (``None``: it has none)."""
    close: Callable[[], None]


def _raising(method: Callable[..., Any]) -> Callable[[dict[str, Any]], Outcome]:
    """A call of an SDK that raises on failure (ours seed-style, the peer)."""

    def call(request: dict[str, Any]) -> Outcome:
        try:
            method(request=request)
        except Exception as exc:
            return {
                "ok": False,
                "unknown": getattr(exc, "outcome_unknown", None),
                "error": type(exc).__name__,
            }
        return {"ok": True, "unknown": None, "error": None}

    return call


def _resulting(method: Callable[..., Any]) -> Callable[[dict[str, Any]], Outcome]:
    """A call of our Result API."""

    def call(request: dict[str, Any]) -> Outcome:
        result = method(request)
        failure = result.failure() if not _is_success(result) else None
        if failure is None:
            return {"ok": True, "unknown": None, "error": None}
        return {"ok": False, "unknown": failure.outcome_unknown, "error": type(failure).__name__}

    return call


def _is_success(result: Any) -> bool:
    from returns.result import Success  # noqa: PLC0415 - ours only

    return isinstance(result, Success)


def _budget_drained(budget: Any) -> Callable[[], bool | None]:
    if budget is None:
        return lambda: None
    return lambda: budget.tokens < budget.retry_cost


def make_client(contender: str, opts: dict[str, Any]) -> Client:
    """A client of ``contender`` with its default settings, on the sandbox of ``opts``."""
    auth, base = opts["auth_header"], opts["base_url"]
    if contender == "peer":
        from codat_accounting import CodatAccounting  # noqa: PLC0415
        from codat_accounting.models import shared  # noqa: PLC0415

        peer = CodatAccounting(security=shared.Security(auth_header=auth), server_url=base)
        customers = peer.customers
        return Client(
            _raising(customers.create),
            _raising(customers.get),
            _raising(customers.list),
            lambda: None,
            lambda: None,  # 0.36.0 has no close(); its httpx client goes with the object
        )
    if contender == "ours-seed":
        from codat_customers import CodatAccounting as Ours  # noqa: PLC0415
        from codat_customers.models import shared as ours_shared  # noqa: PLC0415

        seed = Ours(security=ours_shared.Security(auth_header=auth), server_url=base)
        return Client(
            _raising(seed.customers.create),
            _raising(seed.customers.get),
            _raising(seed.customers.list),
            _budget_drained(seed.results.retry.budget),
            seed.close,
        )
    if contender == "ours-result":
        from codat_customers import CodatCustomers  # noqa: PLC0415

        result = CodatCustomers(auth, server_url=base)
        return Client(
            _resulting(result.create),
            _resulting(result.get),
            _resulting(result.list),
            _budget_drained(result.retry.budget),
            result.close,
        )
    raise SystemExit(f"unknown contender {contender!r}")


# --- measurements of this process -------------------------------------------------------


def open_fds() -> int:
    """File descriptors this process holds."""
    return len(os.listdir("/proc/self/fd"))


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sandbox_stats(opts: dict[str, Any], method: str = "GET") -> dict[str, Any]:
    """The sandbox's request counts (``DELETE``: reset them)."""
    request = urllib.request.Request(opts["base_url"] + "/_sandbox/stats", method=method)
    with urllib.request.urlopen(request, timeout=30) as answer:
        counts: dict[str, Any] = json.load(answer)
    return counts


# --- the cases --------------------------------------------------------------------------


def case_storm(contender: str, opts: dict[str, Any]) -> dict[str, Any]:
    """``calls`` creates, one unique customer name each, then ``reads`` gets and lists."""
    gc.collect()
    fds_before = open_fds()
    client = make_client(contender, opts)
    company, connection = opts["company_id"], opts["connection_id"]
    creates = []
    started = time.monotonic()
    for number in range(opts["calls"]):
        name = f"{opts['prefix']}{number:04d}"
        request = {
            "company_id": company,
            "connection_id": connection,
            "customer": {"customer_name": name, "status": "Active"},
        }
        creates.append({"name": name, **client.create(request)})
    create_seconds = time.monotonic() - started
    reads = []
    started = time.monotonic()
    for number in range(opts["reads"]):
        if number % 2:
            request = {"company_id": company, "page": 1, "page_size": 20}
            reads.append(client.list(request))
        else:
            request = {"company_id": company, "customer_id": opts["customer_id"]}
            reads.append(client.get(request))
    read_seconds = time.monotonic() - started
    client.close()
    del client
    gc.collect()
    return {
        "creates": creates,
        "reads": reads,
        "create_seconds": create_seconds,
        "read_seconds": read_seconds,
        "leaked_fds": open_fds() - fds_before,
        "peak_rss_mb": peak_rss_mb(),
    }


def case_outage(contender: str, opts: dict[str, Any]) -> dict[str, Any]:
    """A fleet of ``clients`` (sharing nothing), each starting ``rate`` get calls a second
    for ``seconds``, whatever the earlier calls are doing (an open-loop stream, like a
    service that keeps receiving work). The sandbox answers 503 throughout."""
    fleet = [make_client(contender, opts) for _ in range(opts["clients"])]
    request = {"company_id": opts["company_id"], "customer_id": opts["customer_id"]}
    starts: list[float] = []
    ended: list[Outcome] = []
    lock = threading.Lock()
    seconds, interval = opts["seconds"], 1 / opts["rate"]

    def one_call(client: Client) -> None:
        outcome = client.get(request)
        with lock:
            ended.append(outcome)

    sandbox_stats(opts, "DELETE")
    began = time.monotonic()
    stop = began + seconds

    def dispatch(client: Client, offset: float) -> None:
        due = began + offset
        while due < stop:
            time.sleep(max(0.0, due - time.monotonic()))
            with lock:
                starts.append(time.monotonic() - began)
            threading.Thread(target=one_call, args=(client,), daemon=True).start()
            due += interval

    dispatchers = [
        threading.Thread(target=dispatch, args=(c, i * interval / len(fleet)), daemon=True)
        for i, c in enumerate(fleet)
    ]
    for thread in dispatchers:
        thread.start()
    drained_at: float | None = None
    drained_stats: dict[str, Any] | None = None
    half_stats: dict[str, Any] | None = None
    while (now := time.monotonic()) < stop:
        if drained_at is None and all(c.drained() for c in fleet):
            drained_at = now - began
            drained_stats = sandbox_stats(opts)
        if half_stats is None and now - began >= seconds / 2:
            half_stats = sandbox_stats(opts)
        time.sleep(0.02)
    end_stats = sandbox_stats(opts)
    with lock:
        return {
            "starts": list(starts),
            "finished": len(ended),
            "failed": sum(1 for outcome in ended if not outcome["ok"]),
            "drained_at": drained_at,
            "drained_stats": drained_stats,
            "half_stats": half_stats,
            "end_stats": end_stats,
            "threads_alive": threading.active_count(),
            "peak_rss_mb": peak_rss_mb(),
        }


def case_timeout(contender: str, opts: dict[str, Any]) -> dict[str, Any]:
    """``calls`` gets with ``timeout_ms`` and retries off against a server that never
    answers: how far past the timeout each call ends (seconds)."""
    if contender != "peer":
        raise SystemExit("ours is measured by bench/deadlines.py, per adapter")
    from codat_accounting import CodatAccounting  # noqa: PLC0415
    from codat_accounting.models import shared  # noqa: PLC0415

    peer = CodatAccounting(security=shared.Security(auth_header="key"), server_url=opts["url"])
    request = {"company_id": opts["company_id"], "customer_id": "C-1"}
    bound = opts["bound_ms"] / 1000
    overshoots = []
    for call in range(opts["calls"] + 1):
        started = time.monotonic()
        try:
            peer.customers.get(request=request, timeout_ms=opts["bound_ms"], retries=None)
        except Exception:
            if call:  # the first is a warm-up, as for ours in bench/deadlines.py
                overshoots.append(time.monotonic() - started - bound)
        else:
            raise SystemExit("a silent server answered")
    return {"overshoots": overshoots}


CASES: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
    "storm": case_storm,
    "outage": case_outage,
    "timeout": case_timeout,
}


def main() -> None:
    case, contender = sys.argv[1], sys.argv[2]
    try:
        found = CASES[case](contender, json.loads(os.environ["BENCH_SETTINGS"]))
    except Exception:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    sys.stdout.write("\n" + json.dumps(found) + "\n")
    sys.stdout.flush()
    # Calls of a total outage may still be waiting to retry: end them with the process.
    os._exit(0)


if __name__ == "__main__":
    main()
