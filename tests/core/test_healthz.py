from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from devtools.stack import _free_port
from storefront.celery import app as celery_app
from storefront.outbox.services import outbox_enqueue
from tests.accounts.factories import UserFactory
from tests.workers import celery_worker, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_celery_ping(settings):
    settings.STORE_HEALTH_CELERY_TIMEOUT = 0.3


@pytest.fixture
def staff_client(client):
    """Ops in the admin (password session): /healthz shows them every check's details."""
    client.force_login(UserFactory(is_staff=True))
    return client


def test_public_healthz_names_each_check_with_its_ok_flag_only(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": {"ok": True}, "redis": {"ok": True}, "celery": {"ok": False}, "outbox": {"ok": True}},
    }


def test_public_healthz_does_not_show_why_a_check_failed(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == {"ok": False}
    assert b"refused" not in response.content and b"127.0.0.1" not in response.content
    assert b"no worker" not in response.content


def test_a_failed_check_is_logged_with_its_details(client, settings, caplog):
    settings.REDIS_URL = f"redis://127.0.0.1:{_free_port()}/0"

    with caplog.at_level("WARNING", logger="storefront.health"):
        client.get("/healthz")

    (record,) = [r for r in caplog.records if r.name == "storefront.health"]
    assert record.getMessage() == "health check failed: celery, redis"
    assert "Connection refused" in record.health["redis"]["error"]
    assert record.health["celery"]["error"] == "no worker answered the ping"


def test_healthz_for_a_signed_in_shopper_is_the_public_one(client):
    client.force_login(UserFactory())

    assert client.get("/healthz").json()["checks"]["celery"] == {"ok": False}


def test_healthz_is_503_without_a_celery_worker_and_reports_database_and_redis_ok(staff_client):
    client = staff_client
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["celery"] == {
        "ok": False,
        "workers": 0,
        "error": "no worker answered the ping",
        "ms": body["checks"]["celery"]["ms"],
    }
    assert body["checks"]["outbox"] | {"ms": 0} == {"ok": True, "lag_seconds": 0.0, "pending": 0, "ms": 0}


def test_healthz_is_200_with_a_worker_running(staff_client, settings, tmp_path):
    client = staff_client
    settings.STORE_HEALTH_CELERY_TIMEOUT = 1.5  # a ping's reply over Redis can take most of a second
    # The worker consumes a queue of its own: it only has to answer the ping.
    with celery_worker(app="storefront", queues="healthz-probe", log=tmp_path / "worker.log"):
        wait_for(lambda: celery_app.control.ping(timeout=1.5), what="the worker to answer")

        response = client.get("/healthz")

    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["celery"]["workers"] == 1


def test_healthz_is_503_when_the_outbox_lags_behind(staff_client, settings):
    client = staff_client
    settings.STORE_OUTBOX_LAG_ALERT_SECONDS = 120
    with transaction.atomic():
        outbox_enqueue(
            task="storefront.outbox.tasks.outbox_cleanup",
            kwargs={},
            available_at=timezone.now() - timedelta(minutes=5),
        )

    outbox = client.get("/healthz").json()["checks"]["outbox"]

    assert (outbox["ok"], outbox["pending"]) == (False, 1)
    assert outbox["lag_seconds"] >= 300


def test_healthz_reports_a_redis_failure_as_503_not_500(staff_client, settings):
    client = staff_client
    settings.REDIS_URL = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False
    assert "Connection refused" in response.json()["checks"]["redis"]["error"]


def test_healthz_is_never_cached(client):
    assert "no-store" in client.get("/healthz")["Cache-Control"]
