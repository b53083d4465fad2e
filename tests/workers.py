"""Real Celery workers for tests: a subprocess against a given broker and the test database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from devtools.stack import EmbeddedRedis, postgres_url

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    db = connection.settings_dict
    return postgres_url(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        name=db["NAME"],
        user=db["USER"] or "",
        password=db.get("PASSWORD") or "",
    )


def wait_for(condition: Callable[[], object], *, what: str, deadline: float = 30.0):
    """Poll until condition() is truthy; the deadline only bounds a failure, nothing is timed."""
    give_up = time.monotonic() + deadline
    while True:
        value = condition()
        if value or time.monotonic() > give_up:
            assert value, f"gave up waiting for {what}"
            return value
        time.sleep(0.05)


@contextlib.contextmanager
def celery_worker(*, app: str, queues: str, log: Path, broker_url: str | None = None) -> Iterator[None]:
    """`celery -A <app> worker` (solo pool) on the test database; stopped (warm shutdown) on exit."""
    env = dict(os.environ, DATABASE_URL=test_database_url(), DJANGO_SETTINGS_MODULE="storefront.settings.test")
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    args = [sys.executable, "-m", "celery", "-A", app, "worker", "-P", "solo", "-Q", queues, "-l", "INFO"]
    args += ["--without-heartbeat", "--without-mingle", "--without-gossip", "-n", f"test-{os.getpid()}@%h"]
    with open(log, "ab") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Broker:
    """Our own Redis on a spare loopback port (never the machine's), stoppable and restartable on that port."""

    def __init__(self, var: Path):
        self.var = var
        self.redis = EmbeddedRedis(var=var, name="broker")
        self.url = self.redis.start()
        self.port = self.redis.port

    def stop(self) -> None:
        self.redis.stop()

    def start(self) -> None:
        self.redis = EmbeddedRedis(var=self.var, name="broker", port=self.port)
        self.redis.start()


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path)
    yield b
    b.stop()


@pytest.fixture
def relay_app(broker):
    """The store's Celery configuration, publishing to the test broker."""
    from storefront.celery import app as store_app

    app = Celery("relay-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = broker.url
    app.conf.task_routes = store_app.conf.task_routes
    yield app
    app.close()
