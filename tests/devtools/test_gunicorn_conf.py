"""gunicorn.conf.py: production's worker count."""

import os
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_two_sync_workers_per_core_unless_web_concurrency_says(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert runpy.run_path(str(CONF))["workers"] == 2 * len(os.sched_getaffinity(0))

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(CONF))["workers"] == 3
