"""Registering parcels with the partner: the barcode it assigns becomes the tracking number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from logistics.models import ParcelStatus
from logistics.postal.registration import backlog_order_payload, parcel_post_register, parcels_post_register_due
from logistics.tracking_numbers import is_valid
from payments.models import CodCollection
from tests.logistics.factories import ParcelFactory

from .factories import packed_order

pytestmark = pytest.mark.django_db


def test_registered_parcel_gets_the_partner_barcode_as_its_tracking_number(post_sandbox):
    parcel = ParcelFactory(order=packed_order())
    registered = parcel_post_register(parcel=parcel, actor="system")
    parcel.refresh_from_db()
    assert parcel.tracking_number == registered.barcode
    assert is_valid(parcel.tracking_number)
    assert parcel.status == ParcelStatus.REGISTERED


def test_registering_again_keeps_the_first_barcode(post_sandbox):
    parcel = ParcelFactory(order=packed_order())
    first = parcel_post_register(parcel=parcel, actor="system")
    again = parcel_post_register(parcel=parcel, actor="system")
    assert again.barcode == first.barcode and not again.created


def test_cod_parcel_carries_the_amount_in_kopecks_and_payments_learns_its_number(post_sandbox):
    order = packed_order(cod=True)
    parcel = ParcelFactory(order=order, cod_amount=order.total, declared_value=order.total)
    payload = backlog_order_payload(parcel)
    assert payload["mail-category"] == "WITH_DECLARED_VALUE_AND_CASH_ON_DELIVERY"
    assert payload["payment"] == int(order.total * 100) == payload["insr-value"]
    registered = parcel_post_register(parcel=parcel, actor="system")
    assert CodCollection.objects.get(order=order).tracking_number == registered.barcode


def test_prepaid_parcel_is_registered_with_declared_value_only():
    parcel = ParcelFactory.build(declared_value=Decimal("1234.50"), cod_amount=Decimal(0), reference="MS-1-1")
    payload = backlog_order_payload(parcel)
    assert (payload["mail-category"], payload["insr-value"], "payment" in payload) == (
        "WITH_DECLARED_VALUE",
        123450,
        False,
    )


def test_beat_registers_packed_parcels_only(post_sandbox):
    packed = ParcelFactory(order=packed_order())
    not_packed = ParcelFactory()  # its order was only placed
    assert parcels_post_register_due() == {"registered": 1, "refused": 0}
    packed.refresh_from_db()
    not_packed.refresh_from_db()
    assert (packed.status, not_packed.status) == (ParcelStatus.REGISTERED, ParcelStatus.CREATED)


def test_a_parcel_the_post_refuses_is_left_for_support_and_the_others_go_on(post_sandbox):
    bad = ParcelFactory(order=packed_order(), weight_grams=1, postcode="012345")
    good = ParcelFactory(order=packed_order())
    assert parcels_post_register_due() == {"registered": 1, "refused": 1}
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.tracking_number, bool(good.tracking_number)) == ("", True)
