"""From an order to parcels.

- `order_delivery_placing`: the checkout freezes how the order travels (method, pickup point, cost, promise per
  origin, estimated duty) in an OrderDelivery row written with the order. Orders placed elsewhere (demo data, the
  admin) get the same record lazily (`order_delivery_record`), computed for their placement moment.
- `parcels_create_for_order`: once an order is confirmed (pay on delivery) or paid, its goods become parcels:
  one per origin warehouse, cross-border goods split under the duty-free threshold where the customs regime
  allows it (logistics.customs.parcel_plan), each cross-border parcel with its CN23 declaration.
- `parcels_sync`: the beat job that finds such orders (and cancels the unsent parcels of cancelled orders);
  orders never import logistics, so logistics looks at them.

Locking policy: the OrderDelivery row is the per-order lock (SELECT ... FOR UPDATE) for creating parcels, so two
runs never make parcels for the same order twice.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from orders.models import Order, OrderStatus, PaymentMethod
from orders.services import PlacingWrites, RowWrite
from payments.cod import cod_amount_for_order, cod_parcels_plan
from storefront.catalog.exceptions import FxRateMissing
from storefront.catalog.models import Origin
from storefront.core.money import quantize

from ..customs import ParcelPlan, PlannedParcel, parcel_plan
from ..hs_names import hs_english_name
from ..models import (
    CustomsDeclaration,
    CustomsDeclarationLine,
    DeliveryMethod,
    OrderDelivery,
    Parcel,
    ParcelLine,
    ParcelStatus,
    ParcelStatusChange,
    PickupPoint,
)
from ..promise import MOSCOW
from ..selectors import DeliveryQuote, delivery_quote, pickup_point_search, ship_items_from_order
from .parcels import actor_parts, parcel_status_change

logger = logging.getLogger(__name__)

PARCEL_STATUSES_FOR_ORDER = (OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.PACKED)
ORIGIN_COUNTRY = {Origin.CHINA: "CN", Origin.RUSSIA: "RU"}


def order_delivery_record(
    *, order: Order, pickup_point: PickupPoint | None = None, actor, quote: DeliveryQuote | None = None
) -> OrderDelivery:
    """Freeze the order's delivery: the promise as it stood when the order was placed, the chosen pickup point,
    the cost the order charged, the estimated duty. Idempotent: an order keeps its first record. For an order
    already placed (demo data, the admin); the checkout writes it with the order (`order_delivery_placing`).

    `quote`: one computed for this order's lines and address (else computed here from the order's lines). Runs in
    the caller's transaction when there is one, else in its own."""
    with transaction.atomic():
        return _order_delivery_record(order=order, pickup_point=pickup_point, quote=quote)


def order_delivery_placing(*, order: Order, pickup_point: PickupPoint | None, quote: DeliveryQuote) -> PlacingWrites:
    """The delivery record of an order being placed (orders.order_place's `with_order`), written in the statement
    that places it: `quote` is the one the checkout computed for this cart and address (what the shopper was shown),
    `pickup_point` the one they chose (None: the nearest to the address)."""
    if quote is None or quote.postcode != order.postcode:  # the order has no lines to compute one from yet
        raise ValueError("order_delivery_placing needs the quote computed for this cart and the order's postcode")
    return PlacingWrites(rows=[RowWrite(_order_delivery_new(order=order, pickup_point=pickup_point, quote=quote))])


def _order_delivery_record(
    *, order: Order, pickup_point: PickupPoint | None, quote: DeliveryQuote | None = None
) -> OrderDelivery:
    existing = OrderDelivery.objects.filter(order=order).first()
    if existing is not None:
        return existing
    delivery = _order_delivery_new(order=order, pickup_point=pickup_point, quote=quote)
    try:
        with transaction.atomic():
            delivery.save(force_insert=True)
            return delivery
    except IntegrityError:  # a concurrent call recorded it first
        return OrderDelivery.objects.get(order=order)


def _order_delivery_new(
    *, order: Order, pickup_point: PickupPoint | None, quote: DeliveryQuote | None
) -> OrderDelivery:
    """The record, not saved yet."""
    if quote is None or quote.postcode != order.postcode:
        quote = delivery_quote(items=ship_items_from_order(order), postcode=order.postcode, at=order.placed_at)
    if order.delivery_method == DeliveryMethod.POST_PICKUP and pickup_point is None:
        nearest = pickup_point_search(query="", near=order.postcode, limit=1)  # placed without choosing one
        pickup_point = nearest[0] if nearest else None
    if order.delivery_method != DeliveryMethod.POST_PICKUP:
        pickup_point = None
    placed_day = timezone.localtime(order.placed_at, MOSCOW).date()
    plan = quote.plan
    return OrderDelivery(
        order=order,
        method=order.delivery_method,
        pickup_point=pickup_point,
        cost=order.delivery_cost,
        region_subject=quote.region.subject if quote.region else "",
        promised_from=quote.promised_from or placed_day,
        promised_by=quote.promised_by or placed_day,
        promise=[p.as_json() for p in quote.promises],
        duty_eur=plan.duty_eur if plan else Decimal("0.00"),
        duty_rub=plan.duty_rub if plan else Decimal("0.00"),
        customs_rule=plan.rule if plan else None,
    )


def parcels_create_for_order(*, order: Order, actor) -> list[Parcel]:
    """Make the parcels of a confirmed or paid order (idempotent: an order that has parcels keeps them).

    Raises FxRateMissing when cross-border goods need a EUR rate that is not loaded (the sync retries later).
    """
    with transaction.atomic(durable=True):
        delivery = _order_delivery_record(order=order, pickup_point=None)
        OrderDelivery.objects.select_for_update().filter(pk=delivery.pk).first()
        existing = list(Parcel.objects.filter(order=order).order_by("id"))
        if existing:
            return existing
        order = Order.objects.get(pk=order.pk)
        if order.status not in PARCEL_STATUSES_FOR_ORDER:
            return []
        return _parcels_make(order=order, delivery=delivery, actor=actor)


def _parcels_make(*, order: Order, delivery: OrderDelivery, actor) -> list[Parcel]:
    items = ship_items_from_order(order)
    plan = parcel_plan(items=items, on=timezone.localtime(order.placed_at, MOSCOW).date())
    lines = {line.pk: line for line in order.lines.select_related("sku__product")}
    promises = {p["origin"]: p for p in delivery.promise}
    point = delivery.pickup_point
    cod = _cod_split(order, plan) if order.payment_method == PaymentMethod.CASH_ON_DELIVERY else {}
    user, label = actor_parts(actor)
    now = timezone.now()
    parcels = []
    for n, planned in enumerate(plan.parcels, start=1):
        promise = promises.get(planned.origin, {})
        parcel = Parcel.objects.create(
            order=order,
            reference=f"{order.number}-{n}",
            origin=planned.origin,
            status=ParcelStatus.CREATED,
            status_changed_at=now,
            weight_grams=max(planned.weight_grams, 1),
            # the post refuses a COD sum above the declared value (DOMAIN.md 3): the parcel that carries the delivery
            # cost in its COD is declared at that sum
            declared_value=max(quantize(planned.value_rub), cod.get(n - 1, Decimal("0.00"))),
            declared_currency="RUB",
            cod_amount=cod.get(n - 1, Decimal("0.00")),
            recipient_name=order.recipient_name,
            recipient_phone=order.contact_phone,
            postcode=point.postcode if point else order.postcode,
            city=point.city if point else order.city,
            street=order.street,
            house=order.house,
            flat=order.flat,
            promised_from=_date(promise.get("from")),
            promised_by=_date(promise.get("by")),
            created_at=now,
        )
        ParcelLine.objects.bulk_create(
            ParcelLine(parcel=parcel, order_line_id=key, quantity=qty) for key, qty in sorted(planned.units.items())
        )
        ParcelStatusChange.objects.create(
            parcel=parcel, from_status="", to_status=ParcelStatus.CREATED, actor=user, actor_label=label, at=now
        )
        if planned.origin != Origin.RUSSIA:
            _declaration_make(parcel=parcel, planned=planned, plan=plan, lines=lines, invoice=order.number)
        parcels.append(parcel)
    if cod:  # payments keeps what the post collects in each parcel (in this transaction); it checks they add up
        cod_parcels_plan(order=order, parts=[(p.reference, p.cod_amount) for p in parcels], actor=actor)
    return parcels


def _cod_split(order: Order, plan: ParcelPlan) -> dict[int, Decimal]:
    """What the post collects per parcel (index in the plan): the order's pay-on-delivery amount as payments keeps
    it, shared by the goods in each parcel, delivery with the first; the last takes the rounding so the parts add
    up to the kopeck. Empty when payments has nothing to collect."""
    total = cod_amount_for_order(order).amount
    if total <= 0:
        return {}
    parts, left = {}, total
    for i, planned in enumerate(plan.parcels):
        if i == len(plan.parcels) - 1:
            parts[i] = left
            break
        share = quantize(planned.value_rub + (order.delivery_cost if i == 0 else Decimal("0.00")))
        parts[i] = min(share, left)
        left -= parts[i]
    return parts


def _declaration_make(*, parcel: Parcel, planned: PlannedParcel, plan: ParcelPlan, lines: dict, invoice: str):
    declaration = CustomsDeclaration.objects.create(
        parcel=parcel,
        invoice_number=invoice,
        currency="EUR",
        total_value=planned.value_eur,
        gross_weight_grams=planned.weight_grams,
        customs_rule=plan.rule,
        duty_eur=planned.duty_eur,
        duty_rub=planned.duty_rub,
        eur_rate=plan.eur_rate,
    )
    rows = []
    for key, qty in sorted(planned.units.items()):
        line = lines[key]
        product = line.sku.product
        title = f"{line.product_title} ({line.options_text})" if line.options_text else line.product_title
        brand = f"{product.brand.name} " if product.brand_id else ""
        rows.append(
            CustomsDeclarationLine(
                declaration=declaration,
                description_ru=title[:255],
                description_en=f"{brand}{hs_english_name(product.hs_code)}"[:255],
                hs_code=product.hs_code,
                quantity=qty,
                net_weight_grams=product.weight_grams * qty,
                value=quantize(line.unit_price * qty),
                currency=line.currency,
                country_of_origin=product.country_of_origin or ORIGIN_COUNTRY.get(product.origin, ""),
            )
        )
    CustomsDeclarationLine.objects.bulk_create(rows)
    return declaration


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def parcels_cancel_for_order(*, order: Order, actor, reason: str = "") -> int:
    """Cancel the parcels of a cancelled order that have not gone to the post yet. Returns how many."""
    count = 0
    with transaction.atomic(durable=True):
        for parcel in Parcel.objects.filter(order=order, status=ParcelStatus.CREATED).order_by("id"):
            parcel_status_change(parcel=parcel, to=ParcelStatus.CANCELLED, actor=actor, reason=reason)
            count += 1
    return count


def parcels_sync(*, actor="system", limit: int = 500) -> tuple[int, int]:
    """Make parcels for confirmed/paid orders that have none; cancel unsent parcels of cancelled orders.
    Each order in its own transaction; one failing order is logged and the rest go on. Returns (made, cancelled).
    """
    made = cancelled = 0
    waiting = Order.objects.filter(status__in=PARCEL_STATUSES_FOR_ORDER, parcels__isnull=True).order_by("id")[:limit]
    for order in waiting:
        try:
            made += len(parcels_create_for_order(order=order, actor=actor))
        except FxRateMissing:
            logger.warning("no EUR rate: parcels wait", extra={"order": order.number})
        except Exception:  # the docstring's promise: this order is logged with its traceback, the others go on
            logger.exception("parcels not made for this order", extra={"order": order.number})
    dropped = (
        Order.objects.filter(status=OrderStatus.CANCELLED, parcels__status=ParcelStatus.CREATED)
        .distinct()
        .order_by("id")[:limit]
    )
    for order in dropped:
        cancelled += parcels_cancel_for_order(order=order, actor=actor, reason="order cancelled")
    return made, cancelled
