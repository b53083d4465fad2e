"""Logistics reads: regions, promises, delivery options and costs, pickup points, what an order or cart would
ship as (parcels, duty), parcels of an order. Pages of other apps call these."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import IntegerField, QuerySet
from django.db.models.functions import Abs, Cast
from django.utils import timezone
from django.utils.formats import date_format

from storefront.catalog.exceptions import FxRateMissing
from storefront.catalog.models import Origin
from storefront.catalog.selectors import fx_rate_get
from storefront.core.money import quantize
from storefront.core.sql import row_get

from .customs import ParcelPlan, ShipItem, customs_rule_get, duty_eur, eur_rate_get, parcel_plan, to_eur
from .models import CustomsRule, DeliveryMethod, OrderDelivery, Parcel, PickupPoint, Region
from .promise import MOSCOW, DeliveryPromise, RuleBook, delivery_promise, rule_book_get

__all__ = ["delivery_promise"]  # re-exported: the public promise selector lives in promise.py


def region_get(*, postcode: str) -> Region | None:
    return rule_book_get().region(postcode)


# --- delivery options and costs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryOption:
    method: str
    label: str
    cost: Decimal


def delivery_cost_get(
    *, method: str, postcode: str, weight_grams: int, subtotal: Decimal, book: RuleBook | None = None
) -> Decimal:
    """The shopper's price for `method` to `postcode`: the most specific tariff's base plus its price per started
    kilogram above the first; 0 from the tariff's free-delivery sum. KeyError for a method without a tariff for
    the region; the flat settings.STORE_DELIVERY_COSTS_RUB when the method has no tariff rows at all."""
    book = book or rule_book_get()
    region = book.region(postcode)
    tariffs = book.tariffs.get(method, [])
    if not tariffs and method in settings.STORE_DELIVERY_COSTS_RUB:
        # no tariff rows for the method at all (a database before the seed, or ops removed them): the flat cost
        return Decimal(settings.STORE_DELIVERY_COSTS_RUB[method])
    tariff = next((t for t in tariffs if t.matches(region)), None)
    if tariff is None:
        raise KeyError(method)
    if tariff.free_from_rub is not None and subtotal >= tariff.free_from_rub:
        return Decimal("0.00")
    extra_kg = max(math.ceil(weight_grams / 1000) - 1, 0)
    return tariff.base_rub + tariff.per_kg_rub * extra_kg


def delivery_options_get(*, postcode: str, weight_grams: int, subtotal: Decimal) -> list[DeliveryOption]:
    """Every method with a tariff for this postcode, in display order (post office first)."""
    book = rule_book_get()
    options = []
    for method, label in DeliveryMethod.choices:
        try:
            cost = delivery_cost_get(
                method=method, postcode=postcode, weight_grams=weight_grams, subtotal=subtotal, book=book
            )
        except KeyError:
            continue
        options.append(DeliveryOption(method=method, label=str(label), cost=cost))
    return options


# --- what goods would ship as ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryQuote:
    postcode: str
    region: Region | None
    promises: list[DeliveryPromise]  # one per origin, in origin order
    plan: ParcelPlan | None  # None when a EUR rate is missing (no duty estimate then)
    weight_grams: int

    @property
    def promised_from(self) -> datetime.date | None:
        return min((p.date_from for p in self.promises), default=None)

    @property
    def promised_by(self) -> datetime.date | None:
        return max((p.date_to for p in self.promises), default=None)

    @property
    def duty_rub(self) -> Decimal:
        return self.plan.duty_rub if self.plan else Decimal("0.00")

    @property
    def parcel_count(self) -> int:
        return len(self.plan.parcels) if self.plan else len(self.promises)


def delivery_quote(
    *, items: list[ShipItem], postcode: str, at: datetime.datetime | None = None, local: bool = False
) -> DeliveryQuote:
    """Promises per origin, the parcel split and the duty for goods going to `postcode`, ordered at `at`.
    `local`: the customs regime and EUR rate may come from this process's copy (customs.customs_terms_get)."""
    at = at or timezone.now()
    origins = sorted({item.origin for item in items})
    promises = [p for p in (delivery_promise(origin=o, postcode=postcode, at=at) for o in origins) if p]
    try:
        plan = parcel_plan(items=items, on=timezone.localtime(at, MOSCOW).date(), local=local)
    except FxRateMissing:
        plan = None
    return DeliveryQuote(
        postcode=postcode,
        region=region_get(postcode=postcode),
        promises=promises,
        plan=plan,
        weight_grams=sum(i.weight_grams * i.quantity for i in items),
    )


def ship_items_from_skus(lines: Iterable[tuple[object, int]]) -> list[ShipItem]:
    """ShipItems for (sku with product loaded, quantity) pairs at today's rates (cart, product page)."""
    rates: dict[str, Decimal] = {}
    items = []
    for sku, quantity in lines:
        if sku.currency not in rates:
            try:
                rates[sku.currency] = fx_rate_get(currency=sku.currency)
            except FxRateMissing:
                continue
        items.append(
            ShipItem(
                key=sku.pk,
                origin=sku.product.origin,
                quantity=quantity,
                unit_price=sku.price,
                currency=sku.currency,
                rub_rate=rates[sku.currency],
                weight_grams=sku.product.weight_grams,
            )
        )
    return items


def ship_items_from_order(order) -> list[ShipItem]:
    """ShipItems for an order's lines with the prices and rates frozen on them."""
    return [
        ShipItem(
            key=line.pk,
            origin=line.sku.product.origin,
            quantity=line.quantity,
            unit_price=line.unit_price,
            currency=line.currency,
            rub_rate=line.fx_rate,
            weight_grams=line.sku.product.weight_grams,
        )
        for line in order.lines.select_related("sku__product").order_by("id")
    ]


# --- product page --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyEstimate:
    rule: CustomsRule
    value_eur: Decimal
    weight_grams: int
    duty_eur: Decimal
    duty_rub: Decimal

    @property
    def is_free(self) -> bool:
        return self.duty_eur == 0


def duty_estimate_for_sku(*, sku, on: datetime.date | None = None) -> DutyEstimate | None:
    """The duty on one unit of a cross-border SKU shipped alone; None for Russian stock or without rules/rates."""
    if sku is None or sku.product.origin == Origin.RUSSIA:
        return None
    on = on or timezone.localdate()
    rule = customs_rule_get(on=on)
    if rule is None:
        return None
    try:
        rub_rate = fx_rate_get(currency=sku.currency, on=on)
        eur_rate = eur_rate_get(on=on)
    except FxRateMissing:
        return None
    value = to_eur(amount=sku.price, rub_rate=rub_rate, eur_rate=eur_rate)
    weight = sku.product.weight_grams
    duty = duty_eur(rule=rule, value_eur=value, weight_grams=weight)
    return DutyEstimate(
        rule=rule, value_eur=value, weight_grams=weight, duty_eur=duty, duty_rub=quantize(duty * eur_rate)
    )


# --- pickup points -------------------------------------------------------------------------------------------------

PICKUP_RESULTS = 8
PICKUP_QUERY_MAX_CHARS = 80
PICKUP_CITY_MAX_WORDS = 3  # "Нижний Новгород", "Набережные Челны": each split tried is a query, so few


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # str.isdigit() is also true of "²" or "١", which int() refuses


def pickup_point_search(*, query: str, near: str = "", limit: int = PICKUP_RESULTS) -> list[PickupPoint]:
    """Active pickup points by postcode (digits: the nearest indexes first) or by city / street words; with an
    empty query, the points nearest to the `near` postcode."""
    query = " ".join((query or "").split())[:PICKUP_QUERY_MAX_CHARS]
    qs = PickupPoint.objects.filter(is_active=True)
    digits = query.replace(" ", "")
    if not query:
        digits = near if _ascii_digits(near or "") and len(near) == 6 else ""
        if not digits:
            return []
    if _ascii_digits(digits):
        return list(_nearest_by_postcode(qs, digits)[:limit])
    words = query.split()
    by_city = qs.filter(city__istartswith=query)
    if not by_city.exists() and len(words) > 1:
        # "Казань Баумана": the first word(s) a city, the rest part of the address
        for split in range(min(len(words) - 1, PICKUP_CITY_MAX_WORDS), 0, -1):
            city, street = " ".join(words[:split]), " ".join(words[split:])
            by_city = qs.filter(city__istartswith=city, address__icontains=street)
            if by_city.exists():
                break
    if not by_city.exists():
        by_city = qs.filter(address__icontains=query)
    return list(by_city.order_by("city", "-has_parcel_window", "postcode")[:limit])


def _nearest_by_postcode(qs: QuerySet[PickupPoint], digits: str) -> QuerySet[PickupPoint]:
    digits = digits[:6]
    if len(digits) < 6:
        return qs.filter(postcode__startswith=digits).order_by("postcode")
    return (
        qs.filter(postcode__startswith=digits[:3])
        .annotate(distance=Abs(Cast("postcode", IntegerField()) - int(digits)))
        .order_by("distance", "postcode")
    )


def pickup_point_get(*, pk: int | str | None) -> PickupPoint | None:
    """A working pickup point by id (the checkout checks the chosen one on every step and when placing)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not -(2**63) <= pk < 2**63:
        return None
    return row_get(PickupPoint, where="id = %s AND is_active", params=[pk])


# --- orders --------------------------------------------------------------------------------------------------------


def order_delivery_get(*, order) -> OrderDelivery | None:
    return OrderDelivery.objects.select_related("pickup_point").filter(order=order).first()


def parcel_list_for_order(*, order) -> QuerySet[Parcel]:
    return Parcel.objects.filter(order=order).order_by("id")


@dataclass(frozen=True)
class PromisedDates:
    origin: str
    date_from: datetime.date
    date_to: datetime.date

    @property
    def text(self) -> str:
        """ "3–7 декабря", "28 ноября – 3 декабря", "5 декабря"."""
        lo, hi = self.date_from, self.date_to
        if lo == hi:
            return date_format(hi, "j E")
        if (lo.year, lo.month) == (hi.year, hi.month):
            return f"{lo.day}–{date_format(hi, 'j E')}"
        return f"{date_format(lo, 'j E')} – {date_format(hi, 'j E')}"


@dataclass(frozen=True)
class OrderShipping:
    """An order's delivery for its page: the method, pickup point and promise frozen at placing (None for an order
    placed before logistics recorded it), and its parcels once made."""

    delivery: OrderDelivery | None
    parcels: list[Parcel]

    @property
    def promises(self) -> list[PromisedDates]:
        """The promise per warehouse as the shopper was shown it; the overall dates when none was recorded."""
        if self.delivery is None:
            return []
        per_origin = [
            PromisedDates(
                origin=p["origin"],
                date_from=datetime.date.fromisoformat(p["from"]),
                date_to=datetime.date.fromisoformat(p["by"]),
            )
            for p in self.delivery.promise or []
            if p.get("from") and p.get("by")
        ]
        if per_origin:
            return per_origin
        return [PromisedDates(origin="", date_from=self.delivery.promised_from, date_to=self.delivery.promised_by)]


_ORDER_PAGE_PARCEL_FIELDS = ("id", "order_id", "reference", "origin", "tracking_number", "status", "storage_deadline")


def order_shipping_get(*, order) -> OrderShipping:
    """What the order page shows about delivery, in two queries (the record with its pickup point, the parcels)."""
    parcels = parcel_list_for_order(order=order).only(*_ORDER_PAGE_PARCEL_FIELDS)
    return OrderShipping(delivery=order_delivery_get(order=order), parcels=list(parcels))


# --- checkout ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutDelivery:
    """What the checkout shows and charges for delivery of a cart to a postcode."""

    postcode: str
    options: list[DeliveryOption]
    quote: DeliveryQuote | None  # None before the address is known
    subtotal: Decimal = Decimal("0.00")  # the goods the costs were computed for

    def option(self, method: str) -> DeliveryOption | None:
        return next((o for o in self.options if o.method == method), None)

    @property
    def totals(self) -> list[tuple[DeliveryOption, Decimal]]:
        """Each option with the order's total by it: the summary follows the method while it is being chosen."""
        return [(o, self.subtotal + o.cost) for o in self.options]


def checkout_delivery_get(
    *, lines: Iterable[tuple[object, int]], subtotal: Decimal, postcode: str, at: datetime.datetime | None = None
) -> CheckoutDelivery:
    """Options with costs (by region, weight and sum), the promise per warehouse and the duty for (sku, quantity)
    lines going to `postcode` ("" while unknown: the costs for any region, no promise)."""
    items = ship_items_from_skus(lines)
    weight = sum(i.weight_grams * i.quantity for i in items)
    options = delivery_options_get(postcode=postcode or "", weight_grams=weight, subtotal=subtotal)
    quote = delivery_quote(items=items, postcode=postcode, at=at, local=True) if postcode and items else None
    return CheckoutDelivery(postcode=postcode or "", options=options, quote=quote, subtotal=subtotal)
