"""End to end: a notification committed, relayed to a real broker, delivered by a real worker process."""

import pytest
from django.db import transaction

from storefront.notifications.models import Notification, Status
from storefront.notifications.services import notification_send
from storefront.outbox.services import outbox_relay
from tests.workers import celery_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_committed_notification_is_delivered_by_a_worker_on_the_notifications_queue(
    customer, broker, relay_app, tmp_path
):
    with transaction.atomic():
        notification = notification_send(
            key="order-shipped:M-1",
            kind="order_shipped",
            channel="sms",
            to_user=customer,
            context={"number": "M-1", "tracking": "RA123456789CN", "link": "http://127.0.0.1:8000/orders/M-1/"},
        )
    outbox_relay(celery_app=relay_app)

    with celery_worker(app="storefront", queues="notifications", broker_url=broker.url, log=tmp_path / "w.log"):
        wait_for(
            lambda: Notification.objects.filter(id=notification.id, status=Status.SENT).exists(),
            what="the notification to be sent",
        )
