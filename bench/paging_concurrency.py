"""Concurrent paging against the sandbox with added latency (issue 14).

    uv run --all-extras python bench/paging_concurrency.py            # 100,000 customers
    uv run --all-extras python bench/paging_concurrency.py --quick    # 5,000, a smoke run

Starts the sandbox as its own process (``--latency-ms 50``: every request waits 50 ms in the
server before it is handled, as a distant API would), then reads every customer of the
company with ``CodatAccounting(...).customers.iter_all`` in pages of 5,000: sequentially
(``concurrency=1``) and with 2, 4 and 8 pages in flight. Each setting runs ``--repeats``
times; the best, the median and the worst wall time are printed (the spread matters on a
shared machine), with the speed-up over sequential from the best runs and from the
medians. The CPU time each page cost the sandbox's process and this one (the client) is
printed too, averaged over every run of a setting: wall times on a shared machine vary, CPU
per page much less, and it is the floor a page cannot go under however many are in flight.
The sandbox's database is kept in ``bench/.venvs`` between runs.

``--no-gc`` runs the client with Python's cyclic garbage collector off (``gc.disable()``),
to show the collector's share of the client's CPU per page: decoding a page of 5,000
creates some 60,000 tracked objects, and the collections they trigger scan every page still
held. It is an experiment, not a recommendation.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from codat_customers import CodatAccounting

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / "bench" / ".venvs"


def start_sandbox(
    customers: int, latency_ms: float
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    VENVS.mkdir(parents=True, exist_ok=True)
    db = VENVS / f"paging-{customers}.sqlite"
    argv = [
        sys.executable, "-m", "codat_customers.sandbox", "sandbox", "--port", "0",
        "--customers", str(customers), "--latency-ms", str(latency_ms), "--db", str(db),
    ]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    info: dict[str, str] = {}
    for line in proc.stdout:
        label, _, value = line.strip().partition(": ")
        if line.startswith("Codat Customers sandbox at "):
            info["base_url"] = line.split(" at ", 1)[1].strip()
        elif value:
            info[label] = value.strip()
        if "Press Ctrl-C" in line:
            return proc, info
    raise RuntimeError("the sandbox exited before it was ready")


def read_all(sdk: CodatAccounting, company_id: str, concurrency: int, page_size: int) -> float:
    started = time.perf_counter()
    count = sum(
        1
        for _ in sdk.customers.iter_all(
            {"company_id": company_id, "page_size": page_size}, concurrency=concurrency
        )
    )
    elapsed = time.perf_counter() - started
    assert count == expected_count, (count, expected_count)
    return elapsed


expected_count = 0


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) another process has used so far; Linux only."""
    with open(f"/proc/{pid}/stat") as stat:
        # Fields after the command's closing parenthesis; utime and stime are 14 and 15.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    global expected_count  # noqa: PLW0603
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 customers in pages of 500")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument(
        "--no-gc", action="store_true", help="the client runs with the cyclic GC disabled"
    )
    args = parser.parse_args()
    if args.no_gc:
        gc.disable()
    if args.quick:
        args.customers, args.page_size, args.repeats = 5000, 500, 2
    expected_count = args.customers
    pages = -(-args.customers // args.page_size)
    proc, info = start_sandbox(args.customers, args.latency_ms)
    try:
        sdk = CodatAccounting(security=info["API key"], server_url=info["base_url"])
        company_id = info["Company"]
        read_all(sdk, company_id, 1, args.page_size)  # warm-up: connections, SQLite cache
        timings: dict[int, list[float]] = {}
        cpu: dict[int, tuple[float, float]] = {}  # seconds: sandbox, client
        for concurrency in args.concurrency:
            server, client = process_cpu(proc.pid), time.process_time()
            timings[concurrency] = [
                read_all(sdk, company_id, concurrency, args.page_size) for _ in range(args.repeats)
            ]
            cpu[concurrency] = (
                process_cpu(proc.pid) - server,
                time.process_time() - client,
            )
        sdk.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(
        f"{args.customers:,} customers, {pages} pages of {args.page_size:,}, "
        f"sandbox latency {args.latency_ms:g} ms, best, median and worst of {args.repeats}"
        + (", client GC off" if args.no_gc else "")
    )
    print(
        "| concurrency | best (s) | median (s) | worst (s) | speed-up (best) "
        "| speed-up (median) | sandbox CPU/page (ms) | client CPU/page (ms) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    base = min(timings[args.concurrency[0]])
    base_median = statistics.median(timings[args.concurrency[0]])
    for concurrency, runs in timings.items():
        best, median = min(runs), statistics.median(runs)
        per_page = [1000 * seconds / (pages * args.repeats) for seconds in cpu[concurrency]]
        print(
            f"| {concurrency} | {best:.2f} | {median:.2f} | {max(runs):.2f} "
            f"| {base / best:.2f}x | {base_median / median:.2f}x "
            f"| {per_page[0]:.0f} | {per_page[1]:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
