"""order_refund: wholly or partly, by lines or amount, through the path the money came; never more than paid."""

import re
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from orders.models import OrderLine
from payments.cod import cod_collected, cod_payment_start
from payments.exceptions import RefundNotAllowed
from payments.models import (
    BankTransferRefundRequest,
    BankTransferStatus,
    EventSource,
    PaymentStatus,
    RefundChannel,
    RefundStatus,
)
from payments.refunds import bank_transfer_refund_sent, order_refund
from payments.services import payment_start, payment_sync
from payments.tasks import payments_poll_open
from storefront.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.orders.factories import place_order

from .factories import RETURN_URL
from .sandbox_client import call, resolve

REASON = "Возврат товара"


def paid_order(sandbox, *, method: str = "card", skus=None, quantity: int = 1):
    """An order placed with two lines (1 000 ₽ and 500 ₽ by default) and paid through the sandbox."""
    skus = skus or [SkuFactory(price=Decimal("1000.00")), SkuFactory(price=Decimal("500.00"))]
    order = place_order(skus=skus, quantity=quantity, payment_method=method)
    payment = payment_start(order=order, method=method, return_url=RETURN_URL, actor="guest")
    resolve(sandbox, payment.provider_payment_id, notify=False)
    payment_sync(payment_id=payment.pk, source=EventSource.POLLER)
    order.refresh_from_db()
    return order


def _line(order, price: str) -> OrderLine:
    return order.lines.get(unit_price_rub=Decimal(price))


@pytest.mark.django_db
def test_whole_order_refund_returns_everything_through_the_provider(payment_sandbox):
    order = paid_order(payment_sandbox)

    (refund,) = order_refund(order=order, lines=None, amount=None, reason=REASON, actor="system")

    payment = order.payments.get()
    assert (refund.channel, refund.status, refund.amount) == (
        RefundChannel.PROVIDER,
        RefundStatus.SUCCEEDED,
        order.total,
    )
    assert payment.status == PaymentStatus.REFUNDED
    assert payment_sandbox.state.payments[payment.provider_payment_id].refunded == order.total


@pytest.mark.django_db
def test_refund_by_lines_returns_those_goods_at_the_price_paid(payment_sandbox):
    order = paid_order(payment_sandbox, quantity=2)

    (refund,) = order_refund(
        order=order, lines={_line(order, "1000.00").pk: 1}, amount=None, reason=REASON, actor="system"
    )

    assert refund.amount == Decimal("1000.00")
    assert refund.lines == {str(_line(order, "1000.00").pk): 1}
    assert order.payments.get().status == PaymentStatus.SUCCEEDED


@pytest.mark.django_db
def test_lines_with_an_amount_refund_that_amount(payment_sandbox):
    order = paid_order(payment_sandbox)

    (refund,) = order_refund(
        order=order, lines={_line(order, "500.00").pk: 1}, amount=Decimal("350.00"), reason=REASON, actor="system"
    )

    assert refund.amount == Decimal("350.00")


@pytest.mark.django_db
def test_a_line_cannot_be_refunded_beyond_what_was_bought(payment_sandbox):
    order = paid_order(payment_sandbox, quantity=2)
    line = _line(order, "1000.00")
    order_refund(order=order, lines={line.pk: 2}, amount=None, reason=REASON, actor="system")

    with pytest.raises(RefundNotAllowed) as caught:
        order_refund(order=order, lines={line.pk: 1}, amount=None, reason=REASON, actor="system")

    assert "уже возвращено 2" in str(caught.value.user_message)


@pytest.mark.django_db
def test_a_line_of_another_order_is_refused(payment_sandbox):
    order, other = paid_order(payment_sandbox), place_order()

    with pytest.raises(RefundNotAllowed):
        order_refund(order=order, lines={other.lines.get().pk: 1}, amount=None, reason=REASON, actor="system")


@pytest.mark.django_db
def test_refund_cannot_exceed_what_was_paid(payment_sandbox):
    order = paid_order(payment_sandbox)
    order_refund(order=order, lines=None, amount=Decimal("1000.00"), reason=REASON, actor="system")

    with pytest.raises(RefundNotAllowed):
        order_refund(order=order, lines=None, amount=order.total - Decimal("999.99"), reason=REASON, actor="system")


@pytest.mark.django_db
def test_unpaid_order_cannot_be_refunded(payment_sandbox):
    order = place_order(payment_method="card")

    with pytest.raises(RefundNotAllowed):
        order_refund(order=order, lines=None, amount=None, reason=REASON, actor="system")


@pytest.mark.django_db
def test_a_reason_is_required(payment_sandbox):
    order = paid_order(payment_sandbox)

    with pytest.raises(RefundNotAllowed):
        order_refund(order=order, lines=None, amount=None, reason="  ", actor="system")


@pytest.mark.django_db
def test_shopper_is_told_about_the_refund(payment_sandbox):
    order = paid_order(payment_sandbox)

    (refund,) = order_refund(order=order, lines=None, amount=Decimal("100.00"), reason=REASON, actor="system")

    sms = Notification.objects.get(key=f"refund_issued:{refund.pk}:sms")
    assert order.number in sms.text
    assert "100\u00a0₽" in sms.text


@pytest.mark.django_db
def test_provider_down_leaves_the_refund_pending_and_the_poller_sends_it_once(payment_sandbox):
    order = paid_order(payment_sandbox)
    call(payment_sandbox, "POST", "/sandbox/faults", {"path": "/v3/refunds", "process": True, "times": 4})

    (refund,) = order_refund(order=order, lines=None, amount=Decimal("300.00"), reason=REASON, actor="system")
    assert refund.status == RefundStatus.PENDING
    payments_poll_open.apply(kwargs={"older_than_seconds": 0})

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert len(payment_sandbox.state.refunds) == 1


@pytest.mark.django_db
def test_pay_on_delivery_refund_is_a_bank_transfer_request_completed_by_support(payment_sandbox):
    order = place_order(payment_method="cod")
    cod_payment_start(order=order)
    cod_collected(amount=order.total, order=order)
    staff = UserFactory(is_staff=True)

    (refund,) = order_refund(order=order, lines=None, amount=None, reason=REASON, actor=staff)

    transfer = BankTransferRefundRequest.objects.get(refund=refund)
    assert (refund.channel, refund.status) == (RefundChannel.BANK_TRANSFER, RefundStatus.PENDING)
    assert (transfer.amount, transfer.status) == (order.total, BankTransferStatus.REQUESTED)
    assert not payment_sandbox.state.refunds  # nothing goes to the card provider

    bank_transfer_refund_sent(request_id=transfer.pk, reference="ПП-000123", actor=staff)

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert order.payments.get().status == PaymentStatus.REFUNDED


def _race(workers: int, work) -> list[str]:
    start = threading.Barrier(workers)
    outcomes = []

    def run():
        try:
            start.wait()
            work()
            outcomes.append("ok")
        except RefundNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_concurrent_order_refunds_cannot_overshoot(payment_sandbox):
    order = paid_order(payment_sandbox)  # 1 500 ₽ + delivery

    outcomes = _race(
        5, lambda: order_refund(order=order, lines=None, amount=Decimal("600.00"), reason="Гонка", actor="system")
    )

    payment = order.payments.get()
    assert outcomes == ["ok", "ok", "refused", "refused", "refused"]
    assert payment.refunded_amount == Decimal("1200.00")
    assert sum(r.amount for r in payment_sandbox.state.refunds.values()) == Decimal("1200.00")


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_of_one_line_refund_it_once(payment_sandbox):
    order = paid_order(payment_sandbox)
    line = _line(order, "1000.00")

    outcomes = _race(
        4, lambda: order_refund(order=order, lines={line.pk: 1}, amount=None, reason="Гонка", actor="system")
    )

    assert outcomes == ["ok", "refused", "refused", "refused"]
    assert order.payments.get().refunded_amount == Decimal("1000.00")


@pytest.fixture
def support(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="support"))
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_support_refunds_lines_from_the_payment_admin(support, payment_sandbox):
    order = paid_order(payment_sandbox)
    payment = order.payments.get()
    line = _line(order, "500.00")
    assert 'id="refund-link"' in support.get(f"/admin/payments/payment/{payment.pk}/change/").content.decode()

    response = support.post(
        f"/admin/payments/payment/{payment.pk}/refund/", {f"line_{line.pk}": "1", "amount": "", "reason": REASON}
    )

    assert response.status_code == 302
    refund = payment.refunds.get()
    assert (refund.amount, refund.status, refund.source) == (
        Decimal("500.00"),
        RefundStatus.SUCCEEDED,
        EventSource.STAFF,
    )


@pytest.mark.django_db
def test_the_admin_refund_form_sent_twice_refunds_once_and_a_new_form_refunds_again(support, payment_sandbox):
    order = paid_order(payment_sandbox)
    payment = order.payments.get()
    url = f"/admin/payments/payment/{payment.pk}/refund/"
    first_form, second_form = support.get(url).content.decode(), support.get(url).content.decode()
    submission = re.search(r'name="submission" value="([0-9a-f]{20})"', first_form)[1]
    other = re.search(r'name="submission" value="([0-9a-f]{20})"', second_form)[1]
    assert submission != other

    sent = [support.post(url, {"amount": "300", "reason": REASON, "submission": submission}) for _ in range(2)]
    again = support.post(url, {"amount": "300", "reason": REASON, "submission": other})

    assert [r.status_code for r in (*sent, again)] == [302, 302, 302]
    payment.refresh_from_db()
    assert sorted(r.amount for r in payment.refunds.all()) == [Decimal("300.00"), Decimal("300.00")]
    assert payment.refunded_amount == Decimal("600.00")
    assert sum(r.amount for r in payment_sandbox.state.refunds.values()) == Decimal("600.00")


@pytest.mark.django_db
def test_admin_refund_over_the_paid_amount_shows_why(support, payment_sandbox):
    order = paid_order(payment_sandbox)
    payment = order.payments.get()

    response = support.post(f"/admin/payments/payment/{payment.pk}/refund/", {"amount": "99999", "reason": REASON})

    assert response.status_code == 200
    assert "Нельзя вернуть больше, чем было оплачено." in response.content.decode()
    assert not payment.refunds.exists()


@pytest.mark.django_db
def test_staff_without_the_refund_permission_cannot_refund(client, payment_sandbox):
    order = paid_order(payment_sandbox)
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="ops"))
    client.force_login(user)

    response = client.post(f"/admin/payments/payment/{order.payments.get().pk}/refund/", {"reason": REASON})

    assert response.status_code == 403
    assert not order.payments.get().refunds.exists()
