"""The points refund path of order_refund: ready for the loyalty ledger (a later issue), refused cleanly today."""

from decimal import Decimal

import pytest

from payments.exceptions import RefundNotAllowed, RefundPathUnavailable
from payments.models import BankTransferRefundRequest, PaymentEvent, PaymentStatus, Refund, RefundPath, RefundStatus
from payments.refunds import order_refund, order_refundable, refund_points_poster_set

from .test_order_refund import REASON, paid_order

pytestmark = pytest.mark.django_db


def test_a_points_refund_is_refused_before_anything_is_written_while_there_is_no_points_ledger(payment_sandbox):
    order = paid_order(payment_sandbox)
    payment = order.payments.get()
    events = PaymentEvent.objects.count()

    with pytest.raises(RefundPathUnavailable) as refused:
        order_refund(order=order, amount=Decimal("100.00"), reason=REASON, actor="system", path=RefundPath.POINTS)

    assert str(refused.value.user_message) == "Возврат баллами пока недоступен: программа лояльности не подключена."
    assert isinstance(refused.value, RefundNotAllowed)  # callers that catch refusals show it like any other
    assert not Refund.objects.exists()
    assert not BankTransferRefundRequest.objects.exists()
    assert PaymentEvent.objects.count() == events
    assert order_refundable(order=order) == payment.amount
    assert payment_sandbox.state.payments[payment.provider_payment_id].refunded == 0


def test_a_path_other_than_points_is_not_the_callers_to_choose(payment_sandbox):
    order = paid_order(payment_sandbox)

    with pytest.raises(ValueError, match="path"):
        order_refund(order=order, reason=REASON, actor="system", path=RefundPath.BANK_TRANSFER)


class _Ledger:
    """Stands in for the loyalty app's poster (that app has no ledger yet): records what it was asked to credit."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, Decimal, str]] = []

    def __call__(self, *, order, amount, currency, key, reason, actor) -> str:
        self.posted.append((order.number, amount, key))
        return f"entry-{len(self.posted)}"


@pytest.fixture
def ledger():
    poster = _Ledger()
    refund_points_poster_set(poster)
    yield poster
    refund_points_poster_set(None)


def test_with_a_points_ledger_registered_the_refund_is_credited_as_points_and_counts_against_what_was_paid(
    payment_sandbox, ledger
):
    order = paid_order(payment_sandbox)
    payment = order.payments.get()

    [refund] = order_refund(order=order, amount=Decimal("400.00"), reason=REASON, actor="system", path="points")

    assert (refund.channel, refund.status) == (RefundPath.POINTS, RefundStatus.SUCCEEDED)
    assert ledger.posted == [(order.number, Decimal("400.00"), refund.idempotence_key)]
    assert refund.provider_payload == {"points_entry": "entry-1"}
    assert payment_sandbox.state.payments[payment.provider_payment_id].refunded == 0  # no money moved
    payment.refresh_from_db()
    assert (payment.refunded_amount, payment.status) == (Decimal("400.00"), PaymentStatus.SUCCEEDED)
    with pytest.raises(RefundNotAllowed):
        order_refund(order=order, amount=payment.amount, reason=REASON, actor="system", path=RefundPath.POINTS)
