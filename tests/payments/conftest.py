"""The payment sandbox on a free port for the whole run, reset for each test, and a tiny webhook receiver."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from payments.sandbox import SANDBOX_SECRET_KEY, SANDBOX_SHOP_ID, SandboxServer
from storefront.celery import app as celery_app

WAIT = 10.0  # seconds to wait for something that happens in another thread; never a measured time


def wait_until(predicate, timeout: float = WAIT) -> bool:
    """True as soon as `predicate()` is; False if it still is not after `timeout` (a bound, not a measurement)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture(scope="session")
def _sandbox_server():
    server = SandboxServer(
        shop_id=SANDBOX_SHOP_ID,
        secret_key=SANDBOX_SECRET_KEY,
        notify_url=None,
        webhook_backoff=0.05,
        webhook_retry_for=30,
    ).start()
    yield server
    server.stop()


@pytest.fixture
def payment_sandbox(_sandbox_server, settings):
    """A clean sandbox; the store's settings point the provider client at it."""
    _sandbox_server.reset()
    _sandbox_server.notifier.url = None
    _sandbox_server.notifier.enabled = True
    settings.STORE_YOOKASSA_API_URL = _sandbox_server.api_url
    settings.STORE_YOOKASSA_SHOP_ID = SANDBOX_SHOP_ID
    settings.STORE_YOOKASSA_SECRET_KEY = SANDBOX_SECRET_KEY
    yield _sandbox_server
    _sandbox_server.reset()


class WebhookReceiver:
    """Collects POSTed notifications; answers the queued statuses first, then 200."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.statuses: list[int] = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._cond:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.received.append({"status": status, "body": json.loads(body)})
                    receiver._cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/payments/webhook/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait_for(self, count: int) -> list[dict]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.received) >= count, timeout=WAIT)
            return list(self.received)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def webhook_receiver(payment_sandbox):
    receiver = WebhookReceiver()
    payment_sandbox.notifier.url = receiver.url
    yield receiver
    receiver.close()


@pytest.fixture
def eager_tasks():
    """Celery tasks run inline where they are queued (`.delay()`), as a worker would run them at once."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_eager_propagates = False
