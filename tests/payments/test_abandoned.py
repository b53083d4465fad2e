"""Orders that wait for payment: one reminder after the delay, cancellation (stock back) after the longer one."""

from datetime import timedelta

import pytest

from orders.models import OrderStatus
from payments.abandoned import orders_abandoned_cancel, payment_reminders_send
from payments.models import PaymentStatus
from storefront.notifications.models import Notification
from tests.outbox.inline import run_outbox_jobs

from .journeys import checkout, sku_for
from .sandbox_client import call, resolve

pytestmark = pytest.mark.django_db


def test_order_waiting_for_payment_gets_one_reminder_after_the_delay(client, payment_sandbox, settings):
    settings.STORE_PAYMENT_REMINDER_MINUTES = 30
    _, order = checkout(client, "card")
    later = order.placed_at + timedelta(minutes=31)

    assert payment_reminders_send(now=later) == 1
    assert payment_reminders_send(now=later) == 0

    sms = Notification.objects.get(key=f"payment_reminder:{order.number}:sms")
    assert order.number in sms.text
    assert "/orders/guest/" in sms.text


def test_no_reminder_before_the_delay(client, payment_sandbox, settings):
    settings.STORE_PAYMENT_REMINDER_MINUTES = 30
    _, order = checkout(client, "card")

    assert payment_reminders_send(now=order.placed_at + timedelta(minutes=29)) == 0


def test_unpaid_order_is_cancelled_after_the_abandon_delay_and_its_stock_released(client, payment_sandbox, settings):
    settings.STORE_PAYMENT_ABANDON_HOURS = 24
    sku = sku_for(stock=5)
    _, order = checkout(client, "card", sku=sku, quantity=2)
    sku.refresh_from_db()
    assert sku.stock == 3

    assert orders_abandoned_cancel(now=order.placed_at + timedelta(hours=23)) == 0
    assert orders_abandoned_cancel(now=order.placed_at + timedelta(hours=25)) == 1

    order.refresh_from_db()
    sku.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.status_changes.last().reason == "Не оплачен за 24 ч"
    assert sku.stock == 5


def test_abandonment_finds_a_payment_whose_webhook_was_lost(client, payment_sandbox, settings):
    _, order = checkout(client, "card")
    resolve(payment_sandbox, order.payments.get().provider_payment_id, notify=False)

    assert orders_abandoned_cancel(now=order.placed_at + timedelta(hours=25)) == 0

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_held_pay_later_payment_is_captured_not_abandoned(client, payment_sandbox, settings):
    _, order = checkout(client, "pay_later", sku=sku_for("3000.00"))
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)  # approved, held; not captured yet

    assert orders_abandoned_cancel(now=order.placed_at + timedelta(hours=25)) == 0
    run_outbox_jobs()  # the capture

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.PAID, PaymentStatus.SUCCEEDED)


def test_provider_down_during_abandonment_cancels_nothing(client, payment_sandbox, settings):
    _, order = checkout(client, "card")
    call(payment_sandbox, "POST", "/sandbox/faults", {"method": "GET", "path": "/v3/payments/", "times": 50})

    assert orders_abandoned_cancel(now=order.placed_at + timedelta(hours=25)) == 0

    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT


def test_both_delays_follow_the_settings(client, payment_sandbox, settings):
    settings.STORE_PAYMENT_REMINDER_MINUTES = 10
    settings.STORE_PAYMENT_ABANDON_HOURS = 2
    _, order = checkout(client, "card")

    assert payment_reminders_send(now=order.placed_at + timedelta(minutes=9)) == 0
    assert payment_reminders_send(now=order.placed_at + timedelta(minutes=11)) == 1
    assert orders_abandoned_cancel(now=order.placed_at + timedelta(minutes=119)) == 0
    assert orders_abandoned_cancel(now=order.placed_at + timedelta(minutes=121)) == 1

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.status_changes.last().reason == "Не оплачен за 2 ч"
