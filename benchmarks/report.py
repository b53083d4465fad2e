"""Pure functions: parse wrk's output (the BENCH_JSON line of wrk/bench.lua), summarise repeats, build the table.

No servers, no Django: tests/benchmarks/test_bench_harness.py runs these on sample output.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from typing import Any

MARKER = "BENCH_JSON "


class ReportError(ValueError):
    pass


def parse_wrk_output(stdout: str) -> dict[str, Any]:
    """The figures of one wrk run, from the last BENCH_JSON line it printed."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARKER):
            try:
                run = json.loads(line[len(MARKER) :])
            except json.JSONDecodeError as exc:
                raise ReportError(f"unreadable {MARKER.strip()} line: {line!r}") from exc
            run["non_2xx_3xx"] = run["errors"]["status"]
            run["socket_errors"] = sum(v for k, v in run["errors"].items() if k != "status")
            return run
    raise ReportError("wrk printed no BENCH_JSON line (was the script benchmarks/wrk/*.lua used?)")


def summarise(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Median of repeated runs of one figure; every run's req/s is kept beside it."""
    if not runs:
        raise ReportError("no runs to summarise")

    def med(get) -> float:
        return statistics.median(get(r) for r in runs)

    return {
        "rps": med(lambda r: r["rps"]),
        "rps_runs": [r["rps"] for r in runs],
        "p50_ms": med(lambda r: r["latency_us"]["p50"]) / 1000,
        "p95_ms": med(lambda r: r["latency_us"]["p95"]) / 1000,
        "p99_ms": med(lambda r: r["latency_us"]["p99"]) / 1000,
        "requests": sum(r["requests"] for r in runs),
        "non_2xx_3xx": sum(r["non_2xx_3xx"] for r in runs),
        "socket_errors": sum(r["socket_errors"] for r in runs),
        # the most any other process took of the machine during one of these runs (None: not measured)
        "others_cpu_max": max((r["cpu"]["others"] for r in runs if r.get("cpu")), default=None),
    }


def ceiling_summary(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ceiling is measured first and last (and between rounds): its median, and the first and last run."""
    summary = summarise(runs)
    summary["first_rps"] = runs[0]["rps"]
    summary["last_rps"] = runs[-1]["rps"]
    return summary


def build_table(connections: int, ceiling: dict[str, Any], scenarios: dict[str, dict[str, Any]]) -> str:
    """A Markdown table: one row per scenario, ratio to the ceiling measured in the same run."""
    header = "| scenario | req/s (median) | runs | p50 ms | p95 ms | p99 ms | vs ceiling | errors | others' CPU (max) |"
    lines = [
        f"wrk -c{connections}: ceiling median {ceiling['rps']:,.0f} req/s "
        f"(first {ceiling['first_rps']:,.0f}, last {ceiling['last_rps']:,.0f})",
        "",
        header,
        "|" + "---|" * header.count(" | ") + "---|",
    ]
    for name, s in {"constant (ceiling)": ceiling, **scenarios}.items():
        ratio = s["rps"] / ceiling["rps"] if ceiling["rps"] else float("nan")
        errors = s["non_2xx_3xx"] + s["socket_errors"]
        lines.append(
            f"| {name} | {s['rps']:,.0f} | {' / '.join(f'{r:,.0f}' for r in s['rps_runs'])} "
            f"| {s['p50_ms']:.2f} | {s['p95_ms']:.2f} | {s['p99_ms']:.2f} | {ratio:.2f} "
            f"| {_errors_cell(s) if errors else 0} "
            f"| {_percent(s['others_cpu_max'])} |"
        )
    return "\n".join(lines)


def _percent(fraction: float | None) -> str:
    return "?" if fraction is None else f"{fraction:.0%}"


def _errors_cell(s: dict[str, Any]) -> str:
    parts = []
    if s["non_2xx_3xx"]:
        parts.append(f"{s['non_2xx_3xx']} non-2xx/3xx")
    if s["socket_errors"]:
        parts.append(f"{s['socket_errors']} socket")
    return ", ".join(parts)
