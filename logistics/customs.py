"""Customs for parcels to individuals: the regime in force on a date, the duty on one parcel, and the split of
an order's goods into parcels (by origin warehouse; cross-border ones kept under the duty-free threshold where
the regime allows splitting).

Values are compared in EUR: a seller's price × its rouble rate ÷ the EUR rate of the order day, rounded to the
cent once per unit. Thresholds are inclusive: €200.00 and 31.000 kg are duty-free, €200.01 and 31.001 kg are not.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from storefront.catalog.models import Origin
from storefront.catalog.selectors import fx_rate_get
from storefront.core.local_copy import LocalCopy
from storefront.core.money import quantize

from .models import CustomsRule, DutyBase

GRAMS_PER_KG = Decimal(1000)


def customs_rule_get(*, on: datetime.date) -> CustomsRule | None:
    """The regime in force on `on` (the latest one started by then and not ended)."""
    return (
        CustomsRule.objects.filter(valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("-valid_from")
        .first()
    )


def eur_rate_get(*, on: datetime.date) -> Decimal:
    """Roubles per euro on `on` (stored CBR rates); raises FxRateMissing when none is loaded."""
    return fx_rate_get(currency="EUR", on=on)


# This process's copy of the regime and the EUR rate per day (storefront.core.local_copy), for quotes that may use it
# (the checkout quotes on every step and again when placing: two queries); rules_cache_clear (the admin's edits) drops
# it at once. Writers (placement of a recorded order, duty estimates) read the database.
_terms_local: LocalCopy[tuple[CustomsRule | None, Decimal]] = LocalCopy(max_keys=8)  # a few days at most


def customs_terms_get(*, on: datetime.date, local: bool = False) -> tuple[CustomsRule | None, Decimal]:
    """(the regime in force on `on`, roubles per euro on `on`); raises FxRateMissing when no EUR rate is loaded.
    `local`: this process's copy may answer (see above)."""
    if local:
        return _terms_local.get(on, lambda: (customs_rule_get(on=on), eur_rate_get(on=on)))
    return customs_rule_get(on=on), eur_rate_get(on=on)


def customs_terms_clear() -> None:
    _terms_local.clear()


def to_eur(*, amount: Decimal, rub_rate: Decimal, eur_rate: Decimal) -> Decimal:
    """An amount in a currency whose rouble rate is `rub_rate`, in euros to the cent."""
    return quantize(amount * rub_rate / eur_rate)


def is_duty_free(*, rule: CustomsRule, value_eur: Decimal, weight_grams: int) -> bool:
    return value_eur <= rule.threshold_eur and Decimal(weight_grams) <= rule.threshold_kg * GRAMS_PER_KG


def duty_eur(*, rule: CustomsRule, value_eur: Decimal, weight_grams: int) -> Decimal:
    """The duty on one parcel in EUR (0 when within both thresholds)."""
    if is_duty_free(rule=rule, value_eur=value_eur, weight_grams=weight_grams):
        return Decimal("0.00")
    weight_kg = Decimal(weight_grams) / GRAMS_PER_KG
    if rule.duty_base == DutyBase.EXCESS:
        by_value = rule.rate * max(value_eur - rule.threshold_eur, Decimal(0))
    else:
        by_value = rule.rate * value_eur
    if rule.min_per_kg_base == DutyBase.EXCESS:
        by_weight = rule.min_eur_per_kg * max(weight_kg - rule.threshold_kg, Decimal(0))
    else:
        by_weight = rule.min_eur_per_kg * weight_kg
    return max(by_value, by_weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ShipItem:
    """Goods to ship: `key` identifies the source line (an order line id, a SKU id)."""

    key: int
    origin: str
    quantity: int
    unit_price: Decimal  # in `currency`
    currency: str
    rub_rate: Decimal  # roubles per unit of `currency`
    weight_grams: int  # one unit

    @property
    def unit_value_rub(self) -> Decimal:
        return quantize(self.unit_price * self.rub_rate)


@dataclass
class PlannedParcel:
    origin: str
    units: dict[int, int] = field(default_factory=dict)  # item key -> quantity
    value_eur: Decimal = Decimal("0.00")
    value_rub: Decimal = Decimal("0.00")
    weight_grams: int = 0
    duty_eur: Decimal = Decimal("0.00")
    duty_rub: Decimal = Decimal("0.00")

    def add(self, item: ShipItem, value_eur: Decimal, n: int = 1) -> None:
        self.units[item.key] = self.units.get(item.key, 0) + n
        self.value_eur += value_eur * n
        self.value_rub += item.unit_value_rub * n
        self.weight_grams += item.weight_grams * n


@dataclass(frozen=True)
class ParcelPlan:
    parcels: list[PlannedParcel]
    rule: CustomsRule | None
    eur_rate: Decimal | None

    @property
    def duty_eur(self) -> Decimal:
        return sum((p.duty_eur for p in self.parcels), Decimal("0.00"))

    @property
    def duty_rub(self) -> Decimal:
        return sum((p.duty_rub for p in self.parcels), Decimal("0.00"))

    @property
    def cross_border_count(self) -> int:
        return sum(1 for p in self.parcels if p.origin != Origin.RUSSIA)


def parcel_plan(*, items: Iterable[ShipItem], on: datetime.date, local: bool = False) -> ParcelPlan:
    """Split goods into parcels: one per origin warehouse; cross-border goods packed greedily (first fit, by value
    then weight, largest first) into parcels that stay within the duty-free value and weight when the regime in
    force on `on` allows splitting, at most `rule.max_parcels` of them; each parcel's duty is computed.

    Raises FxRateMissing when cross-border goods need a EUR rate that is not loaded. `local`: the regime and the
    EUR rate may come from this process's copy (`customs_terms_get`).
    """
    by_origin: dict[str, list[ShipItem]] = {}
    for item in items:
        by_origin.setdefault(item.origin, []).append(item)
    parcels: list[PlannedParcel] = []
    rule = eur_rate = None
    for origin in sorted(by_origin):
        group = by_origin[origin]
        if origin == Origin.RUSSIA:
            parcel = PlannedParcel(origin=origin)
            for item in group:
                parcel.add(item, Decimal("0.00"), item.quantity)
            parcels.append(parcel)
            continue
        if eur_rate is None:
            rule, eur_rate = customs_terms_get(on=on, local=local)
        parcels.extend(_cross_border(origin, group, rule=rule, eur_rate=eur_rate))
    return ParcelPlan(parcels=parcels, rule=rule, eur_rate=eur_rate)


def _cross_border(origin: str, group: list[ShipItem], *, rule: CustomsRule | None, eur_rate: Decimal):
    units = []  # (value_eur, weight, item) per piece
    for item in group:
        value = to_eur(amount=item.unit_price, rub_rate=item.rub_rate, eur_rate=eur_rate)
        units.extend([(value, item.weight_grams, item)] * item.quantity)
    if rule is None or not rule.split_allowed:
        bins = [PlannedParcel(origin=origin)]
        for value, _weight, item in units:
            bins[0].add(item, value)
    else:
        bins = _first_fit(origin, units, rule=rule)
    for parcel in bins:
        if rule is not None:
            parcel.duty_eur = duty_eur(rule=rule, value_eur=parcel.value_eur, weight_grams=parcel.weight_grams)
            parcel.duty_rub = quantize(parcel.duty_eur * eur_rate)
    return bins


def _first_fit(origin: str, units: list, *, rule: CustomsRule) -> list[PlannedParcel]:
    max_weight = rule.threshold_kg * GRAMS_PER_KG
    bins: list[PlannedParcel] = []
    for value, weight, item in sorted(units, key=lambda u: (-u[0], -u[1], u[2].key)):
        target = next(
            (b for b in bins if b.value_eur + value <= rule.threshold_eur and b.weight_grams + weight <= max_weight),
            None,
        )
        if target is None:  # a piece over the threshold on its own also lands here, alone
            target = PlannedParcel(origin=origin)
            bins.append(target)
        target.add(item, value)
    while len(bins) > rule.max_parcels:  # too many parcels: merge the two cheapest
        bins.sort(key=lambda b: (b.value_eur, b.weight_grams))
        first, second = bins[0], bins.pop(1)
        for key, n in second.units.items():
            first.units[key] = first.units.get(key, 0) + n
        first.value_eur += second.value_eur
        first.value_rub += second.value_rub
        first.weight_grams += second.weight_grams
    return bins
