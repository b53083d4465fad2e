import pytest
from django.core import mail

from storefront.notifications.models import Notification, Status
from storefront.notifications.services import notification_send
from storefront.notifications.tasks import notification_deliver
from tests.outbox.inline import run_outbox_jobs

pytestmark = pytest.mark.django_db

ORDER = {"number": "M-1001", "total": "1 299 ₽", "link": "http://127.0.0.1:8000/orders/M-1001/"}


def _queued(user, *, channel="sms", kind="order_placed", context=ORDER) -> Notification:
    return notification_send(key=f"{kind}:{channel}", kind=kind, channel=channel, to_user=user, context=context)


def test_delivery_sends_the_sms_and_marks_it_sent(customer, sms_outbox):
    notification = _queued(customer)

    run_outbox_jobs()

    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.error) == (Status.SENT, 1, "")
    assert notification.sent_at is not None
    assert sms_outbox == [(customer.phone, notification.text)]


def test_a_delivery_run_twice_sends_once(customer, sms_outbox):
    notification = _queued(customer)

    notification_deliver.apply(kwargs={"notification_id": notification.id})
    notification_deliver.apply(kwargs={"notification_id": notification.id})

    assert len(sms_outbox) == 1


def test_email_delivery_goes_through_djangos_mail_backend(english_customer):
    _queued(english_customer, channel="email")

    run_outbox_jobs()

    assert [(m.to, m.subject) for m in mail.outbox] == [(["jane@example.com"], "Order M-1001 is placed")]


def test_a_login_code_is_masked_in_the_record_once_sent(customer, sms_outbox):
    notification = _queued(customer, kind="login_code", context={"code": "123456"})

    run_outbox_jobs()

    notification.refresh_from_db()
    assert "123456" in sms_outbox[0][1]
    assert "123456" not in notification.text
    assert "••••••" in notification.text


def test_a_gateway_failure_is_retried_and_finally_marked_failed(customer, settings):
    settings.STORE_SMS_BACKEND = "tests.notifications.conftest.BrokenSmsBackend"
    notification = _queued(customer)

    notification_deliver.apply(kwargs={"notification_id": notification.id})

    notification.refresh_from_db()
    assert notification.status == Status.FAILED
    assert notification.attempts == notification_deliver.max_retries + 1
    assert notification.error == "ConnectionError: gateway timeout"
