"""Who used the CPUs during a wrk run: the benchmark (gunicorn, wrk, the bench database's backends) or others.

On a shared 2-core machine another process's test run halves the figures; this makes that visible per run
(Linux /proc only; elsewhere the figures are None).
"""

from __future__ import annotations

import contextlib
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot."""
    values = [int(v) for v in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def _process_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (ppid, utime + stime ticks, command line)."""
    table = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            rest = stat[stat.rfind(")") + 2 :].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            table[int(entry.name)] = (int(rest[1]), int(rest[11]) + int(rest[12]), cmdline)
    return table


def _children_ticks() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has been waited for
    return (usage.ru_utime + usage.ru_stime) * TICKS


@dataclass
class _Snapshot:
    busy: int
    total: int
    ours: dict[int, int]
    children: float


class CpuMeter:
    """Snapshot before and after a run; `share()` says how much of the machine we and others used."""

    def __init__(self, *, server_pid: int, database: str) -> None:
        self.server_pid = server_pid
        self.backend_marker = f" {database} "  # PostgreSQL backends' process title: "postgres: … user db host state"

    def _ours(self) -> dict[int, int]:
        table = _process_table()
        return {
            pid: ticks
            for pid, (ppid, ticks, cmdline) in table.items()
            if self.server_pid in (pid, ppid) or (cmdline.startswith("postgres:") and self.backend_marker in cmdline)
        }

    def snapshot(self) -> _Snapshot | None:
        try:
            busy, total = _machine_ticks()
            return _Snapshot(busy, total, self._ours(), _children_ticks())
        except (OSError, ValueError, IndexError):
            return None

    @staticmethod
    def share(before: _Snapshot | None, after: _Snapshot | None) -> dict[str, float] | None:
        """Fractions of all CPUs over the run: busy in total, by the benchmark, by everything else."""
        if before is None or after is None or after.total <= before.total:
            return None
        total = after.total - before.total
        busy = after.busy - before.busy
        ours = sum(t - before.ours.get(pid, 0) for pid, t in after.ours.items()) + (after.children - before.children)
        return {
            "busy": round(busy / total, 3),
            "bench": round(min(ours, busy) / total, 3),
            "others": round(max(busy - ours, 0) / total, 3),
        }


def machine_busy(seconds: float = 1.0) -> float | None:
    try:
        busy0, total0 = _machine_ticks()
        time.sleep(seconds)
        busy1, total1 = _machine_ticks()
    except (OSError, ValueError, IndexError):
        return None
    return round((busy1 - busy0) / max(total1 - total0, 1), 3)


def wait_until_quiet(*, threshold: float, timeout: float) -> float | None:
    """Wait (bounded) until other work leaves the machine below `threshold` busy; the last reading."""
    deadline = time.monotonic() + timeout
    busy = machine_busy()
    while busy is not None and busy > threshold and time.monotonic() < deadline:
        busy = machine_busy()
    return busy
