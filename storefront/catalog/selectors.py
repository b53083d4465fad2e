"""Catalog reads."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from storefront.core.money import quantize, round_rouble

from .exceptions import FxRateMissing
from .models import FxRate

FX_CACHE_KEY = "fx:latest:{currency}"


# This process's copy of the latest rates, trusted for STORE_CATALOG_LOCAL_SECONDS (1 s; 0: off) like the catalog's
# pages and logistics' rule book: a checkout asks for the same rate three or four times per request (cart, delivery
# quote, order), a Redis round trip each. Rates stored in another process show here that much later.
_local: dict[str, tuple[float, Decimal]] = {}


def fx_rate_get(*, currency: str, on: datetime.date | None = None) -> Decimal:
    """Roubles per one unit of `currency`: the latest CBR rate on or before `on` (today when None)."""
    if currency == "RUB":
        return Decimal(1)
    window = settings.STORE_CATALOG_LOCAL_SECONDS if on is None else 0
    if window > 0:
        hit = _local.get(currency)
        if hit is not None and time.monotonic() < hit[0]:
            return hit[1]
    if on is None:
        cached = cache.get(FX_CACHE_KEY.format(currency=currency))
        rate = Decimal(cached) if cached is not None else None
    else:
        rate = None
    if rate is None:
        rate = fx_rate_get_uncached(currency=currency, on=on)
        if on is None:
            cache.set(FX_CACHE_KEY.format(currency=currency), str(rate), 3600)
    if window > 0:
        _local[currency] = (time.monotonic() + window, rate)
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
