"""Cart reads: finding the shopper's cart, and the cart as the shopper sees it (current prices, flags, totals)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Sum

from storefront.catalog.exceptions import FxRateMissing
from storefront.catalog.models import ProductImage, Sku
from storefront.catalog.selectors import fx_rate_get, price_to_rub
from storefront.core.money import quantize

from .models import Cart, CartLine


def cart_get(*, user, cart_id: int | None) -> Cart | None:
    """The signed-in shopper's cart, or the guest cart whose id the session holds."""
    if getattr(user, "is_authenticated", False):
        return Cart.objects.filter(user=user).first()
    if cart_id:
        return Cart.objects.filter(pk=cart_id, user__isnull=True).first()
    return None


def cart_count_get(*, cart: Cart | None) -> int:
    """How many pieces are in the cart (the header badge)."""
    if cart is None:
        return 0
    return CartLine.objects.filter(cart=cart).aggregate(n=Sum("quantity"))["n"] or 0


def sku_prices_rub(skus: Iterable[Sku]) -> dict[int, Decimal | None]:
    """Today's rouble price per SKU, computed exactly as order_place will (None: no rate, cannot be sold)."""
    rates: dict[str, Decimal | None] = {}
    prices: dict[int, Decimal | None] = {}
    for sku in skus:
        if sku.currency not in rates:
            try:
                rates[sku.currency] = fx_rate_get(currency=sku.currency)
            except FxRateMissing:
                rates[sku.currency] = None
        rate = rates[sku.currency]
        prices[sku.pk] = None if rate is None else price_to_rub(amount=sku.price, currency=sku.currency, rate=rate)
    return prices


@dataclass(frozen=True)
class CartLineView:
    line: CartLine
    price_rub: Decimal | None  # today's price; None when the SKU cannot be sold
    available: int  # what can be bought now (0 when not sold any more)
    image: ProductImage | None

    @property
    def sku(self) -> Sku:
        return self.line.sku

    @property
    def unavailable(self) -> bool:
        return self.price_rub is None or self.available <= 0

    @property
    def short(self) -> bool:
        """In stock, but fewer than the line asks for."""
        return not self.unavailable and self.line.quantity > self.available

    @property
    def price_changed(self) -> bool:
        return self.price_rub is not None and self.price_rub != self.line.price_rub_seen

    @property
    def price_went_up(self) -> bool:
        return self.price_changed and self.price_rub > self.line.price_rub_seen

    @property
    def total_rub(self) -> Decimal:
        return Decimal("0.00") if self.unavailable else quantize(self.price_rub * self.line.quantity)


@dataclass(frozen=True)
class CartView:
    cart: Cart | None
    lines: list[CartLineView]

    @property
    def count(self) -> int:
        return sum(v.line.quantity for v in self.lines)

    @property
    def subtotal(self) -> Decimal:
        return sum((v.total_rub for v in self.lines), Decimal("0.00"))

    @property
    def has_stock_problems(self) -> bool:
        return any(v.unavailable or v.short for v in self.lines)

    @property
    def has_price_changes(self) -> bool:
        return any(v.price_changed for v in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines


def cart_view_get(*, cart: Cart | None, images: bool = True) -> CartView:
    """The cart with today's prices and what changed since each line was added (two queries; one without the
    `images` a page shows)."""
    if cart is None:
        return CartView(cart=None, lines=[])
    qs = CartLine.objects.filter(cart=cart).select_related("sku__product").order_by("added_at", "id")
    if images:
        qs = qs.prefetch_related(
            Prefetch("sku__product__images", queryset=ProductImage.objects.exclude(image="").order_by("position", "id"))
        )
    lines = list(qs)
    prices = sku_prices_rub(line.sku for line in lines)
    views = []
    for line in lines:
        sku = line.sku
        sellable = sku.is_active and sku.product.is_active
        pictures = list(sku.product.images.all()) if images else []
        views.append(
            CartLineView(
                line=line,
                price_rub=prices[sku.pk] if sellable else None,
                available=max(sku.stock, 0) if sellable else 0,
                image=pictures[0] if pictures else None,
            )
        )
    return CartView(cart=cart, lines=views)
