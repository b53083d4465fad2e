"""Refunds through the provider: never more than was paid, even when refunds race."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from payments.exceptions import RefundNotAllowed
from payments.models import PaymentStatus, RefundStatus
from payments.services import payment_refund

from .factories import paid_payment, started_payment


@pytest.mark.django_db
def test_partial_refund_is_recorded_and_leaves_the_payment_succeeded(payment_sandbox):
    payment = paid_payment(payment_sandbox, amount=Decimal("1000.00"))

    refund = payment_refund(payment_id=payment.pk, amount=Decimal("400.00"), reason="Возврат товара", actor="system")

    payment.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.provider_refund_id in payment_sandbox.state.refunds
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.SUCCEEDED, Decimal("400.00"))


@pytest.mark.django_db
def test_refunding_the_rest_makes_the_payment_refunded(payment_sandbox):
    payment = paid_payment(payment_sandbox, amount=Decimal("1000.00"))
    payment_refund(payment_id=payment.pk, amount=Decimal("400.00"), reason="Часть", actor="system")

    payment_refund(payment_id=payment.pk, amount=Decimal("600.00"), reason="Остаток", actor="system")

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED


@pytest.mark.django_db
def test_refund_cannot_exceed_amount_paid(payment_sandbox):
    payment = paid_payment(payment_sandbox, amount=Decimal("1000.00"))

    with pytest.raises(RefundNotAllowed):
        payment_refund(payment_id=payment.pk, amount=Decimal("1000.01"), reason="Слишком много", actor="system")


@pytest.mark.django_db
def test_unpaid_payment_cannot_be_refunded(payment_sandbox):
    payment = started_payment()

    with pytest.raises(RefundNotAllowed):
        payment_refund(payment_id=payment.pk, amount=Decimal("1.00"), reason="Рано", actor="system")


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_cannot_overshoot(payment_sandbox):
    payment = paid_payment(payment_sandbox, amount=Decimal("1000.00"))
    start = threading.Barrier(4)
    outcomes = []

    def refund():
        try:
            start.wait()
            payment_refund(payment_id=payment.pk, amount=Decimal("400.00"), reason="Гонка", actor="system")
            outcomes.append("ok")
        except RefundNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    payment.refresh_from_db()
    assert sorted(outcomes) == ["ok", "ok", "refused", "refused"]
    assert payment.refunded_amount == Decimal("800.00")
    assert sum(r.amount for r in payment_sandbox.state.refunds.values()) == Decimal("800.00")
