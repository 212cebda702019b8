"""Turning one run's records into ``latest.md``, ``latest.json`` and PNG charts.

Ratios are speeds relative to a reference, so higher is always better: for times
(µs, ms, s) ``reference time / contender time``, for rates (calls/s, MB/s)
``contender rate / reference rate``. Both use the best repeat (min time, max rate).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIME_UNITS = {"us/call", "ms", "s"}
RATE_UNITS = {"calls/s", "MB/s"}


@dataclass
class Row:
    record: dict[str, Any]
    vs_floor: float | None = None
    vs_peer: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def case(self) -> str:
        return str(self.record["case"])

    @property
    def op(self) -> str:
        mode = self.record.get("mode")
        return f"{self.record['op']} ({mode})" if mode else str(self.record["op"])

    @property
    def contender(self) -> str:
        return str(self.record["contender"])


def best(record: dict[str, Any]) -> float:
    return float(record["max"] if record["unit"] in RATE_UNITS else record["min"])


def speed_ratio(record: dict[str, Any], reference: dict[str, Any] | None) -> float | None:
    unit = record["unit"]
    if reference is None or reference is record or unit not in TIME_UNITS | RATE_UNITS:
        return None
    mine, theirs = best(record), best(reference)
    if mine <= 0 or theirs <= 0:
        return None
    return theirs / mine if unit in TIME_UNITS else mine / theirs


def _find(
    records: list[dict[str, Any]], case: str, op: str, mode: Any, contender: str
) -> dict[str, Any] | None:
    for record in records:
        if (record["case"], record["op"], record.get("mode"), record["contender"]) == (
            case,
            op,
            mode,
            contender,
        ):
            return record
    return None


def floor_name(record: dict[str, Any]) -> str | None:
    """The floor a contender is measured against: in the loopback cases, its own library's.

    ``ours result/<adapter>`` against ``floor/<adapter>``, the seed client (urllib3) against
    ``floor/urllib3`` and the peer (httpx) against ``floor/httpx``; a floor has none. Every
    other case has one floor, ``floor``.
    """
    who = str(record["contender"])
    if not str(record["case"]).startswith("loopback"):
        return None if who == "floor" else "floor"
    if who.startswith("floor"):
        return None
    if who.startswith("ours result/"):
        return "floor/" + who.removeprefix("ours result/")
    return {"ours seed": "floor/urllib3", "peer": "floor/httpx"}.get(who)


def floor_of(records: list[dict[str, Any]], record: dict[str, Any]) -> dict[str, Any] | None:
    """The record of ``record``'s own floor, in the same case, operation and mode.

    A report rebuilt from a run made before the per-library floors (``--report-only`` on an
    old ``latest.json``) falls back to its one urllib3 ``floor``, the 16-thread one for the
    async modes, as it was then.
    """
    case, op, mode = record["case"], record["op"], record.get("mode")
    baseline = record.get("baseline_mode")
    if baseline is not None:  # a speed-up over one request at a time (concurrency cases)
        if baseline == mode:
            return None
        return _find(records, case, op, baseline, record["contender"])
    name = floor_name(record)
    if name is None:
        return None
    found = _find(records, case, op, mode, name)
    if found is None and name.startswith("floor/"):
        found = _find(records, case, op, mode, "floor")
        if found is None and isinstance(mode, str) and mode.endswith("tasks"):
            found = _find(records, case, op, "16 threads", "floor")
    return found


Check = Callable[[Row], bool]


def target_of(row: Row) -> tuple[str, Check] | None:
    """The issue's target for this row, if one applies."""
    record, who = row.record, row.contender
    if not who.startswith("ours"):
        return None
    case, op = row.case, str(record["op"])
    if case == "memory" and op in ("list-100", "list-5000"):
        return "≤ 1.3x floor time (vs floor ≥ 0.77)", lambda r: _ge(r.vs_floor, 1 / 1.3)
    if case == "memory" and op == "get":
        return "< 15x floor decode (vs floor > 0.067)", lambda r: _ge(r.vs_floor, 1 / 15)
    if case == "loopback canned":
        return "vs own floor ≥ 0.9", lambda r: _ge(r.vs_floor, 0.9)
    if case == "paging" and op.endswith("peak RSS growth"):
        return "< 100 MB", lambda r: float(r.record["max"]) < 100
    if case == "download" and op.endswith("peak RSS growth"):
        return "< 32 MB", lambda r: float(r.record["max"]) < 32
    if case == "download" and op.endswith("throughput"):
        return "vs floor ≥ 0.8", lambda r: _ge(r.vs_floor, 0.8)
    if case == "import" and op == "import codat_customers.core":
        return "< 50 ms", lambda r: float(r.record["min"]) < 50
    return None


def _ge(value: float | None, limit: float) -> bool:
    return value is not None and value >= limit


def build_rows(records: list[dict[str, Any]]) -> list[Row]:
    rows = []
    for record in records:
        row = Row(record)
        row.vs_floor = speed_ratio(record, floor_of(records, record))
        peer = _find(records, record["case"], record["op"], record.get("mode"), "peer")
        row.vs_peer = speed_ratio(record, peer)
        target = target_of(row)
        if target is not None:
            row.target, check = target
            row.met = check(row)
        rows.append(row)
    return rows


# --- formatting -----------------------------------------------------------------------


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def figure(record: dict[str, Any]) -> str:
    unit = record["unit"]
    shown = {"us/call": "µs/call"}.get(unit, unit)
    count = len(record["values"])
    if unit == "MB":
        return f"{_number(record['max'])} MB (worst of {count})"
    first = best(record)
    return f"{_number(first)} / {_number(record['median'])} {shown}"


def ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"


def markdown_table(rows: list[Row]) -> str:
    lines = [
        "| case | operation | contender | figure (best / median) | vs floor | vs peer "
        "| target | met? |",
        "| --- | --- | --- | --- | ---: | ---: | --- | :---: |",
    ]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(
            f"| {row.case} | {row.op} | {row.contender} | {figure(row.record)} "
            f"| {ratio(row.vs_floor)} | {ratio(row.vs_peer)} | {row.target} | {met} |"
        )
    return "\n".join(lines)


def machine_block(machine: dict[str, Any]) -> str:
    ours = machine.get("ours", {})
    peer = machine.get("peer", {})
    libs = ", ".join(f"{k} {v}" for k, v in ours.items() if k != "python")
    peer_libs = ", ".join(f"{k} {v}" for k, v in peer.items() if k != "python") or "not installed"
    adapters = machine.get("adapters", {})
    load = machine.get("load_before", [0, 0, 0])
    load_after = machine.get("load_after", [0, 0, 0])
    return "\n".join(
        [
            f"- **When**: {machine.get('date')} (commit `{machine.get('commit')}`), "
            f"{machine.get('seconds', 0):.0f} s for the whole run",
            f"- **CPU**: {machine.get('cpu')}, {machine.get('cores')} cores; "
            f"memory {machine.get('memory')}; {machine.get('os')}",
            f"- **Python**: {machine.get('python')}; ours: {libs}",
            f"- **Peer venv**: Python {peer.get('python', '—')}; {peer_libs}",
            f"- **Adapters found**: sync {', '.join(adapters.get('sync', [])) or '—'}; "
            f"async {', '.join(adapters.get('async', [])) or '—'} and `threaded(urllib3)`; "
            f"default async transport: `{adapters.get('async_default', 'threaded')}`",
            f"- **Load average** (1 min) before / after: {load[0]:.2f} / {load_after[0]:.2f}",
        ]
    )


LEGEND = """\
*figure*: best / median of the repeats (best = lowest time, highest rate); RSS rows (MB) show
the worst repeat. *vs floor*, *vs peer*: the contender's speed relative to its floor or to
codat-accounting 0.36.0 in the same case, operation and mode, from the best repeats
(reference time ÷ contender time, or contender rate ÷ reference rate): above 1 is faster.
In memory the floor is msgspec decoding the same bytes; for paging and the download, bare
urllib3 + msgspec. Over loopback each contender has its own floor, its library used bare
for the same requests and decoded by the same msgspec decoder at the same concurrency:
`ours result/X` against `floor/X`, the seed client (urllib3) against `floor/urllib3`, the
peer (httpx) against `floor/httpx`; `floor/threaded(urllib3)` is the urllib3 floor's call
run in the event loop's default thread pool. *vs peer* is for information: no target uses
it. In the concurrent paging and many companies cases, *vs floor* is the speed-up over the
same contender making one request at a time (the first mode). Rows without a target are
reported for information."""


def markdown(run: Any, rows: list[Row], charts: list[str], image_prefix: str) -> str:
    mode = run.mode
    parts = [
        f"# Benchmark results ({mode.name} run)",
        "",
        "Written by `bench/run.py`"
        + (" --quick" if mode.name == "quick" else "")
        + "; see `bench/README.md` for what each case measures.",
        "",
        "## Machine",
        "",
        machine_block(run.machine),
        "",
        "## Results",
        "",
        LEGEND,
        "",
        markdown_table(rows),
        "",
    ]
    missed = [r for r in rows if r.met is False]
    met = [r for r in rows if r.met]
    parts += [f"Targets met: {len(met)} of {len(met) + len(missed)}.", ""]
    if run.notes:
        parts += ["## Notes from the run", "", *(f"- {n}" for n in run.notes), ""]
    if charts:
        parts += ["## Charts", ""]
        parts += [f"![{name}]({image_prefix}{name})" for name in charts]
        parts.append("")
    return "\n".join(parts)


# --- charts ---------------------------------------------------------------------------


def charts(rows: list[Row], out: Path) -> list[str]:
    try:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        return []
    written = []

    def grouped(
        selected: list[Row],
        name: str,
        title: str,
        ylabel: str,
        value: Callable[[Row], float | None],
        lines: list[tuple[float, str]],
    ) -> None:
        groups = list(dict.fromkeys(r.op for r in selected))
        names = list(dict.fromkeys(r.contender for r in selected))
        if not groups or not names:
            return
        fig, ax = plt.subplots(figsize=(min(14.0, max(7.0, 1.6 * len(groups) + 2)), 4.8))
        width = 0.8 / len(names)
        for index, contender in enumerate(names):
            xs, ys = [], []
            for g, group in enumerate(groups):
                for r in selected:
                    v = value(r)
                    if r.op == group and r.contender == contender and v is not None:
                        xs.append(g + index * width - 0.4 + width / 2)
                        ys.append(v)
            ax.bar(xs, ys, width=width, label=contender)
        for level, label in lines:
            ax.axhline(level, linestyle="--", linewidth=1, color="grey")
            ax.annotate(
                label, (len(groups) - 0.5, level), fontsize=8, ha="right", va="bottom", color="grey"
            )
        ax.set_yscale("log")
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels(groups, rotation=15, ha="right", fontsize=8)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize=7, ncol=2)
        fig.tight_layout()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        written.append(name)

    memory = [r for r in rows if r.case == "memory" and r.contender != "floor"]
    grouped(
        memory,
        "memory.png",
        "In memory: speed relative to the msgspec floor",
        "floor time ÷ contender time (log)",
        lambda r: r.vs_floor,
        [(1.0, "floor"), (1 / 1.3, "target 1/1.3 (lists)")],
    )
    loop = [r for r in rows if r.case == "loopback canned" and r.contender.startswith("ours")]
    grouped(
        loop,
        "loopback.png",
        "Loopback (canned server): calls/s relative to each library used bare",
        "contender ÷ own floor calls/s (log)",
        lambda r: r.vs_floor,
        [(1.0, "own floor"), (0.9, "target 0.9")],
    )
    versus = [r for r in rows if r.vs_peer is not None and r.contender.startswith("ours")]
    for r in versus:
        r.record.setdefault("chart_group", f"{r.case}: {r.op}")
    if versus:
        fig, ax = plt.subplots(figsize=(8, max(3.0, 0.22 * len(versus) + 1)))
        labels = [f"{r.case}: {r.op} — {r.contender}" for r in versus]
        values = [r.vs_peer or 0 for r in versus]
        ax.barh(range(len(versus)), values, color="tab:green")
        ax.set_yticks(range(len(versus)))
        ax.set_yticklabels(labels, fontsize=6)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.axvline(1, linestyle="--", linewidth=1, color="grey")
        ax.set_xlabel("speed-up over codat-accounting 0.36.0 (log; line at 1x)")
        ax.set_title("Speed relative to the peer (for information)")
        fig.tight_layout()
        fig.savefig(out / "vs_peer.png", dpi=110)
        plt.close(fig)
        written.append("vs_peer.png")
    return written


def write_report(run: Any, out: Path, doc: Path | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rows = build_rows(run.records)
    chart_names = charts(rows, out)
    if not chart_names:
        run.note("matplotlib is not installed (uv sync --group bench): no charts")
    (out / "latest.json").write_text(
        json.dumps({"machine": run.machine, "records": run.records, "notes": run.notes}, indent=1)
    )
    (out / "latest.md").write_text(markdown(run, rows, chart_names, ""))
    if doc is not None:
        block = "\n".join(
            [
                DOC_BEGIN,
                "",
                "### Machine",
                "",
                machine_block(run.machine),
                "",
                "### Latest results",
                "",
                LEGEND,
                "",
                markdown_table(rows),
                "",
                *(f"![{name}](../bench/results/{name})" for name in chart_names),
                "",
                DOC_END,
            ]
        )
        text = doc.read_text() if doc.exists() else "# Performance\n\n" + DOC_BEGIN + DOC_END
        head, _, rest = text.partition(DOC_BEGIN)
        _, _, tail = rest.partition(DOC_END)
        doc.write_text(head + block + tail)


DOC_BEGIN = "<!-- bench:begin (generated by bench/run.py; edit outside these markers) -->"
DOC_END = "<!-- bench:end -->"
