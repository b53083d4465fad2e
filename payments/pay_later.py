"""Pay later («оплата частями»): the provider's instalment product (sber_bnpl, DOMAIN.md 6). The store is paid in
full; the provider collects four parts from the shopper, the first today and then every two weeks.

Offered where the amount fits STORE_PAY_LATER_MIN_RUB..STORE_PAY_LATER_MAX_RUB (the provider's range by default,
1 000–150 000 ₽), the currency is roubles and STORE_PAY_LATER_ENABLED is on. Read-only helpers: no writes here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.utils import timezone

from storefront.core.money import KOPECK

PARTS = 4  # the provider's product: four parts ...
INTERVAL = timedelta(weeks=2)  # ... two weeks apart, the first on the day of purchase


@dataclass(frozen=True)
class Part:
    due: date
    amount: Decimal
    today: bool


@dataclass(frozen=True)
class Schedule:
    total: Decimal
    parts: tuple[Part, ...]

    @property
    def part(self) -> Decimal:
        """The amount of a regular part (what "4 платежа по 750 ₽" shows); the first may be a kopeck more."""
        return self.parts[-1].amount

    @property
    def equal(self) -> bool:
        return len({p.amount for p in self.parts}) == 1


def pay_later_schedule(total: Decimal, *, start: date | None = None) -> Schedule:
    """Four parts that add up to `total` to the kopeck: equal parts rounded down, the first takes the remainder
    (1000.01 -> 250.01 + 250 + 250 + 250), the same rule as the provider's page."""
    total = Decimal(total).quantize(KOPECK)
    if total <= 0:
        raise ValueError("a pay-later schedule needs a positive total")
    part = (total / PARTS).quantize(KOPECK, rounding=ROUND_DOWN)
    amounts = [total - part * (PARTS - 1)] + [part] * (PARTS - 1)
    start = start or timezone.localdate()
    return Schedule(
        total=total,
        parts=tuple(Part(due=start + INTERVAL * i, amount=a, today=i == 0) for i, a in enumerate(amounts)),
    )


def pay_later_limits() -> tuple[Decimal, Decimal]:
    return Decimal(settings.STORE_PAY_LATER_MIN_RUB), Decimal(settings.STORE_PAY_LATER_MAX_RUB)


def pay_later_eligible(*, total: Decimal | None, currency: str = "RUB") -> bool:
    """May an order (or a product, a cart) of `total` be paid in parts? Our rules on top of the provider's range."""
    if total is None or currency != "RUB" or not settings.STORE_PAY_LATER_ENABLED:
        return False
    low, high = pay_later_limits()
    return low <= Decimal(total) <= high
