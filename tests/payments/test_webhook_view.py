"""The notifications endpoint: allow-list, shape, then the work re-reads the provider (Celery eager here)."""

import json

import pytest

from payments.models import EventSource, PaymentStatus

from .conftest import wait_until
from .factories import started_payment
from .sandbox_client import resolve

URL = "/payments/webhook/"


def notify(client, event: str, object_id: str, *, address: str = "127.0.0.1", status: str = "succeeded"):
    body = {"type": "notification", "event": event, "object": {"id": object_id, "status": status}}
    return client.post(URL, json.dumps(body), content_type="application/json", REMOTE_ADDR=address)


@pytest.mark.django_db
def test_webhook_from_outside_the_allowlist_is_refused(client):
    assert notify(client, "payment.succeeded", "x", address="203.0.113.9").status_code == 403


def ignored_event(client, *, remote_addr: str, forwarded_for: str):
    """A deal.* notification: acknowledged (200) when the sender is allowed, without queueing any work."""
    body = json.dumps({"type": "notification", "event": "deal.closed", "object": {"id": "x"}})
    return client.post(
        URL, body, content_type="application/json", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for
    )


@pytest.mark.django_db
def test_webhook_with_a_forged_forwarded_for_is_refused(client, settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 0
    assert ignored_event(client, remote_addr="203.0.113.9", forwarded_for="185.71.76.1").status_code == 403


@pytest.mark.django_db
def test_webhook_behind_our_proxy_is_judged_by_the_address_the_proxy_saw(client, settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 1
    forged = ignored_event(client, remote_addr="10.0.0.2", forwarded_for="185.71.76.1, 192.0.2.66")
    provider = ignored_event(client, remote_addr="10.0.0.2", forwarded_for="192.0.2.66, 185.71.76.1")
    assert (forged.status_code, provider.status_code) == (403, 200)


@pytest.mark.django_db
def test_the_allowlist_is_read_from_settings(client, settings):
    settings.STORE_YOOKASSA_WEBHOOK_ALLOWLIST = ["203.0.113.0/28"]

    inside = ignored_event(client, remote_addr="203.0.113.9", forwarded_for="")
    outside = ignored_event(client, remote_addr="203.0.113.17", forwarded_for="")
    provider_default = ignored_event(client, remote_addr="185.71.76.1", forwarded_for="")

    assert (inside.status_code, outside.status_code, provider_default.status_code) == (200, 403, 403)


@pytest.mark.django_db
def test_malformed_webhook_is_refused(client):
    response = client.post(URL, b"{not json", content_type="application/json", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 400


@pytest.mark.django_db
def test_events_we_do_not_handle_are_acknowledged(client):
    assert notify(client, "payout.succeeded", "po-1").status_code == 200


@pytest.mark.django_db
def test_webhook_settles_the_payment_from_the_provider_state(client, payment_sandbox, eager_tasks):
    payment = started_payment()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)

    response = notify(client, "payment.succeeded", payment.provider_payment_id)

    payment.refresh_from_db()
    assert response.status_code == 200
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.events.last().source == EventSource.WEBHOOK


@pytest.mark.django_db(transaction=True)
def test_sandbox_webhook_reaches_the_store_and_settles_the_payment(live_server, payment_sandbox, eager_tasks):
    payment_sandbox.notifier.url = f"{live_server.url}{URL}"
    payment = started_payment()

    resolve(payment_sandbox, payment.provider_payment_id)

    assert wait_until(lambda: any(d["delivered"] for d in payment_sandbox.notifier.snapshot()))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
