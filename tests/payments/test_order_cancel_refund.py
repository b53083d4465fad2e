"""An order cancelled after it was paid gives the money back (payments/cancel.py: order_cancelled_refund, run through
the outbox when order_cancel commits): all that is left to refund, through the provider (the sandbox over HTTP), keyed
by the cancellation so that a job run again refunds nothing more; the shopper is told once; the order page shows it."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.test import Client

from orders.models import OrderStatus
from orders.selectors import order_path
from orders.services import order_cancel
from payments.cod import cod_collected
from payments.models import BankTransferRefundRequest, EventSource, PaymentStatus, Refund, RefundStatus
from payments.refunds import order_refund
from payments.sandbox.state import Fault
from payments.selectors import order_payment_state
from storefront.celery import app
from storefront.core.money import format_money
from storefront.notifications.models import Notification
from storefront.outbox.models import OutboxJob
from tests.accounts.factories import UserFactory
from tests.outbox.inline import run_outbox_jobs

from .factories import cod_payment
from .journeys import checkout, sku_for, webhook
from .sandbox_client import resolve

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/orders/order/"
TASK = "payments.tasks.order_cancelled_refund_process"


@pytest.fixture
def staff_client():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="support"))
    staff = Client()
    staff.force_login(user)
    staff.user = user
    return staff


def _card_paid(client, sandbox, price: str = "1000.00"):
    """A shopper's card order through checkout, paid in the sandbox and settled by its webhook."""
    _, order = checkout(client, "card", sku=sku_for(price))
    payment = order.payments.get()
    resolve(sandbox, payment.provider_payment_id, notify=False)
    webhook(client, "payment.succeeded", payment.provider_payment_id)
    run_outbox_jobs()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order, payment


def _admin_cancel(staff, order, reason: str) -> None:
    staff.post(CHANGELIST, {"action": "cancel_orders", "_selected_action": [order.pk], "apply": "1", "reason": reason})


def _rerun_cancel_jobs() -> None:
    """Run the cancellation's jobs again, as the outbox does when a worker died before acknowledging them."""
    for job in OutboxJob.objects.filter(task__startswith="payments.tasks.order_cancelled"):
        app.tasks[job.task].apply(kwargs=job.kwargs, throw=True)


def test_support_cancels_a_card_paid_order_and_the_money_goes_back_once(
    client, staff_client, payment_sandbox, eager_tasks
):
    order, payment = _card_paid(client, payment_sandbox)

    _admin_cancel(staff_client, order, "Нет на складе")
    run_outbox_jobs()

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    refund = Refund.objects.get(payment=payment)
    assert (refund.status, refund.amount, refund.reason) == (
        RefundStatus.SUCCEEDED,
        order.total,
        "заказ отменён: Нет на складе",
    )
    assert (refund.source, refund.actor) == (EventSource.STAFF, staff_client.user)
    assert payment.status == PaymentStatus.REFUNDED
    remote = payment_sandbox.state.refunds[refund.provider_refund_id]
    assert (remote.payment_id, remote.amount) == (payment.provider_payment_id, order.total)
    assert payment_sandbox.state.payments[payment.provider_payment_id].refunded == order.total
    # told once, that the money is on its way; not a second time when the refund completes
    sent = Notification.objects.filter(kind__in=["order_cancelled_refund", "refund_issued"])
    assert [(n.kind, n.channel) for n in sent] == [("order_cancelled_refund", "sms")]
    assert format_money(order.total, "RUB") in sent.get().text
    assert order.number in sent.get().text

    # the order page's payment panel shows the refund
    html = client.get(order_path(order=order)).content.decode()
    assert 'data-state="refund"' in html
    assert "Заказ отменён, деньги возвращены" in html
    assert 'data-refund="succeeded"' in html
    assert f"Возвращено {format_money(order.total, 'RUB')}" in html

    # the outbox runs the cancellation's jobs again: nothing more is refunded or sent
    _rerun_cancel_jobs()
    run_outbox_jobs()

    assert Refund.objects.filter(payment__order=order).count() == 1
    assert len(payment_sandbox.state.refunds) == 1
    assert Notification.objects.filter(kind="order_cancelled_refund").count() == 1


def test_a_refund_the_provider_made_but_did_not_confirm_is_sent_again_with_its_key_on_the_rerun(
    client, staff_client, payment_sandbox, eager_tasks
):
    order, payment = _card_paid(client, payment_sandbox)
    # the provider makes the refund, then the answer is lost: ours stays pending
    payment_sandbox.state.add_fault(Fault("POST", "/v3/refunds", "status", status=500, process=True, times=8))

    _admin_cancel(staff_client, order, "Покупатель передумал")
    run_outbox_jobs()

    refund = Refund.objects.get(payment=payment)
    assert refund.status == RefundStatus.PENDING
    assert len(payment_sandbox.state.refunds) == 1
    panel = client.get(order_path(order=order)).content.decode()
    assert "Заказ отменён, возвращаем деньги" in panel
    assert f"Возвращаем {format_money(order.total, 'RUB')} · в обработке" in panel

    payment_sandbox.state.faults.clear()
    _rerun_cancel_jobs()

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert Refund.objects.filter(payment__order=order).count() == 1
    assert len(payment_sandbox.state.refunds) == 1  # the same key: the provider's stored answer, no second refund
    assert payment_sandbox.state.payments[payment.provider_payment_id].refunded == order.total
    assert Notification.objects.filter(kind="order_cancelled_refund").count() == 1


def test_after_a_partial_manual_refund_the_cancellation_returns_the_rest(client, payment_sandbox, eager_tasks):
    order, payment = _card_paid(client, payment_sandbox, price="1000.00")
    order_refund(order=order, amount=Decimal("300.00"), reason="Скидка за задержку", actor="system")

    order_cancel(order=order, actor="system", reason="Нет в наличии")
    run_outbox_jobs()

    auto = Refund.objects.get(payment=payment, idempotence_key__endswith="-order-cancelled")
    assert (auto.amount, auto.source, auto.actor) == (order.total - Decimal("300.00"), EventSource.SYSTEM, None)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, order.total)
    assert payment_sandbox.state.payments[payment.provider_payment_id].refunded == order.total


def test_a_cod_order_cancelled_before_collection_is_voided_not_refunded(staff_client):
    payment = cod_payment()

    _admin_cancel(staff_client, payment.order, "Дубль заказа")
    run_outbox_jobs()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED
    assert not Refund.objects.filter(payment=payment).exists()
    assert not Notification.objects.filter(kind="order_cancelled_refund").exists()


def test_money_collected_on_delivery_is_left_to_support_when_its_order_is_cancelled(staff_client):
    payment = cod_payment()
    cod_collected(order=payment.order, amount=payment.amount)  # the courier took the cash before the order moved on
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COLLECTED

    _admin_cancel(staff_client, payment.order, "Клиент вернул товар курьеру")
    run_outbox_jobs()
    _rerun_cancel_jobs()

    payment.order.refresh_from_db()
    assert payment.order.status == OrderStatus.CANCELLED
    assert not Refund.objects.filter(payment=payment).exists()
    assert not BankTransferRefundRequest.objects.exists()  # staff ask for the shopper's account, then refund
    assert payment.events.filter(note__contains="bank-transfer refund is support's call").count() == 1
    assert not Notification.objects.filter(kind="order_cancelled_refund").exists()

    # the shopper's order page says who returns the money, not "a few minutes" forever
    state = order_payment_state(order=payment.order)
    assert state.by_support
    html = render_to_string("payments/partials/order_payment.html", {"state": state})
    assert "Деньги вернёт служба поддержки" in html
    assert "несколько минут" not in html
