"""Where one in-memory ``get`` spends its time: ``python bench/profile_call.py [VIEW]``.

Three views of the memory case of ``bench/run.py`` (the same contenders, built by
``our_cases.case_memory``: a ``CannedTransport`` answering every call with one customer):

* ``measure`` (default): the case itself, best and median µs per call of floor, core,
  seed and result, without writing any report (``bench/run.py`` rewrites
  ``docs/performance.md``'s generated table, which a single case must not do);
* ``layers``: ``perf_counter_ns`` timings of each layer of the stack, cumulative, so the
  difference between two lines is what the later layer adds;
* ``profile``: cProfile over ``--calls`` seed ``get`` calls, the top functions by own time.

To compare two source trees, put the other one first on ``PYTHONPATH`` (its ``src``,
``core/src`` and ``plugins/src``): ``codat_customers`` merges its subpackages in path order.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from codat_customers.core import GET
from codat_customers.plugins import plan_call, run
from fixtures import COMPANY_ID, one_customer
from harness import get_request
from our_cases import CannedTransport, case_memory

from codat_customers import CodatAccounting, CodatCustomers

SECURITY = "Basic YmVuY2g6"
SERVER = "http://bench.invalid"


def measure(repeats: int) -> None:
    """Run the memory case's ``get`` once and print best / median µs per contender."""
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "customer.json").write_bytes(one_customer())
        opts = {
            "bodies": work,
            "company_id": COMPANY_ID,
            "ops": ["get"],
            "repeats": repeats,
            "min_time": 0.2,
            "warmup": 0.2,
        }
        for record in case_memory(opts):
            values = record["values"]
            print(
                f"{record['contender']:12} best {min(values):7.2f}  "
                f"median {statistics.median(values):7.2f} µs/call"
            )


def _per_call_ns(func: Callable[[], object], calls: int) -> float:
    # CPU time of this thread, not wall time: on a shared machine another process running
    # in the middle of a loop would otherwise count as ours. Best of seven loops.
    best = float("inf")
    for _ in range(7):
        start = time.thread_time_ns()
        for _ in range(calls):
            func()
        best = min(best, (time.thread_time_ns() - start) / calls)
    return best


def layers(calls: int) -> None:
    """Cost of each layer of one ``get`` (thread CPU time), best of seven loops of ``calls``."""
    body = one_customer()
    request = get_request(COMPANY_ID, "cust-000001")
    transport = CannedTransport(body)
    results = CodatCustomers(SECURITY, server_url=SERVER, transport=transport)
    seed = CodatAccounting(security=SECURITY, server_url=SERVER, transport=transport)
    typed = GET.coerce(request)
    built = GET.build(typed)
    manager: Any = results.plugin_manager
    context = results.context(GET.id)

    def hooks() -> Any:
        # The resolved hooks where the tree has them, else pluggy's relay.
        return manager.call_hooks() if hasattr(manager, "call_hooks") else manager.hook

    def plan_only() -> object:
        return run(plan_call(hooks(), built, context, GET.parse), transport, context)

    def respond() -> object:
        return transport.send(built, base_url=SERVER, timeout=None)

    steps: list[tuple[str, Callable[[], object]]] = [
        ("canned response", respond),
        ("canned response + parse (core)", lambda: GET.parse(respond())),
        ("coerce dict -> struct", lambda: GET.coerce(request)),
        ("build (typed struct)", lambda: GET.build(typed)),
        ("context()", lambda: results.context(GET.id)),
        ("plan_call + run (prepared request)", plan_only),
        ("CodatCustomers.get(struct)", lambda: results.get(typed)),
        ("CodatCustomers.get(dict)", lambda: results.get(request)),
        ("seed customers.get(dict)", lambda: seed.customers.get(request=request)),
    ]
    for label, func in steps:
        print(f"{label:36} {_per_call_ns(func, calls) / 1000:7.2f} µs")


def profile(calls: int, top: int) -> None:
    """cProfile over ``calls`` seed ``get`` calls; the ``top`` functions by own time."""
    body = one_customer()
    request = get_request(COMPANY_ID, "cust-000001")
    seed = CodatAccounting(security=SECURITY, server_url=SERVER, transport=CannedTransport(body))
    get: Any = seed.customers.get
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        get(request=request)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)


def main() -> int:
    """Parse the command line and run one view."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "view", nargs="?", default="measure", choices=["measure", "layers", "profile"]
    )
    parser.add_argument("--calls", type=int, default=200_000, help="calls per loop (profile)")
    parser.add_argument("--repeats", type=int, default=7, help="repeats (measure)")
    parser.add_argument("--top", type=int, default=30, help="rows shown (profile)")
    args = parser.parse_args()
    if args.view == "measure":
        measure(args.repeats)
    elif args.view == "layers":
        layers(min(args.calls, 20_000))
    else:
        profile(args.calls, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
