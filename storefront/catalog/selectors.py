"""Catalog reads."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.cache import cache

from storefront.core.local_copy import LocalCopy
from storefront.core.money import quantize, round_rouble

from .exceptions import FxRateMissing
from .models import FxRate

FX_CACHE_KEY = "fx:latest:{currency}"


# This process's copy of the latest rates (storefront.core.local_copy): a checkout asks for the same rate three or
# four times per request (cart, delivery quote, order), a Redis round trip each.
_local: LocalCopy[Decimal] = LocalCopy()


def fx_rate_get(*, currency: str, on: datetime.date | None = None) -> Decimal:
    """Roubles per one unit of `currency`: the latest CBR rate on or before `on` (today when None)."""
    if currency == "RUB":
        return Decimal(1)
    if on is not None:
        return fx_rate_get_uncached(currency=currency, on=on)
    return _local.get(currency, lambda: _fx_rate_latest(currency))


def _fx_rate_latest(currency: str) -> Decimal:
    cached = cache.get(FX_CACHE_KEY.format(currency=currency))
    if cached is not None:
        return Decimal(cached)
    rate = fx_rate_get_uncached(currency=currency)
    cache.set(FX_CACHE_KEY.format(currency=currency), str(rate), 3600)
    return rate


def fx_rates_local_clear() -> None:
    _local.clear()


def fx_rate_get_uncached(*, currency: str, on: datetime.date | None = None) -> Decimal:
    """`fx_rate_get` straight from the database: for writers that must see rates loaded in their own transaction."""
    if currency == "RUB":
        return Decimal(1)
    qs = FxRate.objects.filter(currency=currency)
    if on is not None:
        qs = qs.filter(date__lte=on)
    row = qs.order_by("-date").values_list("rate", "nominal").first()
    if row is None:
        raise FxRateMissing()
    return (row[0] / row[1]).quantize(Decimal("0.000001"))


def price_to_rub(*, amount: Decimal, currency: str, rate: Decimal | None = None) -> Decimal:
    """A seller's price in roubles, rounded once, in one place.

    A rouble price stays as the seller set it; a converted one is shown and charged in whole roubles (half up),
    the way shoppers see prices everywhere else: "1 899 ₽", not "1 898,63 ₽".
    """
    if currency == "RUB":
        return quantize(amount)
    if rate is None:
        rate = fx_rate_get(currency=currency)
    return round_rouble(amount * rate)
