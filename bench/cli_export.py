"""Export a whole company with the CLI, next to the same export written with the SDK.

    uv run --all-extras python bench/cli_export.py [--customers 100000 10000] [--page-size 1000]

For each company size, a sandbox is seeded in a process of its own (Linux carries a parent's
peak RSS into a forked child, so this script stays small), then each contender runs as its
own process and is measured by ``os.wait4``: wall time and peak RSS.
Contenders: ``codat-customers --output jsonl list COMPANY --all --file F`` (and csv), and a
few lines of Python over ``CodatCustomers.iter_pages`` writing the same JSON Lines. Memory
that does not grow with the company's size shows as the same peak RSS at every size.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("codat-customers")

SDK_EXPORT = """
import sys, msgspec
from codat_customers import CodatCustomers
url, key, company, path, size = sys.argv[1:6]
encode = msgspec.json.Encoder().encode
with CodatCustomers(key, server_url=url) as client, open(path, "wb") as out:
    for page in client.iter_pages({"company_id": company, "page_size": int(size)}):
        out.write(b"".join(encode(c) + b"\\n" for c in page.unwrap().results or []))
"""


def measure(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    assert os.waitstatus_to_exitcode(status) == 0, argv
    return elapsed, usage.ru_maxrss / 1024  # kB on Linux


COMPANY = "8a210b68-6988-11ed-a1eb-0242ac120002"
KEY = "sandbox-demo-api-key"


@contextlib.contextmanager
def sandbox(customers: int) -> Iterator[str]:
    """A sandbox of ``customers`` customers in its own process; yields its URL."""
    process = subprocess.Popen(
        [str(SCRIPT), "sandbox", "--port", "0", "--customers", str(customers)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    banner = ""
    while "Press Ctrl-C" not in banner:
        line = process.stdout.readline()
        assert line, banner
        banner += line
    match = re.search(r"at (http://\S+)", banner)
    assert match, banner
    try:
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 10_000])
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2, help="runs per contender (best kept)")
    args = parser.parse_args()
    print("| customers | contender | time (s) | peak RSS (MB) | file (MB) |")
    print("|---:|---|---:|---:|---:|")
    for count in args.customers:
        with sandbox(count) as url, tempfile.TemporaryDirectory() as tmp:
            common = ["--server-url", url, "--api-key", KEY, "--quiet"]
            size = str(args.page_size)
            jsonl, csv_file = str(Path(tmp) / "cli.jsonl"), str(Path(tmp) / "cli.csv")
            sdk_file = str(Path(tmp) / "sdk.jsonl")
            export = ["list", COMPANY, "--all", "--page-size", size, "--file"]
            contenders = {
                "CLI jsonl": ([str(SCRIPT), *common, "-o", "jsonl", *export, jsonl], jsonl),
                "CLI csv": ([str(SCRIPT), *common, "-o", "csv", *export, csv_file], csv_file),
                "SDK, 6 lines (jsonl)": (
                    [sys.executable, "-c", SDK_EXPORT, url, KEY, COMPANY, sdk_file, size],
                    sdk_file,
                ),
            }
            for name, (command, out) in contenders.items():
                runs = [measure(command) for _ in range(args.repeat)]
                seconds = min(r[0] for r in runs)
                rss = min(r[1] for r in runs)
                mb = Path(out).stat().st_size / 1e6
                print(f"| {count:,} | {name} | {seconds:.2f} | {rss:.0f} | {mb:.0f} |", flush=True)


if __name__ == "__main__":
    main()
