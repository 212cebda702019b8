"""Run every benchmark case side by side and write the report: ``uv run python bench/run.py``.

One orchestrating process (this one, in our virtualenv) that:

1. creates ``bench/.venvs/peer`` with ``codat-accounting==0.36.0`` (pip, from PyPI) and
   ``bench/.venvs/core`` with only msgspec and returns (for the core's import time);
2. writes the fixture bodies (``bench/fixtures.py``) to files every contender reads;
3. starts the servers (a canned-response server, the sandbox) as separate processes;
4. runs each contender as a subprocess (ours with our python, the peer's with the peer
   venv's python), which prints its measurements as JSON;
5. writes ``bench/results/latest.md``, ``latest.json`` and PNG charts, and (full runs)
   refreshes the generated part of ``docs/performance.md``.

``--quick`` shrinks every size and repeat (CI smoke test, about a minute) and writes to
``bench/.venvs/quick-results/`` so the committed report is not overwritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENVS = BENCH / ".venvs"
PEER_REQUIREMENT = "codat-accounting==0.36.0"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"

sys.path.insert(0, str(BENCH))

from fixtures import COMPANY_ID, customers_page, one_customer  # noqa: E402

MIB = 1024 * 1024


@dataclass
class Mode:
    """Sizes and repeats of one kind of run."""

    name: str
    memory: dict[str, Any]
    loopback: dict[str, Any]
    sandbox_loopback: dict[str, Any]
    paging_customers: int
    page_size: int
    paging_repeats: int
    download_bytes: int
    download_repeats: int
    import_repeats: int
    results: Path
    concurrent_paging: dict[str, Any] = field(default_factory=dict)
    many_companies: dict[str, Any] = field(default_factory=dict)


FULL = Mode(
    name="full",
    memory={
        "repeats": 7,
        "min_time": 0.2,
        "warmup": 0.2,
        "ops": ["get", "list-1", "list-100", "list-5000"],
    },
    loopback={
        "duration": 1.0,
        "repeats": 5,
        "warmup": 0.3,
        "threads": [1, 16],
        "tasks": [1, 100],
    },
    sandbox_loopback={
        "duration": 1.0,
        "repeats": 3,
        "warmup": 0.3,
        "threads": [1, 16],
        "tasks": [100],
    },
    paging_customers=100_000,
    page_size=5000,
    paging_repeats=3,
    download_bytes=1024 * MIB,
    download_repeats=3,
    import_repeats=9,
    results=BENCH / "results",
    concurrent_paging={
        "customers": 100_000,
        "page_size": 5000,
        "latency_ms": 50,
        "concurrency": [1, 2, 4, 8],
        "repeats": 3,
    },
    many_companies={
        "companies": 50,
        "customers": 200,
        "page_size": 50,
        "latency_ms": 20,
        "per_company": 2,
        "max_in_flight": [1, 8, 32],
        "repeats": 3,
    },
)

QUICK = Mode(
    name="quick",
    memory={
        "repeats": 2,
        "min_time": 0.01,
        "warmup": 0.005,
        "ops": ["get", "list-1", "list-100", "list-5000"],
    },
    loopback={
        "duration": 0.1,
        "repeats": 2,
        "warmup": 0.03,
        "threads": [1, 16],
        "tasks": [1, 100],
    },
    sandbox_loopback={"duration": 0.1, "repeats": 1, "warmup": 0.03, "threads": [1], "tasks": []},
    paging_customers=2000,
    page_size=500,
    paging_repeats=1,
    download_bytes=8 * MIB,
    download_repeats=1,
    import_repeats=1,
    results=VENVS / "quick-results",
    concurrent_paging={
        "customers": 5000,
        "page_size": 500,
        "latency_ms": 50,
        "concurrency": [1, 4],
        "repeats": 1,
    },
    many_companies={
        "companies": 4,
        "customers": 40,
        "page_size": 20,
        "latency_ms": 20,
        "per_company": 2,
        "max_in_flight": [1, 8],
        "repeats": 1,
    },
)


@dataclass
class Run:
    """Everything measured in one run."""

    mode: Mode
    records: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    machine: dict[str, Any] = field(default_factory=dict)
    peer_python: Path | None = None

    def note(self, text: str) -> None:
        print(f"  note: {text}", flush=True)
        self.notes.append(text)


_STARTED = time.perf_counter()


def log(text: str) -> None:
    print(f"{time.perf_counter() - _STARTED:6.1f}s {text}", flush=True)


# --- virtualenvs ----------------------------------------------------------------------


def venv_python(path: Path) -> Path:
    return path / "bin" / "python"


def make_venv(path: Path, packages: list[str], check: str, run: Run) -> Path | None:
    """A virtualenv at ``path`` holding ``packages`` (installed by pip); None on failure."""
    python = venv_python(path)
    if python.exists():
        probe = subprocess.run([python, "-c", check], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return python
        shutil.rmtree(path, ignore_errors=True)
    log(f"  creating {path.relative_to(ROOT)} with {' '.join(packages)}")
    try:
        subprocess.run([sys.executable, "-m", "venv", path], check=True, capture_output=True)
        subprocess.run(
            [
                python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--timeout",
                "60",
                *packages,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
        subprocess.run([python, "-c", check], check=True, capture_output=True, text=True)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        run.note(
            f"could not create {path.name} venv ({' '.join(packages)}): "
            f"{str(detail).strip().splitlines()[-1:] or exc}"
        )
        shutil.rmtree(path, ignore_errors=True)
        return None
    return python


def versions(python: Path, names: list[str]) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json, sys\n"
        f"names = {names!r}\n"
        "out = {'python': sys.version.split()[0]}\n"
        "for n in names:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    result: dict[str, str] = json.loads(done.stdout)
    return result


# --- subprocesses -----------------------------------------------------------------------


def contender(
    run: Run, python: Path, script: str, case: str, opts: dict[str, Any], timeout: float = 1800
) -> list[dict[str, Any]]:
    """Run one case script; its last stdout line is a JSON list of records."""
    env = {**os.environ, "BENCH_SETTINGS": json.dumps(opts)}
    env.pop("PYTHONPATH", None)
    try:
        done = subprocess.run(
            [python, str(BENCH / script), case],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        run.note(f"{script} {case} timed out after {timeout:.0f} s")
        return []
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        run.note(f"{script} {case} failed: {tail}")
        return []
    out: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    for item in out:
        for text in item.get("notes", []):
            run.note(text)
    return [item for item in out if "notes" not in item]


class Server:
    """A server process of ours; ``info`` holds what it printed on start."""

    def __init__(self, argv: list[str], ready: str, log_path: Path, timeout: float) -> None:
        self.log = log_path.open("w")
        self.proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=ROOT
        )
        self.lines: list[str] = []
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                self.stop()
                raise RuntimeError(f"{argv[1:3]} exited early; see {log_path}")
            self.lines.append(line.rstrip("\n"))
            if ready in line:
                return
        self.stop()
        raise RuntimeError(f"{argv[1:3]} did not start in {timeout:.0f} s")

    def field(self, label: str) -> str:
        for line in self.lines:
            if line.strip().startswith(label):
                return line.split(label, 1)[1].strip()
        raise KeyError(label)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_sandbox(work: Path, customers: int, db: Path | None) -> tuple[Server, dict[str, str]]:
    argv = [
        sys.executable,
        "-m",
        "codat_customers.sandbox",
        "sandbox",
        "--port",
        "0",
        "--customers",
        str(customers),
    ]
    if db is not None:
        argv += ["--db", str(db)]
    server = Server(argv, "Press Ctrl-C", work / "sandbox.log", timeout=900)
    info = {
        "base_url": server.field("Codat Customers sandbox at"),
        "auth_header": server.field("Authorization:"),
        "company_id": server.field("Company:"),
        "connection_id": server.field("Connection:"),
        "customer_id": server.field("Customer with attachments:"),
    }
    return server, info


def sandbox_db(customers: int) -> Path:
    """A sandbox database kept between runs; one left half-seeded is thrown away."""
    db = VENVS / f"sandbox-{customers}.sqlite"
    marker = db.with_suffix(".ok")
    if db.exists() and not marker.exists():
        for leftover in VENVS.glob(db.name + "*"):
            leftover.unlink()
    return db


# --- the cases --------------------------------------------------------------------------


def case_imports(run: Run, core_python: Path | None) -> None:
    log("[5] import time")
    plans = [("ours", Path(sys.executable), "codat_customers", {})]
    if core_python is not None:
        plans.append(
            (
                "ours core-only venv",
                core_python,
                "codat_customers.core",
                {"PYTHONPATH": str(ROOT / "core" / "src")},
            )
        )
    else:
        run.note("core-only venv missing: codat_customers.core measured inside the full install")
        plans.append(("ours", Path(sys.executable), "codat_customers.core", {}))
    if run.peer_python is not None:
        plans.append(("peer", run.peer_python, "codat_accounting", {}))
    for name, python, module, extra in plans:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")
        }
        env.update(extra)
        values = []
        for attempt in range(run.mode.import_repeats + 1):
            done = subprocess.run(
                [python, "-X", "importtime", "-c", f"import {module}"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            cumulative = None
            for line in done.stderr.splitlines():
                parts = line.split("|")
                if len(parts) == 3 and parts[2].strip() == module:
                    cumulative = int(parts[1].strip())
            assert cumulative is not None, done.stderr[-500:]
            if attempt:  # the first run writes bytecode: a warm-up
                values.append(cumulative / 1000)
        run.records.append(_record("import", f"import {module}", name, "ms", values))


def case_memory(run: Run, work: Path) -> None:
    log("[1] in-memory client overhead")
    opts = {**run.mode.memory, "bodies": str(work), "company_id": COMPANY_ID}
    run.records += contender(run, Path(sys.executable), "our_cases.py", "memory", opts)
    if run.peer_python is not None:
        run.records += contender(run, run.peer_python, "peer_cases.py", "memory", opts)


def case_loopback(run: Run, target: str, info: dict[str, str], timing: dict[str, Any]) -> None:
    log(f"[2] loopback against the {target} server")
    opts = {**timing, **info, "target": target}
    run.records += contender(run, Path(sys.executable), "our_cases.py", "loopback", opts)
    if run.peer_python is not None:
        run.records += contender(run, run.peer_python, "peer_cases.py", "loopback", opts)


def case_paging(run: Run, info: dict[str, str]) -> None:
    mode = run.mode
    log(f"[3] paging {mode.paging_customers:,} customers, pages of {mode.page_size}")
    contenders = [
        ("floor", Path(sys.executable), "our_cases.py"),
        ("ours seed", Path(sys.executable), "our_cases.py"),
        ("ours result/urllib3", Path(sys.executable), "our_cases.py"),
    ]
    if run.peer_python is not None:
        contenders.append(("peer", run.peer_python, "peer_cases.py"))
    for name, python, script in contenders:
        samples = []
        for _ in range(mode.paging_repeats):
            opts = {**info, "page_size": mode.page_size, "contender": name}
            samples += contender(run, python, script, "paging", opts)
        for sample in samples:
            if sample["count"] != mode.paging_customers:
                run.note(
                    f"paging {name}: saw {sample['count']} customers, "
                    f"expected {mode.paging_customers}"
                )
        if not samples:
            continue
        op = f"page {mode.paging_customers:,}"
        run.records.append(
            _record("paging", op + " wall time", name, "s", [s["seconds"] for s in samples])
        )
        run.records.append(
            _record(
                "paging",
                op + " peak RSS growth",
                name,
                "MB",
                [s["rss_growth"] / MIB for s in samples],
                baseline_mb=samples[0]["baseline"] / MIB,
            )
        )


def case_download(run: Run, work: Path, adapters: list[str]) -> None:
    mode = run.mode
    size = mode.download_bytes
    log(f"[4] download of {size / MIB:,.0f} MiB")
    server, info = start_sandbox(work, 40, None)
    try:
        started = time.perf_counter()
        request = urllib.request.Request(
            info["base_url"] + "/_sandbox/attachments",
            method="POST",
            data=json.dumps({"size": size}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=1800) as answer:
            created = json.loads(answer.read())
        log(f"  attachment created in {time.perf_counter() - started:.1f} s")
        opts = {
            **info,
            "customer_id": created["customerId"],
            "attachment_id": created["attachment"]["id"],
            "chunk_size": 64 * 1024,
        }
        names = ["floor", "ours seed", *(f"ours result/{a}" for a in adapters)]
        contenders = [(n, Path(sys.executable), "our_cases.py") for n in names]
        if run.peer_python is not None:
            contenders.append(("peer", run.peer_python, "peer_cases.py"))
        for name, python, script in contenders:
            samples = []
            for _ in range(mode.download_repeats):
                samples += contender(run, python, script, "download", {**opts, "contender": name})
            samples = [s for s in samples if s["bytes"] == size] or []
            if not samples:
                run.note(f"download {name}: no complete download")
                continue
            label = f"{size / MIB:,.0f} MiB"
            run.records.append(
                _record(
                    "download",
                    label + " throughput",
                    name,
                    "MB/s",
                    [size / MIB / s["seconds"] for s in samples],
                )
            )
            run.records.append(
                _record(
                    "download",
                    label + " peak RSS growth",
                    name,
                    "MB",
                    [s["rss_growth"] / MIB for s in samples],
                    baseline_mb=samples[0]["baseline"] / MIB,
                )
            )
    finally:
        server.stop()


def case_concurrent_paging(run: Run) -> None:
    opts = run.mode.concurrent_paging
    log(
        f"[6] concurrent paging: {opts['customers']:,} customers, "
        f"{opts['latency_ms']:g} ms sandbox latency, concurrency {opts['concurrency']}"
    )
    run.records += contender(run, Path(sys.executable), "our_cases.py", "concurrent_paging", opts)


def case_many_companies(run: Run, work: Path) -> None:
    opts = run.mode.many_companies
    log(
        f"[7] many companies: {opts['companies']} companies of {opts['customers']} customers, "
        f"{opts['latency_ms']:g} ms sandbox latency, max_in_flight {opts['max_in_flight']}"
    )
    argv = [
        sys.executable, "-m", "codat_customers.sandbox", "sandbox", "--port", "0",
        "--customers", str(opts["customers"]), "--companies", str(opts["companies"] - 1),
        "--latency-ms", str(opts["latency_ms"]),
    ]  # fmt: skip
    server = Server(argv, "Press Ctrl-C", work / "companies.log", timeout=900)
    try:
        base = server.field("Codat Customers sandbox at")
        with urllib.request.urlopen(base + "/_sandbox/info", timeout=60) as answer:
            seed = json.loads(answer.read())["seed"]
        more = seed.get("more_companies") or seed.get("moreCompanies") or []
        companies = [seed.get("company_id") or seed["companyId"]]
        companies += [c.get("company_id") or c["companyId"] for c in more]
        settings = {
            **opts,
            "base_url": base,
            "auth_header": server.field("Authorization:"),
            "companies": companies,
        }
        run.records += contender(
            run, Path(sys.executable), "our_cases.py", "many_companies", settings
        )
    finally:
        server.stop()


def _record(
    case: str, op: str, name: str, unit: str, values: list[float], **extra: Any
) -> dict[str, Any]:
    return {
        "case": case,
        "op": op,
        "contender": name,
        "unit": unit,
        "values": values,
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
        **extra,
    }


# --- machine ----------------------------------------------------------------------------


def machine_info(run: Run) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kib / MIB:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    ours = versions(
        Path(sys.executable),
        ["msgspec", "urllib3", "pluggy", "returns", "httpx", "aiohttp", "uvicorn"],
    )
    info: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version() + f" ({platform.python_implementation()})",
        "ours": ours,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "load_before": os.getloadavg(),
    }
    if run.peer_python is not None:
        info["peer"] = versions(run.peer_python, ["codat-accounting", "httpx", "pydantic"])
    return info


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (subprocess.CalledProcessError, OSError):
        return "unknown"


def _preload_matplotlib() -> None:
    """Import the plotting modules now: a long run must not depend on them staying installed."""
    try:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: PLC0415
    except ImportError:
        pass


# --- main -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and repeats (CI)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=[
            "imports",
            "memory",
            "loopback",
            "sandbox",
            "paging",
            "download",
            "concurrent-paging",
            "many-companies",
        ],
        help="leave a case out (repeatable)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rebuild the report and charts from the last run's latest.json",
    )
    args = parser.parse_args()
    mode = QUICK if args.quick else FULL
    run = Run(mode)
    _preload_matplotlib()
    if args.report_only:
        saved = json.loads((mode.results / "latest.json").read_text())
        run.machine, run.records, run.notes = saved["machine"], saved["records"], saved["notes"]
        run.notes = [n for n in run.notes if not n.startswith("matplotlib")]
        from report import write_report  # noqa: PLC0415

        write_report(run, mode.results, doc=PERFORMANCE_DOC if mode is FULL else None)
        log(f"report rebuilt: {mode.results.relative_to(ROOT)}/latest.md")
        return 0
    began = time.perf_counter()
    VENVS.mkdir(parents=True, exist_ok=True)
    work = VENVS / f"work-{mode.name}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    log(f"benchmark ({mode.name} run)")
    log("[0] virtualenvs and fixtures")
    run.peer_python = make_venv(
        VENVS / "peer",
        [PEER_REQUIREMENT],
        "import importlib.metadata as m; assert m.version('codat-accounting') == '0.36.0'",
        run,
    )
    if run.peer_python is None:
        run.note("the peer is not installed: its rows and every ratio to it are missing")
    from importlib.metadata import version  # noqa: PLC0415

    import msgspec  # noqa: PLC0415
    import returns  # noqa: PLC0415, F401

    core_python = make_venv(
        VENVS / "core",
        [f"msgspec=={msgspec.__version__}", f"returns=={version('returns')}"],
        "import msgspec, returns; import importlib.util as u; assert u.find_spec('pluggy') is None",
        run,
    )
    (work / "customer.json").write_bytes(one_customer())
    for count in (1, 100, 5000):
        (work / f"page-{count}.json").write_bytes(customers_page(count))
    run.machine = machine_info(run)
    adapters = contender(run, Path(sys.executable), "our_cases.py", "adapters", {})
    found = adapters[0] if adapters else {"sync": ["urllib3"], "async": []}
    for text in found.get("problems", []):
        run.note(f"adapter skipped: {text}")
    run.machine["adapters"] = found
    log(f"  adapters: sync {found['sync']}, async {found['async']}")

    if "imports" not in args.skip:
        case_imports(run, core_python)
    if "memory" not in args.skip:
        case_memory(run, work)
    if "loopback" not in args.skip:
        canned = Server(
            [sys.executable, str(BENCH / "canned_server.py"), str(work)],
            "PORT",
            work / "canned.log",
            timeout=30,
        )
        try:
            port = canned.lines[-1].split()[1]
            info = {
                "base_url": f"http://127.0.0.1:{port}",
                "auth_header": "Basic YmVuY2g6",
                "company_id": COMPANY_ID,
                "customer_id": "cust-000001",
            }
            case_loopback(run, "canned", info, mode.loopback)
        finally:
            canned.stop()
    if not {"sandbox", "paging"} <= set(args.skip):
        customers = mode.paging_customers
        db = sandbox_db(customers)
        log(
            f"  sandbox with {customers:,} customers ({db.name}"
            f"{', seeding' if not db.exists() else ''})"
        )
        server, info = start_sandbox(work, customers, db)
        db.with_suffix(".ok").touch()
        try:
            if "sandbox" not in args.skip:
                case_loopback(run, "sandbox", info, mode.sandbox_loopback)
            if "paging" not in args.skip:
                case_paging(run, info)
        finally:
            server.stop()
    if "download" not in args.skip:
        case_download(run, work, found["sync"])
    if "concurrent-paging" not in args.skip:
        case_concurrent_paging(run)
    if "many-companies" not in args.skip:
        case_many_companies(run, work)

    run.machine["load_after"] = os.getloadavg()
    run.machine["seconds"] = round(time.perf_counter() - began, 1)
    from report import write_report  # noqa: PLC0415

    write_report(run, mode.results, doc=PERFORMANCE_DOC if mode is FULL else None)
    log(f"done in {run.machine['seconds']:.0f} s: {mode.results.relative_to(ROOT)}/latest.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
