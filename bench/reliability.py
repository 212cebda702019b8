"""The reliability report (issue 10): every fault scenario, ours and the peer side by side.

Usage::

    uv run --all-extras python bench/reliability.py            # full: rewrites docs/reliability.md
    uv run --all-extras python bench/reliability.py --quick    # CI: small sizes, a 6 s outage

A sandbox runs as a separate process on 127.0.0.1 (a free port); faults are switched through
``/_sandbox/faults`` and every attempt is counted by the sandbox itself (``/_sandbox/stats``),
so each contender is measured the same way. Each contender runs in its own subprocess
(bench/reliability_cases.py) with its default settings: ours as the seed-style
``CodatAccounting`` and the Result API ``CodatCustomers``, the peer (codat-accounting 0.36.0)
from ``bench/.venvs/peer`` (made by ``bench/run.py``). Scenarios:

* **storm**: a mixed fault storm; unique-named creates, then reads. Duplicates and the calls
  reported failed although written are read back from what the sandbox holds.
* **outage**: every request answered 503 for ``--outage-seconds``; a fleet of clients each
  starting a steady stream of calls. Amplification is attempts (counted by the server) per
  call started, over the whole outage and once the retry budgets are drained.
* **deadlines**: bench/deadlines.py's overshoot of ``timeout_ms`` and ``deadline_ms`` per
  adapter, and the peer's ``timeout_ms``, against a server that never answers.
* **load**: rows from bench/reliability_load.py's ``run_load(quick)`` when that file exists.

The full run writes the table between the markers of docs/reliability.md and the rows to
bench/results/reliability.json; ``--quick`` writes both under bench/.venvs/quick-results/.
The exit status is 1 when any scenario crashed (its rows are then missing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import os
import platform
import subprocess
import sys
import time
import traceback
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from deadlines import measure, percentiles, silent_server  # noqa: E402
from run import ROOT, VENVS, start_sandbox, venv_python  # noqa: E402

DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- reliability:begin -->", "<!-- reliability:end -->"
PEER = venv_python(VENVS / "peer")
CONTENDERS = ("ours-seed", "ours-result", "peer")
LABELS = {
    "ours-seed": "ours (CodatAccounting)",
    "ours-result": "ours (CodatCustomers)",
    "peer": "codat-accounting 0.36.0",
}
KEYS = (
    "scenario",
    "contender",
    "faults",
    "calls",
    "attempts",
    "duplicates",
    "unknown_outcomes",
    "amplification",
    "overshoot_p99_ms",
    "leaked_fds",
    "peak_rss_mb",
    "verdict",
    "notes",
)
Row = dict[str, object]

STORM = {
    "seed": 10,
    "push_then_500_rate": 0.2,
    "error_rate": 0.1,
    "error_statuses": [500, 503],
    "drop_connection_rate": 0.1,
    "truncate_json_rate": 0.1,
}
STORM_TEXT = "written-then-500 20 %, 500/503 10 %, dropped mid-body 10 %, JSON cut 10 %"
OUTAGE = {"error_rate": 1.0, "error_statuses": [503]}
AMPLIFICATION_TARGET = 1.5
OVERSHOOT_TARGET_MS = 100.0


@dataclass(frozen=True)
class Mode:
    """Sizes of one run."""

    name: str
    creates: int
    reads: int
    outage_seconds: float
    clients: int
    rate: float
    """Calls each client of the outage fleet starts per second."""
    deadline_calls: int
    bound_ms: float
    results: Path


FULL = Mode("full", 100, 100, 60, 4, 2, 40, 200, BENCH / "results")
QUICK = Mode("quick", 10, 10, 6, 2, 20, 5, 100, VENVS / "quick-results")


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def row(**values: object) -> Row:
    """A report row with every key (``None`` where a figure does not apply)."""
    unknown = set(values) - set(KEYS)
    assert not unknown, unknown
    return {key: values.get(key) for key in KEYS}


# --- the sandbox and the contenders ------------------------------------------------------


class Sandbox:
    """Admin calls to the sandbox process."""

    def __init__(self, info: dict[str, str]) -> None:
        self.info = info
        self.base = info["base_url"]

    def admin(self, method: str, path: str, body: object = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base}/_sandbox/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)

    def names(self) -> Counter[str]:
        """How many customers of the seeded company hold each name (faults must be off)."""
        found: Counter[str] = Counter()
        page = 1
        while True:
            request = urllib.request.Request(
                f"{self.base}/companies/{self.info['company_id']}/data/customers"
                f"?page={page}&pageSize=1000",
                headers={"Authorization": self.info["auth_header"]},
            )
            with urllib.request.urlopen(request, timeout=60) as answer:
                body = json.load(answer)
            results = body.get("results") or []
            found.update(customer.get("customerName") for customer in results)
            if not results or page * 1000 >= body["totalResults"]:
                return found
            page += 1


def python_of(contender: str) -> Path:
    return PEER if contender == "peer" else Path(sys.executable)


def available(contender: str) -> bool:
    return contender != "peer" or PEER.exists()


def run_case(case: str, contender: str, opts: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run one case of bench/reliability_cases.py; raise if it fails."""
    env = {**os.environ, "BENCH_SETTINGS": json.dumps(opts)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [str(python_of(contender)), str(BENCH / "reliability_cases.py"), case, contender],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{case} {contender} exited {done.returncode}:\n{done.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def ratio(attempts: int, calls: int) -> float | None:
    return round(attempts / calls, 2) if calls else None


def operation_total(stats: dict[str, Any] | None, *operations: str) -> int:
    if stats is None:
        return 0
    counted = stats["operations"]
    return sum(counted.get(name, {}).get("total", 0) for name in operations)


# --- scenarios --------------------------------------------------------------------------


def scenario_storm(mode: Mode, sandbox: Sandbox) -> list[Row]:
    rows: list[Row] = []
    run_id = uuid.uuid4().hex[:8]
    for contender in CONTENDERS:
        if not available(contender):
            rows.append(missing_peer("storm"))
            continue
        prefix = f"storm-{run_id}-{contender}-"
        sandbox.admin("PUT", "faults", STORM)
        sandbox.admin("DELETE", "stats")
        log(f"  storm: {contender}, {mode.creates} creates and {mode.reads} reads")
        opts = {
            **sandbox.info,
            "calls": mode.creates,
            "reads": mode.reads,
            "prefix": prefix,
        }
        found = run_case("storm", contender, opts, timeout=1800)
        stats = sandbox.admin("GET", "stats")
        sandbox.admin("DELETE", "faults")
        held = sandbox.names()
        creates = found["creates"]
        duplicates = sum(max(0, held[c["name"]] - 1) for c in creates)
        lost = sum(1 for c in creates if c["ok"] and held[c["name"]] == 0)
        failed = [c for c in creates if not c["ok"]]
        failed_written = sum(1 for c in failed if held[c["name"]] > 0)
        unknown = sum(1 for c in failed if c["unknown"])
        says = contender != "peer"
        attempts = operation_total(stats, "create-customer")
        reasons = []
        if duplicates:
            reasons.append(f"{duplicates} duplicates")
        if failed_written:
            reasons.append(f"{failed_written} reported failed although written")
        if lost:
            reasons.append(f"{lost} reported written but absent")
        errors = Counter(c["error"] for c in failed)
        rows.append(
            row(
                scenario="storm: creates",
                contender=LABELS[contender],
                faults=STORM_TEXT,
                calls=len(creates),
                attempts=attempts,
                duplicates=duplicates,
                unknown_outcomes=unknown if says else None,
                amplification=ratio(attempts, len(creates)),
                leaked_fds=found["leaked_fds"],
                peak_rss_mb=round(found["peak_rss_mb"], 1),
                verdict="missed: " + ", ".join(reasons) if reasons else "met",
                notes=(
                    f"{len(failed)} failed ({failed_written} of them written"
                    + (f"; errors: {dict(errors)}" if errors else "")
                    + ")"
                    + ("" if says else "; its errors carry no outcome_unknown")
                    + f"; {found['create_seconds']:.1f} s"
                ),
            )
        )
        reads = found["reads"]
        read_failures = [r for r in reads if not r["ok"]]
        attempts = operation_total(stats, "get-customer", "list-customers")
        rows.append(
            row(
                scenario="storm: reads",
                contender=LABELS[contender],
                faults="the same storm",
                calls=len(reads),
                attempts=attempts,
                amplification=ratio(attempts, len(reads)),
                verdict=(f"missed: {len(read_failures)} reads failed" if read_failures else "met"),
                notes=(
                    "gets and lists of 20, alternately"
                    + (
                        f"; errors: {dict(Counter(r['error'] for r in read_failures))}"
                        if read_failures
                        else ""
                    )
                    + f"; {found['read_seconds']:.1f} s"
                ),
            )
        )
    return rows


def scenario_outage(mode: Mode, sandbox: Sandbox) -> list[Row]:
    rows: list[Row] = []
    fleet = f"{mode.clients} clients x {mode.rate:g} calls/s"
    faults = f"every request 503 for {mode.outage_seconds:g} s; {fleet}"
    for contender in CONTENDERS:
        if not available(contender):
            rows.append(missing_peer("outage"))
            continue
        log(f"  outage: {contender}, {mode.outage_seconds:g} s, {fleet}")
        sandbox.admin("PUT", "faults", OUTAGE)
        opts = {
            **sandbox.info,
            "seconds": mode.outage_seconds,
            "clients": mode.clients,
            "rate": mode.rate,
        }
        try:
            found = run_case("outage", contender, opts, timeout=mode.outage_seconds + 120)
        finally:
            sandbox.admin("DELETE", "faults")
        starts: list[float] = found["starts"]
        attempts = operation_total(found["end_stats"], "get-customer")
        rows.append(
            row(
                scenario="outage: whole",
                contender=LABELS[contender],
                faults=faults,
                calls=len(starts),
                attempts=attempts,
                amplification=ratio(attempts, len(starts)),
                peak_rss_mb=round(found["peak_rss_mb"], 1),
                notes=(
                    f"{found['finished']} calls ended in the outage, {found['failed']} of them "
                    f"failed; {found['threads_alive']} threads alive at its end"
                ),
            )
        )
        # The steady state is the second half of the outage, or from the budgets' drain
        # when that comes later: retries paid for before the drain still arrive for a
        # while after it, and the second half leaves them time to.
        half = mode.outage_seconds / 2
        drained_at = found["drained_at"]
        if drained_at is not None and drained_at > half:
            since, window = drained_at, found["drained_stats"]
            where = f"from the budgets' drain at {since:.1f} s (after half-time)"
        else:
            since, window = half, found["half_stats"]
            where = f"second half ({half:g} s on)"
            if drained_at is not None:
                where += f"; budgets drained at {drained_at:.1f} s"
            elif contender == "peer":
                where += "; no retry budget"
            else:
                where += "; the budgets never drained"
        calls = sum(1 for started in starts if started >= since)
        after = attempts - operation_total(window, "get-customer")
        amplification = ratio(after, calls)
        met = amplification is not None and amplification <= AMPLIFICATION_TARGET
        rows.append(
            row(
                scenario="outage: steady",
                contender=LABELS[contender],
                faults=faults,
                calls=calls,
                attempts=after,
                amplification=amplification,
                verdict=(
                    "met"
                    if met
                    else f"missed: {amplification} attempts per call > {AMPLIFICATION_TARGET}"
                ),
                notes=where,
            )
        )
    return rows


def scenario_deadlines(mode: Mode, sandbox: Sandbox) -> list[Row]:
    rows: list[Row] = []
    url, stop = silent_server()
    faults = f"server reads the request, never answers; bound {mode.bound_ms:g} ms"
    try:
        log(f"  deadlines: every adapter, {mode.deadline_calls} calls each")
        for adapter, kind, overshoots in measure(url, mode.deadline_calls, mode.bound_ms):
            rows.append(overshoot_row(f"ours ({adapter})", kind, faults, overshoots))
        if available("peer"):
            log("  deadlines: the peer's timeout_ms")
            opts = {
                "url": url,
                "calls": mode.deadline_calls,
                "bound_ms": mode.bound_ms,
                "company_id": sandbox.info["company_id"],
            }
            found = run_case("timeout", "peer", opts, timeout=600)
            rows.append(overshoot_row(LABELS["peer"], "timeout", faults, found["overshoots"]))
            rows.append(
                row(
                    scenario="deadlines: deadline_ms",
                    contender=LABELS["peer"],
                    faults=faults,
                    verdict="cannot take part",
                    notes="0.36.0 has no whole-call deadline; retries multiply timeout_ms",
                )
            )
        else:
            rows.append(missing_peer("deadlines: timeout_ms"))
    finally:
        stop()
    return rows


def overshoot_row(contender: str, kind: str, faults: str, overshoots: list[float]) -> Row:
    p50, p99, top = percentiles(overshoots)
    return row(
        scenario=f"deadlines: {kind}_ms",
        contender=contender,
        faults=faults,
        calls=len(overshoots),
        overshoot_p99_ms=round(p99, 1),
        verdict=(
            "met"
            if p99 < OVERSHOOT_TARGET_MS
            else f"missed: p99 {p99:.0f} ms >= {OVERSHOOT_TARGET_MS:g} ms"
        ),
        notes=f"p50 {p50:.1f} ms, max {top:.1f} ms"
        + ("; retries on, the deadline ends the call" if kind == "deadline" else "; retries off"),
    )


LOAD_HOOK = BENCH / "reliability_load.py"


def scenario_load(mode: Mode, sandbox: Sandbox) -> list[Row]:
    # HOOK: bench/reliability_load.py (another engineer's) exposes run_load(quick) -> rows
    # with the same keys; until it exists the report says so instead of inventing figures.
    if not LOAD_HOOK.exists():
        return [
            row(
                scenario="load",
                contender="—",
                verdict="not run",
                notes="bench/reliability_load.py does not exist yet",
            )
        ]
    module = importlib.import_module("reliability_load")  # bench/ is on sys.path
    log("  load: bench/reliability_load.py")
    found: list[dict[str, object]] = module.run_load(mode is QUICK)
    return [row(**{key: value for key, value in item.items() if key in KEYS}) for item in found]


def missing_peer(scenario: str) -> Row:
    return row(
        scenario=scenario,
        contender=LABELS["peer"],
        verdict="not run",
        notes=f"no {PEER.relative_to(ROOT)}: run bench/run.py first",
    )


SCENARIOS: dict[str, Callable[[Mode, Sandbox], list[Row]]] = {
    "storm": scenario_storm,
    "outage": scenario_outage,
    "deadlines": scenario_deadlines,
    "load": scenario_load,
}


# --- the report ---------------------------------------------------------------------------


HEADINGS = (
    "scenario",
    "contender",
    "faults",
    "calls",
    "attempts",
    "duplicates",
    "unknown outcomes",
    "amplification",
    "overshoot p99 (ms)",
    "leaked fds",
    "peak RSS (MB)",
    "verdict",
    "notes",
)


def cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(rows: list[Row], header: str) -> str:
    lines = [
        header,
        "",
        "| " + " | ".join(HEADINGS) + " |",
        "|" + "---|" * len(HEADINGS),
    ]
    lines += ["| " + " | ".join(cell(r[key]) for key in KEYS) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def header(seconds: float, crashed: list[str]) -> str:
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    peer = "codat-accounting 0.36.0" if PEER.exists() else "peer not installed"
    command = " ".join(["uv run --all-extras python bench/reliability.py", *sys.argv[1:]])
    text = (
        f"Generated by `{command}` on {when} in {seconds:.0f} s "
        f"(Python {platform.python_version()}, {os.cpu_count()} CPUs, {peer}). "
        f"Do not edit between the markers."
    )
    if crashed:
        text += f" **Crashed scenarios (rows missing): {', '.join(crashed)}.**"
    return text


def write(mode: Mode, rows: list[Row], text: str) -> Path:
    mode.results.mkdir(parents=True, exist_ok=True)
    (mode.results / "reliability.json").write_text(json.dumps(rows, indent=1) + "\n")
    generated = f"{BEGIN}\n{text}{END}"
    if mode.name == "full":
        page = DOC.read_text()
        if BEGIN not in page or END not in page:
            raise SystemExit(f"{DOC} lacks the markers {BEGIN} / {END}")
        head, rest = page.split(BEGIN, 1)
        DOC.write_text(head + generated + rest.split(END, 1)[1])
        return DOC
    target = mode.results / "reliability.md"
    target.write_text(f"# Reliability (quick run)\n\n{generated}\n")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a short outage (CI)")
    parser.add_argument(
        "--only", nargs="+", choices=list(SCENARIOS), help="run these scenarios only"
    )
    parser.add_argument("--outage-seconds", type=float, help="length of the outage")
    args = parser.parse_args()
    mode = QUICK if args.quick else FULL
    if args.outage_seconds is not None:
        mode = replace(mode, outage_seconds=args.outage_seconds)
    if args.only and mode is not QUICK:
        # A partial run must not replace the committed page's other scenarios.
        mode = replace(mode, name="partial", results=VENVS / "partial-results")
    began = time.monotonic()
    work = VENVS / f"reliability-{mode.name}"
    work.mkdir(parents=True, exist_ok=True)
    log(f"reliability ({mode.name} run)")
    server, info = start_sandbox(work, 40, None)
    sandbox = Sandbox(info)
    rows: list[Row] = []
    crashed: list[str] = []
    try:
        for name, scenario in SCENARIOS.items():
            if args.only and name not in args.only:
                continue
            try:
                rows += scenario(mode, sandbox)
            except Exception:
                traceback.print_exc()
                crashed.append(name)
                sandbox.admin("DELETE", "faults")
    finally:
        server.stop()
    seconds = time.monotonic() - began
    text = table(rows, header(seconds, crashed))
    print(text)
    written = write(mode, rows, text)
    log(f"done in {seconds:.0f} s: {written.relative_to(ROOT)}")
    if crashed:
        log(f"crashed: {', '.join(crashed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
