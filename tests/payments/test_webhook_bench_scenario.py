"""The benchmark's webhook scenario measures the real path: its request is accepted and queued, not refused."""

import pytest

from benchmarks.scenarios import SCENARIOS

pytestmark = pytest.mark.django_db


def test_benchmark_webhook_request_is_accepted(client, eager_tasks):
    scenario = next(s for s in SCENARIOS if s.name == "payments-webhook")
    opts = dict(arg.split("=", 1) for arg in scenario.args)

    response = client.generic(
        opts["method"], scenario.path, opts["body"], content_type=opts["content_type"], REMOTE_ADDR="127.0.0.1"
    )

    assert response.status_code == 200
