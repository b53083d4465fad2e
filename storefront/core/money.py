"""Money: exact Decimal amounts with an explicit ISO-4217 currency; rounding lives here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CURRENCY_SIGNS = {"RUB": "₽", "CNY": "¥", "EUR": "€"}
KOPECK = Decimal("0.01")
NBSP = "\u00a0"


def quantize(amount: Decimal) -> Decimal:
    """The one rounding rule of the store: half up to the kopeck/cent."""
    return Decimal(amount).quantize(KOPECK, rounding=ROUND_HALF_UP)


def round_rouble(amount: Decimal) -> Decimal:
    """A price converted from yuan or euros, as shops write prices: whole roubles, half up (kept at 2 places)."""
    return Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP).quantize(KOPECK)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = "RUB"

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money never takes a float")
        object.__setattr__(self, "amount", quantize(Decimal(self.amount)))

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        return Money(self.amount * Decimal(factor), self.currency)

    __rmul__ = __mul__

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    @property
    def minor_units(self) -> int:
        """Integer kopecks, only for partners whose protocol wants them."""
        return int(self.amount * 100)

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount: Decimal | int | None, currency: str = "RUB") -> str:
    """ "1 299 ₽", "1 299,50 ₽": groups of three with a no-break space, kopecks only when present."""
    if amount is None:
        return ""
    value = quantize(Decimal(amount))
    sign = "−" if value < 0 else ""
    value = abs(value)
    whole, frac = f"{value:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = NBSP.join(groups)
    if frac != "00":
        text += "," + frac
    return f"{sign}{text}{NBSP}{CURRENCY_SIGNS.get(currency, currency)}"
