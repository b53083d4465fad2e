"""The postal sandbox on a free port for the whole run, reset for each test; settings point the clients at it."""

from __future__ import annotations

import json
import urllib.request

import pytest

from logistics.postal.breaker import CircuitBreaker
from logistics.postal.sandbox import SANDBOX_LOGIN, SANDBOX_PASSWORD, SANDBOX_TOKEN, PostSandboxServer


class SandboxControl:
    """The sandbox's JSON control endpoints, over HTTP like everything else."""

    def __init__(self, server: PostSandboxServer) -> None:
        self.server = server
        self.base_url = server.base_url

    def call(self, method: str, path: str, body=None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> dict:
        return self.call("POST", "/sandbox/clock", {"advance_seconds": days * 86400 + hours * 3600 + minutes * 60})

    def parcel(self, barcode: str, **fields) -> dict:
        return self.call("POST", "/sandbox/parcels", {"barcode": barcode, **fields})

    def operations(self, barcode: str) -> list[dict]:
        return self.call("GET", f"/sandbox/parcels/{barcode}")["operations"]

    def fault(self, fault: str, **options) -> dict:
        return self.call("POST", "/sandbox/faults", {"fault": fault, **options})

    def stats(self) -> dict:
        return self.call("GET", "/sandbox/stats")


@pytest.fixture(scope="session")
def _post_sandbox_server():
    server = PostSandboxServer(login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD, token=SANDBOX_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def post_sandbox(_post_sandbox_server, settings):
    """A clean sandbox (clock keeps running, never rewound) with the store's clients pointed at it."""
    server = _post_sandbox_server
    server.state.reset()
    settings.STORE_POST_SINGLE_URL = server.single_url
    settings.STORE_POST_BATCH_URL = server.batch_url
    settings.STORE_POST_OTPRAVKA_URL = server.otpravka_url
    settings.STORE_POST_RETRY_BACKOFF = 0.001
    for service in ("single", "batch", "otpravka"):
        CircuitBreaker(service, failures=1, seconds=1).reset()
    yield SandboxControl(server)
    server.state.reset()
