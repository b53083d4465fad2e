"""A pay-on-delivery order that logistics splits into several parcels: each parcel goes to the post (the Otpravka
sandbox over HTTP) with its part of the amount to collect in kopecks, the parts add up to the order's amount to the
kopeck, payments learns each parcel's barcode, and the payment is collected only when the post has collected every
parcel (logistics' COD report per parcel)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from logistics.customs import customs_rule_get
from logistics.models import CustomsRule
from logistics.postal.cod import COLLECTED, REFUSED, parcel_cod_report
from logistics.postal.registration import backlog_order_payload, parcel_post_register
from logistics.services import parcels_create_for_order
from orders.models import OrderStatus
from payments.models import CodCollection, CodCustomerFlag, PaymentStatus
from tests.catalog.factories import FxRateFactory, ProductFactory, SkuFactory

from .factories import packed_order

pytestmark = pytest.mark.django_db


def _split_cod_order():
    """EU goods (two pieces of 150 € cannot share a parcel under 200 €) and a Russian one: three parcels."""
    FxRateFactory(currency="EUR", date=timezone.localdate() - datetime.timedelta(days=1), rate=Decimal("100"))
    rule = customs_rule_get(on=timezone.localdate())
    CustomsRule.objects.filter(pk=rule.pk).update(split_allowed=True)
    eu = SkuFactory(product=ProductFactory(origin="EU", weight_grams=500), price=Decimal("15000.00"), stock=9)
    ru = SkuFactory(product=ProductFactory(origin="RU", weight_grams=500), price=Decimal("333.33"), stock=9)
    order = packed_order(cod=True, skus=[eu, ru], quantity=2)
    parcels = parcels_create_for_order(order=order, actor="system")
    assert len(parcels) == 3
    return order, parcels


def test_each_parcel_goes_to_the_post_with_its_part_in_kopecks_adding_up_to_the_order(post_sandbox):
    order, parcels = _split_cod_order()

    payloads = [backlog_order_payload(p) for p in parcels]
    for parcel in parcels:
        parcel_post_register(parcel=parcel, actor="system")

    assert all(p["mail-category"] == "WITH_DECLARED_VALUE_AND_CASH_ON_DELIVERY" for p in payloads)
    assert all(p["payment"] <= p["insr-value"] for p in payloads)  # the post refuses COD above the declared value
    assert sum(p["payment"] for p in payloads) == int(order.total * 100)
    collections = {c.parcel_reference: c for c in CodCollection.objects.filter(order=order)}
    for parcel in parcels:
        parcel.refresh_from_db()
        assert collections[parcel.reference].amount == parcel.cod_amount
        assert collections[parcel.reference].tracking_number == parcel.tracking_number


def test_the_payment_is_collected_when_the_post_has_collected_every_parcel(post_sandbox):
    order, parcels = _split_cod_order()
    for parcel in parcels:
        parcel_post_register(parcel=parcel, actor="system")
    payment = order.payments.get()

    for parcel in parcels[:-1]:
        parcel_cod_report(parcel_id=parcel.pk, outcome=COLLECTED, at="")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AWAITING_COLLECTION

    parcel_cod_report(parcel_id=parcels[-1].pk, outcome=COLLECTED, at="")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COLLECTED
    assert sum(CodCollection.objects.filter(order=order).values_list("collected_amount", flat=True)) == order.total


def test_a_refused_parcel_flags_the_shopper_and_when_nothing_is_bought_out_the_order_is_cancelled(post_sandbox):
    order, parcels = _split_cod_order()
    for parcel in parcels:
        parcel_post_register(parcel=parcel, actor="system")

    parcel_cod_report(parcel_id=parcels[0].pk, outcome=REFUSED, at="", reason="Отказ адресата")
    assert CodCustomerFlag.objects.filter(order=order).exists()
    for parcel in parcels[1:]:
        parcel_cod_report(parcel_id=parcel.pk, outcome=REFUSED, at="", reason="Отказ адресата")

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED  # not shipped yet in our books: cancelled, stock back
    assert order.payments.get().status == PaymentStatus.UNCOLLECTED
