"""The admin's drop-off report: per payment method and day, placed / paid / abandoned / conversion."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from orders.models import Order
from orders.services import order_cancel
from payments.models import EventSource
from payments.selectors import payment_dropoff_report
from payments.services import payment_start, payment_sync
from tests.accounts.factories import UserFactory
from tests.orders.factories import place_order

from .factories import RETURN_URL
from .sandbox_client import resolve

pytestmark = pytest.mark.django_db
URL = "/admin/payments/payment/drop-off/"


def _started(method: str):
    order = place_order(payment_method=method)
    return order, payment_start(order=order, method=method, return_url=RETURN_URL, actor="guest")


def _paid(sandbox, method: str):
    order, payment = _started(method)
    resolve(sandbox, payment.provider_payment_id, notify=False)
    payment_sync(payment_id=payment.pk, source=EventSource.POLLER)
    return order


def _abandoned(method: str):
    order, _payment = _started(method)
    order_cancel(order=order, actor="system", reason="Не оплачен за 24 ч")
    return order


@pytest.fixture
def orders(payment_sandbox):
    _paid(payment_sandbox, "card")
    _paid(payment_sandbox, "card")
    _abandoned("card")
    _started("card")  # still waiting
    _paid(payment_sandbox, "sbp")
    _abandoned("sbp")
    place_order(payment_method="cod")


def test_report_counts_placed_paid_and_abandoned_per_method(orders):
    today = timezone.localdate()

    daily, totals = payment_dropoff_report(since=today, until=today)

    by_method = {row.method: (row.placed, row.paid, row.abandoned, row.waiting, row.conversion) for row in totals}
    assert by_method["card"] == (4, 2, 1, 1, Decimal("50.0"))
    assert by_method["sbp"] == (2, 1, 1, 0, Decimal("50.0"))
    assert by_method["cod"][0] == 1
    assert {(row.day, row.method) for row in daily} == {(today, "card"), (today, "sbp"), (today, "cod")}


def test_report_splits_by_moscow_day(payment_sandbox):
    late_evening, _payment = _started("card")  # 23:30 in Moscow, still waiting
    after_midnight = _paid(payment_sandbox, "card")  # 00:30 in Moscow the next day
    Order.objects.filter(pk=late_evening.pk).update(placed_at=datetime(2026, 3, 1, 20, 30, tzinfo=UTC))
    Order.objects.filter(pk=after_midnight.pk).update(placed_at=datetime(2026, 3, 1, 21, 30, tzinfo=UTC))

    daily, totals = payment_dropoff_report(since=date(2026, 3, 1), until=date(2026, 3, 2))

    assert [(row.day, row.method, row.placed, row.paid) for row in daily] == [
        (date(2026, 3, 2), "card", 1, 1),
        (date(2026, 3, 1), "card", 1, 0),
    ]
    assert [(row.method, row.placed, row.paid, row.waiting) for row in totals] == [("card", 2, 1, 1)]


def test_report_leaves_out_orders_outside_the_period(orders):
    yesterday = timezone.localdate() - timedelta(days=1)

    assert payment_dropoff_report(since=yesterday, until=yesterday) == ([], [])


def test_report_costs_two_queries_whatever_the_number_of_orders(orders, django_assert_num_queries):
    today = timezone.localdate()

    with django_assert_num_queries(2):
        payment_dropoff_report(since=today, until=today)


def test_support_opens_the_report_from_the_payments_admin(client, orders):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="support"))
    client.force_login(user)

    index = client.get("/admin/payments/").content.decode()
    html = client.get(URL).content.decode()

    assert f'href="{URL}"' in index
    assert "Отток между заказом и оплатой" in html
    assert "Банковская карта (Мир, Visa, Mastercard)" in html
    assert "50,0 %" in html or "50.0 %" in html


def test_staff_without_payments_access_cannot_open_the_report(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(URL).status_code == 403
