"""An order cancelled anywhere (the admin, orders' service, the abandonment job) takes its open payments with it:
pay on delivery is voided with the reason and who cancelled; provider attempts are released, re-read or voided
(orders/hooks.py → outbox → payments/cancel.py; the sandbox over HTTP)."""

import pytest
from django.contrib.auth.models import Group

from orders.models import OrderStatus
from orders.services import order_cancel
from payments.cod import cod_amount_for_order
from payments.models import EventSource, PaymentStatus
from payments.services import payment_provider_create
from storefront.outbox.models import OutboxJob
from tests.accounts.factories import UserFactory
from tests.outbox.inline import run_outbox_jobs

from .factories import RETURN_URL, PaymentFactory, cod_payment
from .journeys import checkout, sku_for, webhook
from .sandbox_client import resolve

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/orders/order/"


@pytest.fixture
def support_user(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="support"))
    client.force_login(user)
    return user


def test_support_cancelling_a_cod_order_in_the_admin_voids_its_payment_with_the_reason(client, support_user):
    payment = cod_payment()

    client.post(
        CHANGELIST,
        {"action": "cancel_orders", "_selected_action": [payment.order_id], "apply": "1", "reason": "Дубль заказа"},
    )
    run_outbox_jobs()

    payment.refresh_from_db()
    assert payment.order.status == OrderStatus.CANCELLED
    assert payment.status == PaymentStatus.CANCELED
    event = payment.events.last()
    assert (event.from_status, event.to_status) == (PaymentStatus.AWAITING_COLLECTION, PaymentStatus.CANCELED)
    assert (event.source, event.actor) == (EventSource.STAFF, support_user)
    assert "Дубль заказа" in event.note
    assert cod_amount_for_order(payment.order).amount == 0  # logistics sees nothing to collect


def test_the_cancellation_and_its_payment_job_commit_together():
    payment = cod_payment()

    order_cancel(order=payment.order, actor="system", reason="Нет в наличии")

    job = OutboxJob.objects.get(task="payments.tasks.order_cancelled_process")
    assert job.kwargs == {
        "order_id": payment.order_id, "reason": "Нет в наличии", "actor_label": "system", "actor_id": None,
    }  # fmt: skip
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AWAITING_COLLECTION  # until the job runs, after commit


def test_a_repeated_cancellation_job_changes_nothing():
    payment = cod_payment()
    order_cancel(order=payment.order, actor="system", reason="Нет в наличии")
    job = OutboxJob.objects.get(task="payments.tasks.order_cancelled_process")
    run_outbox_jobs()
    events = payment.events.count()

    from storefront.celery import app

    app.tasks[job.task].apply(kwargs=job.kwargs, throw=True)

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED
    assert payment.events.count() == events


def test_a_held_pay_later_payment_is_released_at_the_provider_when_staff_cancel(client, payment_sandbox, eager_tasks):
    _, order = checkout(client, "pay_later", sku=sku_for("3000.00"))
    payment = order.payments.get()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)
    webhook(client, "payment.waiting_for_capture", payment.provider_payment_id, status="waiting_for_capture")
    OutboxJob.objects.filter(task="payments.tasks.payment_capture_process").delete()  # the capture not run yet
    staff = UserFactory(is_staff=True)

    order_cancel(order=order, actor=staff, reason="Покупатель позвонил и отменил")
    run_outbox_jobs()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED
    assert payment_sandbox.state.payments[payment.provider_payment_id].status == "canceled"
    assert payment_sandbox.state.payments[payment.provider_payment_id].cancellation["reason"] == "canceled_by_merchant"
    assert payment.events.filter(source=EventSource.STAFF, actor=staff, note__contains="отменил").exists()


def test_a_pending_card_payment_stays_watched_and_is_refunded_if_paid_after_the_cancel(
    client, payment_sandbox, eager_tasks
):
    _, order = checkout(client, "card")
    payment = order.payments.get()

    order_cancel(order=order, actor="system", reason="Не оплачен вовремя")
    run_outbox_jobs()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING  # the provider cannot cancel an unconfirmed payment
    assert "still pending at the provider" in payment.events.last().note

    resolve(payment_sandbox, payment.provider_payment_id, notify=False)  # the shopper pays anyway
    webhook(client, "payment.succeeded", payment.provider_payment_id)
    run_outbox_jobs()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED


def test_an_attempt_the_provider_never_answered_is_voided_here(payment_sandbox):
    payment = PaymentFactory()  # NEW: the create call never got through

    order_cancel(order=payment.order, actor="system", reason="Покупатель передумал")
    run_outbox_jobs()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED
    assert payment.events.last().source == EventSource.SYSTEM
    # and a late retry of the create does not reach the provider
    assert payment_provider_create(payment_id=payment.pk, return_url=RETURN_URL, description="x").status == "canceled"
    assert payment_sandbox.state.payments == {}
