"""Pay on delivery through the services: confirmed without prepayment, collected, refused (cancel/return, stock,
flag), each report idempotent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import OrderStatus
from payments.cod import (
    cod_amount_for_order,
    cod_collected,
    cod_eligibility,
    cod_parcel_registered,
    cod_payment_start,
    cod_refused,
)
from payments.exceptions import CodNotFound, PaymentMethodUnavailable
from payments.models import CodCollection, CodCustomerFlag, EventSource, PaymentMethod, PaymentStatus
from payments.services import order_payment_begin
from storefront.catalog.models import Sku
from storefront.core.money import Money
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory
from tests.orders.factories import place_order

from .factories import cod_payment, cod_shipped

pytestmark = pytest.mark.django_db

TRACK = "80082516123458"


def test_a_cod_order_is_confirmed_without_prepayment_and_records_the_amount_to_collect():
    order = place_order(payment_method=PaymentMethod.CASH_ON_DELIVERY)

    payment = cod_payment_start(order=order)

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.status_changes.last().actor_label == "system"
    assert (payment.method, payment.status) == (PaymentMethod.CASH_ON_DELIVERY, PaymentStatus.AWAITING_COLLECTION)
    assert payment.amount == order.total
    assert payment.paid_at is None
    assert cod_amount_for_order(order) == Money(order.total, "RUB")


def test_checkouts_payment_dispatch_confirms_a_cod_order():
    order = place_order(payment_method=PaymentMethod.CASH_ON_DELIVERY)

    assert order_payment_begin(order=order, return_url="http://127.0.0.1/", actor="guest") is None

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.payments.get().status == PaymentStatus.AWAITING_COLLECTION


def test_starting_cod_twice_returns_the_same_payment():
    order = place_order(payment_method=PaymentMethod.CASH_ON_DELIVERY)

    first = cod_payment_start(order=order)
    second = cod_payment_start(order=order)

    assert first.pk == second.pk
    assert order.payments.count() == 1


def test_a_card_order_cannot_be_started_as_cod():
    order = place_order(payment_method=PaymentMethod.CARD)

    with pytest.raises(PaymentMethodUnavailable):
        cod_payment_start(order=order)


def test_the_parcel_tracking_number_is_remembered_in_any_spelling():
    payment = cod_payment()

    cod_parcel_registered(order=payment.order, tracking_number=" 8008 2516 123458 ")

    assert CodCollection.objects.get(payment=payment).tracking_number == TRACK


def test_collected_by_tracking_number_makes_the_payment_collected():
    payment = cod_shipped(tracking_number=TRACK)
    at = timezone.now() - timedelta(hours=2)

    cod_collected(tracking_number=TRACK, amount=Money(payment.amount), collected_at=at)

    payment.refresh_from_db()
    collection = CodCollection.objects.get(payment=payment)
    assert payment.status == PaymentStatus.COLLECTED
    assert payment.paid_at is not None
    assert (collection.collected_amount, collection.collected_at, collection.amount_mismatch) == (
        payment.amount,
        at,
        False,
    )
    assert payment.events.last().source == EventSource.LOGISTICS
    assert cod_amount_for_order(payment.order).amount == 0


def test_a_repeated_collection_report_makes_one_transition():
    payment = cod_shipped(tracking_number=TRACK)

    cod_collected(order=payment.order, amount=payment.amount)
    cod_collected(order=payment.order, amount=payment.amount)

    assert payment.events.filter(to_status=PaymentStatus.COLLECTED).count() == 1


def test_a_collected_amount_that_differs_is_recorded_and_still_collected():
    payment = cod_shipped(tracking_number=TRACK)

    cod_collected(tracking_number=TRACK, amount=payment.amount - Decimal("100.00"))

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COLLECTED
    assert CodCollection.objects.get(payment=payment).amount_mismatch is True
    assert "amount mismatch" in payment.events.last().note


def test_a_report_for_an_unknown_tracking_number_raises():
    with pytest.raises(CodNotFound):
        cod_collected(tracking_number="RA123456785CN", amount=Decimal("10.00"))


def test_a_refused_parcel_returns_the_order_restocks_and_flags_the_shopper():
    user = UserFactory()
    sku = SkuFactory(stock=5)
    payment = cod_shipped(tracking_number=TRACK, skus=[sku], quantity=2, user=user)
    assert Sku.objects.get(pk=sku.pk).stock == 3

    cod_refused(tracking_number=TRACK, reason="адресат отказался")

    payment.refresh_from_db()
    payment.order.refresh_from_db()
    assert payment.status == PaymentStatus.UNCOLLECTED
    assert payment.order.status == OrderStatus.RETURNED
    assert Sku.objects.get(pk=sku.pk).stock == 5
    flag = CodCustomerFlag.objects.get(order=payment.order)
    assert (flag.user, flag.phone, flag.is_open) == (user, payment.order.contact_phone, True)


def test_after_a_refusal_the_next_checkout_check_refuses_cod_with_the_reason():
    payment = cod_shipped(tracking_number=TRACK, contact_phone="+79161234567")
    cod_refused(order=payment.order, reason="не забрал")

    ok, reason = cod_eligibility(
        order_or_cart_total=Decimal("500.00"), sku_ids=[SkuFactory().pk], user=None, phone="+7 916 123 45 67"
    )

    assert ok is False
    assert reason.startswith("Оплата при получении недоступна")


def test_a_refusal_before_the_parcel_ships_cancels_the_order_and_releases_stock():
    sku = SkuFactory(stock=4)
    payment = cod_payment(skus=[sku], quantity=1)
    cod_parcel_registered(order=payment.order, tracking_number=TRACK)

    cod_refused(order=payment.order, reason="отказ")

    payment.order.refresh_from_db()
    assert payment.order.status == OrderStatus.CANCELLED
    assert Sku.objects.get(pk=sku.pk).stock == 4


def test_a_repeated_refusal_changes_nothing_more():
    sku = SkuFactory(stock=5)
    payment = cod_shipped(tracking_number=TRACK, skus=[sku])

    cod_refused(tracking_number=TRACK, reason="отказ")
    cod_refused(tracking_number=TRACK, reason="отказ")

    assert Sku.objects.get(pk=sku.pk).stock == 5
    assert payment.events.filter(to_status=PaymentStatus.UNCOLLECTED).count() == 1
    assert CodCustomerFlag.objects.count() == 1


def test_a_refusal_after_collection_changes_nothing():
    payment = cod_shipped(tracking_number=TRACK)
    cod_collected(order=payment.order, amount=payment.amount)

    cod_refused(order=payment.order, reason="отказ")

    payment.refresh_from_db()
    payment.order.refresh_from_db()
    assert payment.status == PaymentStatus.COLLECTED
    assert payment.order.status == OrderStatus.SHIPPED
    assert not CodCustomerFlag.objects.exists()
    assert "ignored" in payment.events.last().note
