import pytest
from django.db import transaction

from storefront.notifications.exceptions import MissingContext, UnknownKind
from storefront.notifications.kinds import Category, Channel
from storefront.notifications.models import Notification, Status
from storefront.notifications.services import notification_preferences_update, notification_send
from storefront.outbox.models import OutboxJob

pytestmark = pytest.mark.django_db

ORDER = {"number": "M-1001", "total": "1 299 ₽", "link": "http://127.0.0.1:8000/orders/M-1001/"}


def _send(user, *, key="order-placed:M-1001", kind="order_placed", channel="sms", **extra):
    return notification_send(key=key, kind=kind, channel=channel, to_user=user, context=extra.pop("context", ORDER))


def test_send_records_the_notification_and_queues_its_delivery_in_the_outbox(customer):
    notification = _send(customer)

    assert (notification.status, notification.phone, notification.language) == (Status.QUEUED, customer.phone, "ru")
    assert (
        notification.text
        == "Заказ M-1001 оформлен на сумму 1 299 ₽. Статус заказа: http://127.0.0.1:8000/orders/M-1001/"
    )
    job = OutboxJob.objects.get()
    assert (job.task, job.kwargs, job.queue) == (
        "storefront.notifications.tasks.notification_deliver",
        {"notification_id": notification.id},
        "notifications",
    )


def test_a_second_send_with_the_same_key_returns_the_first_and_queues_nothing(customer):
    first = _send(customer)
    second = _send(customer, context={**ORDER, "total": "9 999 ₽"})

    assert second.id == first.id
    assert Notification.objects.count() == 1
    assert OutboxJob.objects.count() == 1


def test_send_renders_in_the_customers_language(english_customer):
    notification = _send(english_customer)

    assert notification.language == "en"
    assert notification.text.startswith("Order M-1001 is placed, total 1 299 ₽.")


def test_email_gets_a_subject_and_a_body_in_the_customers_language(english_customer):
    notification = _send(english_customer, key="order-placed:M-1001:email", channel="email")

    assert (notification.email, notification.subject) == ("jane@example.com", "Order M-1001 is placed")
    assert "We have received your order M-1001" in notification.text
    assert "Notification settings: http://" in notification.text


def test_an_explicit_phone_wins_over_the_customers_own(customer):
    notification = notification_send(
        key="k", kind="order_placed", channel="sms", to_user=customer, phone="+79031112233", context=ORDER
    )
    assert notification.phone == "+79031112233"


def test_a_customer_who_opted_out_is_recorded_as_skipped_and_nothing_is_queued(customer):
    notification_preferences_update(user=customer, actor=customer, choices={(Channel.SMS, Category.SERVICE): False})

    notification = _send(customer)

    assert notification.status == Status.SKIPPED_OPT_OUT
    assert not OutboxJob.objects.exists()


def test_a_login_code_reaches_a_customer_who_opted_out_of_everything(customer):
    notification_preferences_update(
        user=customer,
        actor=customer,
        choices={(Channel.SMS, Category.SERVICE): False, (Channel.SMS, Category.MARKETING): False},
    )

    notification = _send(customer, key="login:1", kind="login_code", context={"code": "123456"})

    assert notification.status == Status.QUEUED
    assert "123456" in notification.text


def test_marketing_is_not_sent_until_the_customer_opts_in(customer):
    promo = {"title": "Скидки на наушники", "link": "http://127.0.0.1:8000/sale/"}
    assert _send(customer, key="promo:1", kind="promo", context=promo).status == Status.SKIPPED_OPT_OUT

    notification_preferences_update(user=customer, actor=customer, choices={(Channel.SMS, Category.MARKETING): True})

    assert _send(customer, key="promo:2", kind="promo", context=promo).status == Status.QUEUED


def test_an_email_to_a_customer_without_an_address_is_recorded_as_failed(customer):
    customer.email = ""

    notification = _send(customer, channel="email")

    assert (notification.status, notification.error) == (Status.FAILED, "no email address")
    assert not OutboxJob.objects.exists()


def test_a_rolled_back_caller_leaves_neither_the_notification_nor_its_job(customer):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send(customer)
        raise RuntimeError("the order could not be placed")

    assert not Notification.objects.exists()
    assert not OutboxJob.objects.exists()


def test_an_unknown_kind_or_channel_fails_loudly(customer):
    with pytest.raises(UnknownKind):
        _send(customer, kind="order_teleported")
    with pytest.raises(UnknownKind):
        _send(customer, kind="login_code", channel="email")


def test_a_missing_context_value_fails_loudly_instead_of_sending_a_gap(customer):
    with pytest.raises(MissingContext, match="needs link"):
        _send(customer, context={"number": "M-1001", "total": "1 299 ₽"})
