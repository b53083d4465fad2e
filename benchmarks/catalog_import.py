"""Time `manage.py import_catalog` on a generated 100,000-offer YML feed, with its memory (target: < 3 min, flat).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/store_bench_catalog_import REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python -m benchmarks.catalog_import [--offers 100000] [--again]

Empties the database's catalog first (TRUNCATE … CASCADE: the database must be the import bench's own),
migrates it, loads the CBR sample rates, writes the feed with `storefront.catalog.feeds.generate` (the same file
for the same count) to var/bench/, then runs the import as ops would, in its own process, sampling its RSS every
0.5 s. `--again` imports the same file a second time (every offer "unchanged"). Waits for a quiet machine first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import cpu

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 180.0


def _rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def timed_import(feed: Path, env: dict[str, str]) -> dict:
    busy = cpu.wait_until_quiet(threshold=0.15, timeout=60)
    cmd = [sys.executable, "manage.py", "import_catalog", str(feed)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    samples: list[tuple[float, int]] = []
    while proc.poll() is None:
        rss = _rss_kb(proc.pid)
        if rss:
            samples.append((time.perf_counter() - started, rss))
        time.sleep(0.5)
    seconds = time.perf_counter() - started
    summary = (proc.stdout.read() if proc.stdout else "").strip().splitlines()
    if proc.returncode:
        sys.exit(f"import failed ({proc.returncode}): {summary[-5:]}")
    quarters = [samples[min(len(samples) - 1, len(samples) * q // 4)][1] // 1024 for q in (1, 2, 3)] if samples else []
    return {
        "seconds": round(seconds, 1),
        "busy_before": busy,
        "rss_peak_mb": max(s[1] for s in samples) // 1024 if samples else None,
        "rss_quarters_mb": quarters,
        "rss_last_mb": samples[-1][1] // 1024 if samples else None,
        "summary": summary[-1] if summary else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.catalog_import")
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--again", action="store_true", help="then import the same file again (all unchanged)")
    args = parser.parse_args(argv)
    if "import" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("DATABASE_URL must name the import bench's own database (…/store_bench_catalog_import): it is emptied")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    manage("migrate", "-v0", env=env)
    empty = (
        "from django.db import connection; connection.cursor().execute("
        "'TRUNCATE catalog_product, catalog_category, catalog_brand, catalog_searchword CASCADE')"
    )
    manage("shell", "-c", empty, env=env)
    manage("update_fx_rates", str(ROOT / "storefront/catalog/fixtures/cbr_sample.xml"), env=env)
    feed = ROOT / "var" / "bench" / f"feed-{args.offers}.yml"
    feed.parent.mkdir(parents=True, exist_ok=True)
    if not feed.exists():
        generate = [sys.executable, "-m", "storefront.catalog.feeds.generate", str(feed), str(args.offers)]
        subprocess.run(generate, cwd=ROOT, check=True)
    runs = [("first import", timed_import(feed, env))]
    if args.again:
        runs.append(("same file again", timed_import(feed, env)))
    for label, run in runs:
        verdict = "met" if run["seconds"] < TARGET_S else "MISSED"
        print(f"{label}: {run['seconds']} s (target < {TARGET_S:.0f} s: {verdict}); RSS peak {run['rss_peak_mb']} MB")
        print(f"  at the quarters {run['rss_quarters_mb']} MB, at the end {run['rss_last_mb']} MB")
        print(f"  busy before {run['busy_before']}; {run['summary']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
