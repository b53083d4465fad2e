"""Registering a parcel with the partner before dispatch (Otpravka backlog, DOMAIN.md 3): the barcode it assigns
becomes the parcel's tracking number.

Order of effects: the partner call first (outside any transaction), then the tracking number through logistics
(its own transaction), then payments is told the number of a pay-on-delivery parcel (its own durable one). A
failure between them is repaired by running it again: the partner finds the order it already has by our number.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist

from logistics.models import Parcel, ParcelStatus
from logistics.services import parcel_tracking_number_set
from orders.models import OrderStatus
from payments.cod import cod_parcel_registered  # logistics may call payments (ARCHITECTURE.md)
from payments.exceptions import CodNotFound

from .exceptions import RegistrationRejected
from .otpravka import OtpravkaClient, Registered

log = logging.getLogger("logistics.postal")
# ISO 3166 numeric codes for the countries our goods come from (the partner's customs entries want numbers).
COUNTRY_NUMERIC = {"CN": 156, "HK": 344, "DE": 276, "IT": 380, "FR": 250, "ES": 724, "PL": 616, "LV": 428,
                   "LT": 440, "FI": 246, "NL": 528, "CZ": 203, "TR": 792, "KR": 410, "JP": 392, "RU": 643,
                   "US": 840, "VN": 704, "IN": 356}  # fmt: skip


def _kopecks(amount) -> int:
    return int((amount * 100).to_integral_value())


def backlog_order_payload(parcel: Parcel) -> dict:
    """The partner's order for one parcel: recipient, weight, declared value, COD sum, customs declaration."""
    cod = parcel.cod_amount > 0
    order = {
        "order-num": parcel.reference,
        "mail-type": "POSTAL_PARCEL",
        "mail-category": "WITH_DECLARED_VALUE_AND_CASH_ON_DELIVERY" if cod else "WITH_DECLARED_VALUE",
        "mail-direct": 643,
        "mass": parcel.weight_grams,
        "index-to": int(parcel.postcode),
        "place-to": parcel.city,
        "street-to": parcel.street,
        "house-to": parcel.house,
        "room-to": parcel.flat,
        "recipient-name": parcel.recipient_name,
        "tel-address": int("".join(ch for ch in parcel.recipient_phone if ch.isdigit()) or 0),
        "insr-value": _kopecks(parcel.declared_value),
        "sms-notice-recipient": 1,
    }
    if cod:
        order["payment"] = _kopecks(parcel.cod_amount)
    declaration = _declaration(parcel)
    if declaration is not None:
        order["customs-declaration"] = declaration
    return order


def _declaration(parcel: Parcel) -> dict | None:
    try:
        declaration = parcel.customs  # logistics' CN23 data for a cross-border parcel
    except (AttributeError, ObjectDoesNotExist):
        return None
    return {
        "currency": declaration.currency,
        "entries-type": declaration.contents_type,
        "invoice-number": declaration.invoice_number,
        "customs-entries": [
            {
                "amount": line.quantity,
                "country-code": COUNTRY_NUMERIC.get(line.country_of_origin, 0),
                "description": line.description_ru[:60],
                "tnved-code": line.hs_code,
                "value": _kopecks(line.value),
                "weight": line.net_weight_grams,
            }
            for line in declaration.lines.all()
        ],
    }


def parcel_post_register(*, parcel: Parcel, actor, client: OtpravkaClient | None = None) -> Registered:
    """Register `parcel` with the partner and give it the barcode; raises RegistrationRejected / PartnerUnavailable."""
    registered = (client or OtpravkaClient()).order_register(backlog_order_payload(parcel))
    parcel_tracking_number_set(parcel=parcel, tracking_number=registered.barcode, actor=actor, reason="Otpravka")
    if parcel.cod_amount > 0:
        try:
            cod_parcel_registered(
                order=parcel.order, tracking_number=registered.barcode, parcel_reference=parcel.reference, actor=actor
            )
        except CodNotFound:
            log.error("COD parcel registered for an order without a COD payment", extra={"parcel": parcel.reference})
    log.info(
        "parcel registered with the post",
        extra={"parcel": parcel.reference, "barcode": registered.barcode, "new_order": registered.created},
    )
    return registered


def parcels_post_register_due(*, actor="postal", limit: int = 200, client: OtpravkaClient | None = None) -> dict:
    """Register the parcels that are packed and not yet known to the post (beat; oldest first, `limit` a run).

    A parcel the partner refuses is logged and left for support (the next run tries it again); a partner outage
    stops the run (the next one carries on).
    """
    client = client or OtpravkaClient()
    due = (
        Parcel.objects.select_related("order")
        .filter(status=ParcelStatus.CREATED, tracking_number="", order__status=OrderStatus.PACKED)
        .order_by("pk")[:limit]
    )
    done, refused = 0, 0
    for parcel in due:
        try:
            parcel_post_register(parcel=parcel, actor=actor, client=client)
            done += 1
        except RegistrationRejected as exc:
            refused += 1
            log.error("the post refused to register a parcel", extra={"parcel": parcel.reference, "why": str(exc)})
    return {"registered": done, "refused": refused}
