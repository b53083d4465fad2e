"""Paying for an order by card, SBP and pay later: checkout -> the sandbox over HTTP -> webhooks -> the order."""

import logging

import pytest
from django.urls import reverse

from orders.models import OrderStatus
from orders.selectors import order_get_by_guest_token, order_guest_token_make, order_path
from orders.services import order_cancel
from payments.models import EventSource, PaymentStatus, RefundStatus
from tests.outbox.inline import run_outbox_jobs

from .journeys import checkout, sku_for, webhook
from .sandbox_client import call, resolve

pytestmark = pytest.mark.django_db


def _pay_url(order) -> str:
    return reverse("payments:guest_pay", kwargs={"token": order_guest_token_make(order=order)})


def test_card_order_goes_to_the_provider_page_and_awaits_payment(client, payment_sandbox, settings):
    response, order = checkout(client, "card")

    order.refresh_from_db()
    payment = order.payments.get()
    remote = payment_sandbox.state.payments[payment.provider_payment_id]
    assert response["Location"] == payment.confirmation_url
    assert payment.confirmation_url.startswith(f"{payment_sandbox.base_url}/checkout/")
    assert (order.status, payment.status, payment.capture) == (
        OrderStatus.AWAITING_PAYMENT,
        PaymentStatus.PENDING,
        True,
    )
    assert (remote.method, remote.amount, remote.capture) == ("bank_card", order.total, True)
    assert remote.return_url.startswith(f"{settings.STORE_BASE_URL}/orders/guest/")  # back to the order page
    assert order_get_by_guest_token(token=remote.return_url.rstrip("/").rsplit("/", 1)[1]) == order


@pytest.mark.parametrize(("method", "provider_type"), [("card", "bank_card"), ("sbp", "sbp")])
def test_paid_in_the_sandbox_the_webhook_marks_the_order_paid(
    client, payment_sandbox, eager_tasks, method, provider_type
):
    _, order = checkout(client, method)
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)

    assert webhook(client, "payment.succeeded", payment.provider_payment_id).status_code == 200

    order.refresh_from_db()
    payment.refresh_from_db()
    assert payment_sandbox.state.payments[payment.provider_payment_id].method == provider_type
    assert (order.status, payment.status) == (OrderStatus.PAID, PaymentStatus.SUCCEEDED)
    assert order.status_changes.last().actor_label == "webhook"
    assert payment.events.last().source == EventSource.WEBHOOK


def test_declined_payment_leaves_the_order_awaiting_payment_with_the_reason(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "card")
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, "canceled", reason="insufficient_funds", notify=False)

    webhook(client, "payment.canceled", payment.provider_payment_id, status="canceled")

    order.refresh_from_db()
    html = client.get(order_path(order=order)).content.decode()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert "Недостаточно средств" in html
    assert 'id="pay-button"' in html


def test_paying_again_with_another_method_opens_a_new_attempt(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "card")
    first = order.payments.get()
    resolve(payment_sandbox, first.provider_payment_id, "canceled", notify=False)
    webhook(client, "payment.canceled", first.provider_payment_id, status="canceled")

    response = client.post(_pay_url(order), {"method": "sbp"})

    second = order.payments.exclude(pk=first.pk).get()
    assert response["Location"] == second.confirmation_url
    assert (second.method, second.status) == ("sbp", PaymentStatus.PENDING)
    assert second.idempotence_key != first.idempotence_key


def test_duplicated_webhook_marks_the_order_paid_once(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "card")
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)

    for _ in range(3):
        assert webhook(client, "payment.succeeded", payment.provider_payment_id).status_code == 200

    assert order.status_changes.filter(to_status=OrderStatus.PAID).count() == 1
    assert payment.events.filter(to_status=PaymentStatus.SUCCEEDED).exclude(from_status="succeeded").count() == 1


def test_late_webhook_of_a_declined_first_attempt_leaves_the_order_paid(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "card")
    first = order.payments.get()
    resolve(payment_sandbox, first.provider_payment_id, "canceled", notify=False)  # its webhook is late
    client.post(_pay_url(order), {"method": "sbp"})
    second = order.payments.exclude(pk=first.pk).get()
    resolve(payment_sandbox, second.provider_payment_id, notify=False)
    webhook(client, "payment.succeeded", second.provider_payment_id)

    webhook(client, "payment.canceled", first.provider_payment_id, status="canceled")

    order.refresh_from_db()
    first.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert first.status == PaymentStatus.CANCELED


def test_webhook_older_than_the_provider_state_changes_nothing(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "card")
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)
    webhook(client, "payment.succeeded", payment.provider_payment_id)

    webhook(client, "payment.waiting_for_capture", payment.provider_payment_id, status="waiting_for_capture")

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.PAID, PaymentStatus.SUCCEEDED)


def test_webhook_for_an_unknown_payment_is_acknowledged_and_changes_nothing(
    client, payment_sandbox, eager_tasks, caplog
):
    _, order = checkout(client, "card")

    with caplog.at_level(logging.WARNING, logger="payments"):
        response = webhook(client, "payment.succeeded", "2f1c8c1e-0000-4000-8000-000000000000")

    order.refresh_from_db()
    assert response.status_code == 200
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert "unknown payment" in caplog.text


def test_forged_webhook_changes_nothing_and_is_logged(client, payment_sandbox, eager_tasks, caplog):
    _, order = checkout(client, "card")
    payment = order.payments.get()  # still pending at the provider

    with caplog.at_level(logging.WARNING, logger="payments"):
        webhook(client, "payment.succeeded", payment.provider_payment_id)

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.AWAITING_PAYMENT, PaymentStatus.PENDING)
    assert "not confirmed" in caplog.text
    assert payment.events.last().note == "unconfirmed webhook payment.succeeded: provider says pending"


def test_webhook_from_outside_the_allowlist_changes_nothing(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "card")
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)

    assert webhook(client, "payment.succeeded", payment.provider_payment_id, address="203.0.113.7").status_code == 403

    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT


@pytest.mark.parametrize("fault", [{"status": 202}, {"kind": "drop"}, {"status": 503}])
def test_provider_timeout_on_create_keeps_the_order_and_the_retry_charges_once(client, payment_sandbox, fault):
    # every attempt of the first create is processed by the provider, and its answer lost
    call(payment_sandbox, "POST", "/sandbox/faults", {"path": "/v3/payments", "process": True, "times": 4, **fault})

    response, order = checkout(client, "card")

    order.refresh_from_db()
    payment = order.payments.get()
    html = client.get(order_path(order=order)).content.decode()
    assert response["Location"].endswith("placed=1")
    assert (order.status, payment.status) == (OrderStatus.AWAITING_PAYMENT, PaymentStatus.NEW)
    assert "Платёжный сервис не ответил" in html
    assert "Попробовать ещё раз" in html

    response = client.post(_pay_url(order), {"method": "card"})

    payment.refresh_from_db()
    assert response["Location"] == payment.confirmation_url
    assert payment.status == PaymentStatus.PENDING
    assert list(payment_sandbox.state.payments) == [payment.provider_payment_id]


def test_pay_later_is_approved_held_captured_and_the_order_paid(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "pay_later", sku=sku_for("3000.00"))
    payment = order.payments.get()
    assert payment_sandbox.state.payments[payment.provider_payment_id].method == "sber_bnpl"
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)  # the lender approved: held

    webhook(client, "payment.waiting_for_capture", payment.provider_payment_id, status="waiting_for_capture")
    payment.refresh_from_db()
    assert (payment.capture, payment.status) == (False, PaymentStatus.WAITING_FOR_CAPTURE)
    run_outbox_jobs()  # the capture

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.PAID, PaymentStatus.SUCCEEDED)
    assert payment_sandbox.state.payments[payment.provider_payment_id].status == "succeeded"


def test_pay_later_refused_by_the_lender_leaves_the_order_awaiting_payment(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "pay_later", sku=sku_for("3000.00"))
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, "canceled", reason="general_decline", notify=False)

    webhook(client, "payment.canceled", payment.provider_payment_id, status="canceled")

    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert "Банк отклонил платёж" in client.get(order_path(order=order)).content.decode()


def test_pay_later_hold_is_released_when_the_order_was_cancelled_meanwhile(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "pay_later", sku=sku_for("3000.00"))
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)
    webhook(client, "payment.waiting_for_capture", payment.provider_payment_id, status="waiting_for_capture")
    order_cancel(order=order, actor="system", reason="Покупатель передумал")

    run_outbox_jobs()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED
    assert payment_sandbox.state.payments[payment.provider_payment_id].cancellation["reason"] == "canceled_by_merchant"


def test_expired_pay_later_hold_cancels_the_payment_and_the_order_keeps_waiting(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "pay_later", sku=sku_for("3000.00"))
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)
    call(payment_sandbox, "POST", "/sandbox/clock", {"advance_seconds": 8 * 24 * 3600})  # past the 7-day hold

    webhook(client, "payment.canceled", payment.provider_payment_id, status="canceled")

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.AWAITING_PAYMENT, PaymentStatus.CANCELED)
    assert payment.cancellation_reason == "expired_on_capture"


def test_pay_later_below_its_range_is_not_offered_at_checkout(client, payment_sandbox):
    client.post("/cart/add/", {"sku": sku_for("500.00").pk, "quantity": 1})
    for step in ({"step": "contact", "contact_phone": "+79161234567", "recipient_name": "Анна"},):
        client.post("/checkout/", step)

    response = client.post(
        "/checkout/",
        {"step": "address", "postcode": "101000", "city": "Москва", "street": "Мясницкая", "house": "1"},
    )
    client.post("/checkout/", {"step": "delivery", "delivery_method": "post_pickup"})  # 500 + 299 < 1 000
    response = client.post("/checkout/", {"step": "payment", "payment_method": "pay_later"})

    assert response.status_code == 200
    assert "Выберите способ оплаты." in response.content.decode()


def test_pay_later_shows_its_four_parts_at_checkout(client, payment_sandbox):
    client.post("/cart/add/", {"sku": sku_for("2701.00").pk, "quantity": 1})
    client.post("/checkout/", {"step": "contact", "contact_phone": "+79161234567", "recipient_name": "Анна"})
    client.post("/checkout/", {"step": "address", "postcode": "101000", "city": "Москва", "street": "М", "house": "1"})
    client.post("/checkout/", {"step": "delivery", "delivery_method": "post_pickup"})  # 2 701 + 299 = 3 000

    html = client.get("/checkout/?step=payment").content.decode()

    assert "4 платежа по 750\u00a0₽: сегодня," in html
    assert "Оплата частями — 4 платежа" in html


def test_payment_that_succeeds_for_a_cancelled_order_is_refunded(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "card")
    payment = order.payments.get()
    order_cancel(order=order, actor="system", reason="Не оплачен вовремя")
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)  # paid at the last second

    webhook(client, "payment.succeeded", payment.provider_payment_id)
    run_outbox_jobs()

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.refunds.get().status == RefundStatus.SUCCEEDED
    assert payment_sandbox.state.payments[payment.provider_payment_id].refunded == payment.amount
