"""Forms for the shopper-facing catalog pages (GET parameters: a bad value is dropped, never an error page)."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms

from .origins import ORIGIN_TEXTS
from .selectors_listing import ListingFilters, Sort


class ValueListField(forms.Field):
    """Several values under one GET name (`?brand=a&brand=b`); values that do not fit are dropped one by one."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, pattern: str, max_items: int = 30, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.pattern = re.compile(pattern)
        self.max_items = max_items

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        kept: list[str] = []
        for raw in value:
            item = str(raw).strip()
            if self.pattern.fullmatch(item) and item not in kept:
                kept.append(item)
        return kept[: self.max_items]


class PriceField(forms.DecimalField):
    """Roubles as people type them: "1 299", "1299,50"."""

    def __init__(self, **kwargs):
        super().__init__(required=False, min_value=0, max_digits=12, decimal_places=2, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace(" ", "").replace(",", ".").removesuffix("₽")
        return super().to_python(value)


class ListingFilterForm(forms.Form):
    brand = ValueListField(pattern=r"[-\w]{1,140}")
    min_price = PriceField()
    max_price = PriceField()
    origin = ValueListField(pattern="|".join(ORIGIN_TEXTS), max_items=len(ORIGIN_TEXTS))
    in_stock = forms.BooleanField(required=False)
    # Variant options present in the category, "Размер:M".
    opt = ValueListField(pattern=r"[^:]{1,40}:.{1,60}")
    sort = forms.ChoiceField(choices=Sort.choices, required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def listing_filters(self) -> ListingFilters:
        """What the shopper asked for, keeping only the parameters that made sense."""
        self.is_valid()
        data = self.cleaned_data
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            low, high = high, low
        options: dict[str, list[str]] = {}
        for pair in data.get("opt") or []:
            key, value = pair.split(":", 1)
            options.setdefault(key.strip(), []).append(value.strip())
        return ListingFilters(
            brands=tuple(sorted(data.get("brand") or [])),
            min_price=_normal(low),
            max_price=_normal(high),
            origins=tuple(sorted(data.get("origin") or [])),
            in_stock=bool(data.get("in_stock")),
            options=tuple(sorted((key, tuple(sorted(values))) for key, values in options.items())),
            sort=data.get("sort") or Sort.POPULAR,
            page=data.get("page") or 1,
        )


def _normal(amount: Decimal | None) -> Decimal | None:
    """1299.00 -> 1299, so equal filters make equal cache keys and tidy URLs."""
    if amount is None:
        return None
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount


class VariantForm(forms.Form):
    sku = forms.IntegerField(min_value=1, required=False)
