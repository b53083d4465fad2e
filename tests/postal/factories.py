"""Postal test data: orders packed and parcels registered through the services, barcodes made per scenario."""

from __future__ import annotations

import itertools
from decimal import Decimal

from logistics.models import Parcel
from logistics.services import parcel_tracking_number_set
from logistics.tracking_numbers import s10_make
from orders.models import PaymentMethod
from orders.services import order_mark_paid, order_pack
from payments.cod import cod_parcel_registered, cod_payment_start
from storefront.catalog.models import Origin
from tests.logistics.factories import ParcelFactory
from tests.orders.factories import place_order

_serials = itertools.count(20_000_000)


def barcode(country: str = "CN") -> str:
    """A fresh valid S10 number (serial % 100 < 85: the sandbox's "normal" scenario unless told otherwise)."""
    serial = next(_serials)
    while serial % 100 >= 85:
        serial = next(_serials)
    return s10_make(serial=serial, country=country)


def packed_order(*, cod: bool = False, **details):
    """An order paid (or confirmed for pay on delivery) and packed, through the orders and payments services."""
    if cod:
        order = place_order(payment_method=PaymentMethod.CASH_ON_DELIVERY, **details)
        cod_payment_start(order=order)
    else:
        order = place_order(payment_method=PaymentMethod.CARD, **details)
        order_mark_paid(order=order)
    order_pack(order=order, actor="system")
    return order


def registered_parcel(
    *, number: str | None = None, order=None, cod: bool = False, origin: str = Origin.CHINA, postcode: str = "101000"
) -> Parcel:
    """A parcel of a packed order, registered with the post under `number` (through logistics' service)."""
    order = order or packed_order(cod=cod)
    parcel = ParcelFactory(
        order=order,
        origin=origin,
        postcode=postcode,
        cod_amount=order.total if cod else Decimal(0),
        declared_value=order.total,
    )
    number = number or barcode()
    parcel_tracking_number_set(parcel=parcel, tracking_number=number, actor="system")
    if cod:
        cod_parcel_registered(order=order, tracking_number=number)
    parcel.refresh_from_db()
    return parcel
