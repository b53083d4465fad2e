"""Payment state through the services, against the sandbox over HTTP and the real PostgreSQL."""

from dataclasses import replace
from decimal import Decimal

import pytest

from payments.exceptions import InvalidPaymentTransition, ProviderRejected, ProviderUnavailable
from payments.models import EventSource, PaymentStatus
from payments.provider import YooKassaClient
from payments.services import (
    payment_apply_provider_state,
    payment_notification_handle,
    payment_provider_create,
    payment_sync,
    payment_transition,
)
from payments.tasks import payments_poll_open

from .factories import RETURN_URL, PaymentFactory, paid_payment, started_payment
from .sandbox_client import call, resolve

pytestmark = pytest.mark.django_db


def test_started_payment_is_pending_with_the_provider_page(payment_sandbox):
    payment = started_payment()

    assert payment.status == PaymentStatus.PENDING
    assert payment.confirmation_url.startswith(f"{payment_sandbox.base_url}/checkout/")
    assert payment.provider_payment_id in payment_sandbox.state.payments
    assert [(e.from_status, e.to_status) for e in payment.events.all()] == [("new", "pending")]


def test_starting_twice_makes_one_provider_payment(payment_sandbox):
    payment = PaymentFactory()

    payment_provider_create(payment_id=payment.pk, return_url=RETURN_URL, description="Заказ")
    payment.refresh_from_db()
    payment.status = PaymentStatus.NEW  # as if our first answer had been lost after the provider's
    payment.save(update_fields=["status"])
    payment_provider_create(payment_id=payment.pk, return_url=RETURN_URL, description="Заказ")

    assert len(payment_sandbox.state.payments) == 1


def test_provider_down_on_create_leaves_the_payment_new_and_the_retry_charges_once(payment_sandbox):
    payment = PaymentFactory()
    # every attempt of the first call is processed by the provider but answered with 500
    call(
        payment_sandbox, "POST", "/sandbox/faults", {"path": "/v3/payments", "status": 500, "process": True, "times": 4}
    )

    with pytest.raises(ProviderUnavailable):
        payment_provider_create(payment_id=payment.pk, return_url=RETURN_URL, description="Заказ")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.NEW
    retried = payment_provider_create(payment_id=payment.pk, return_url=RETURN_URL, description="Заказ")

    assert retried.status == PaymentStatus.PENDING
    assert list(payment_sandbox.state.payments) == [retried.provider_payment_id]


def test_refused_create_cancels_the_payment(payment_sandbox):
    payment = PaymentFactory(method="pay_later", amount=Decimal("500.00"))  # below the provider's range

    with pytest.raises(ProviderRejected, match="amount"):
        payment_provider_create(payment_id=payment.pk, return_url=RETURN_URL, description="Заказ")

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED


def test_card_payment_paid_in_the_sandbox_is_succeeded_after_sync(payment_sandbox):
    payment = paid_payment(payment_sandbox)

    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.paid_at is not None
    assert payment.events.last().source == EventSource.POLLER


def test_sbp_payment_paid_in_the_sandbox_is_succeeded_after_sync(payment_sandbox):
    assert paid_payment(payment_sandbox, method="sbp").status == PaymentStatus.SUCCEEDED


def test_declined_payment_is_canceled_with_the_reason(payment_sandbox):
    payment = started_payment()
    resolve(payment_sandbox, payment.provider_payment_id, "canceled", reason="insufficient_funds", notify=False)

    payment = payment_sync(payment_id=payment.pk, source=EventSource.POLLER)

    assert payment.status == PaymentStatus.CANCELED
    assert payment.cancellation_reason == "insufficient_funds"


def test_duplicated_webhook_records_one_transition(payment_sandbox):
    payment = started_payment()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)

    payment_notification_handle(provider_payment_id=payment.provider_payment_id, event="payment.succeeded")
    payment_notification_handle(provider_payment_id=payment.provider_payment_id, event="payment.succeeded")

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.events.filter(to_status=PaymentStatus.SUCCEEDED).exclude(from_status="succeeded").count() == 1


def test_older_state_arriving_after_a_newer_one_is_ignored(payment_sandbox):
    payment = started_payment()
    pending = YooKassaClient().payment_get(payment.provider_payment_id)
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)
    payment_sync(payment_id=payment.pk, source=EventSource.WEBHOOK)

    payment = payment_apply_provider_state(payment_id=payment.pk, remote=pending, source=EventSource.WEBHOOK)

    assert payment.status == PaymentStatus.SUCCEEDED


def test_webhook_for_an_unknown_payment_changes_nothing(payment_sandbox):
    assert payment_notification_handle(provider_payment_id="nope", event="payment.succeeded") is None


def test_forged_webhook_the_provider_does_not_confirm_changes_nothing(payment_sandbox):
    payment = started_payment()
    # the webhook claims success; the provider still says pending

    payment = payment_notification_handle(provider_payment_id=payment.provider_payment_id, event="payment.succeeded")

    assert payment.status == PaymentStatus.PENDING


def test_webhook_for_a_payment_the_provider_does_not_know_is_logged_and_changes_nothing(payment_sandbox):
    payment = started_payment()
    payment_sandbox.reset()  # the provider forgets it

    assert (
        payment_notification_handle(provider_payment_id=payment.provider_payment_id, event="payment.succeeded") is None
    )

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment.events.last().note == "unconfirmed webhook payment.succeeded"


def test_provider_amount_different_from_ours_never_marks_paid(payment_sandbox):
    payment = started_payment()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)
    remote = YooKassaClient().payment_get(payment.provider_payment_id)

    payment = payment_apply_provider_state(
        payment_id=payment.pk,
        remote=replace(remote, amount=replace(remote.amount, amount=Decimal("1.00"))),
        source="webhook",
    )

    assert payment.status == PaymentStatus.PENDING


def test_transition_outside_the_table_is_refused():
    payment = PaymentFactory(status=PaymentStatus.CANCELED)

    with pytest.raises(InvalidPaymentTransition):
        payment_transition(payment=payment, to_status=PaymentStatus.SUCCEEDED, source=EventSource.STAFF)


def test_poller_settles_a_payment_whose_webhook_was_lost(payment_sandbox):
    payment = started_payment()
    resolve(payment_sandbox, payment.provider_payment_id, notify=False)

    payments_poll_open.apply(kwargs={"older_than_seconds": 0})

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.events.last().source == EventSource.POLLER
