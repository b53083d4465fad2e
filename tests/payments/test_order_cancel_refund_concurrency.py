"""The cancellation's refund beside a manual refund, and beside a second run of itself, against real PostgreSQL
(real threads and connections) and the sandbox over HTTP: never more than was paid, never two cancellation refunds.
Which one gets there first is up to the scheduler: both outcomes are allowed, only the invariants are asserted."""

from decimal import Decimal

import pytest

from orders.services import order_cancel
from payments.exceptions import RefundNotAllowed
from payments.models import Refund, RefundStatus
from payments.refunds import order_refund
from payments.tasks import order_cancelled_refund_process

from .test_cod_concurrency import _together
from .test_order_refund import paid_order

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 3


def _cancelled(sandbox):
    """A card order paid in the sandbox, then cancelled (its refund job not run yet)."""
    order = paid_order(sandbox)
    order_cancel(order=order, actor="system", reason="Нет в наличии")
    return order


def _job(order):
    kwargs = {"order_id": order.pk, "reason": "Нет в наличии", "actor_label": "system", "actor_id": None}
    return lambda: order_cancelled_refund_process.apply(kwargs=kwargs, throw=True)


def _refunded(order) -> Decimal:
    live = Refund.objects.filter(payment__order=order).exclude(status=RefundStatus.FAILED)
    return sum((r.amount for r in live), Decimal(0))


def test_the_cancellation_refund_and_a_manual_refund_at_once_never_return_more_than_was_paid(payment_sandbox):
    for _ in range(ROUNDS):
        order = _cancelled(payment_sandbox)
        payment = order.payments.get()
        manual = Decimal("400.00")

        job, by_hand = _together(
            _job(order),
            lambda: order_refund(order=order, amount=manual, reason="Жалоба покупателя", actor="system"),  # noqa: B023
        )

        assert not isinstance(job, Exception), job
        if isinstance(by_hand, RefundNotAllowed):  # the cancellation took it all first
            assert [r.amount for r in Refund.objects.filter(payment__order=order)] == [order.total]
        else:  # the manual refund first, the cancellation the rest
            assert not isinstance(by_hand, Exception), by_hand
            amounts = sorted(r.amount for r in Refund.objects.filter(payment__order=order))
            assert amounts == sorted([manual, order.total - manual])
        assert _refunded(order) == order.total
        assert payment_sandbox.state.payments[payment.provider_payment_id].refunded == order.total


def test_two_runs_of_the_cancellation_job_at_once_refund_once(payment_sandbox):
    for _ in range(ROUNDS):
        order = _cancelled(payment_sandbox)
        payment = order.payments.get()

        results = _together(_job(order), _job(order))

        assert not any(isinstance(r, Exception) for r in results), results
        assert Refund.objects.filter(payment__order=order).count() == 1
        assert _refunded(order) == order.total
        remote = [r for r in payment_sandbox.state.refunds.values() if r.payment_id == payment.provider_payment_id]
        assert len(remote) == 1
