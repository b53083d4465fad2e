"""Cart reads: finding the shopper's cart, and the cart as the shopper sees it (current prices, flags, totals)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, Sum

from storefront.catalog.exceptions import FxRateMissing
from storefront.catalog.models import Product, ProductImage, Sku
from storefront.catalog.selectors import fx_rate_get, price_to_rub
from storefront.core.money import quantize
from storefront.core.sql import instance_loaded

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


# The cart with its lines, SKUs and products in one statement (cart_view_read): what placing an order reads of them.
_CART_READ_SQL = """
SELECT c.id, c.user_id, c.created_at, c.updated_at,
       l.id, l.sku_id, l.quantity, l.price_rub_seen, l.added_at,
       s.product_id, s.code, s.options, s.price, s.currency, s.stock, s.is_active,
       p.title, p.slug, p.is_active, p.origin, p.weight_grams
FROM cart_cart c
LEFT JOIN cart_cartline l ON l.cart_id = c.id
LEFT JOIN catalog_sku s ON s.id = l.sku_id
LEFT JOIN catalog_product p ON p.id = s.product_id
WHERE {where}
ORDER BY l.added_at, l.id
"""
_CART_FIELDS = ("id", "user_id", "created_at", "updated_at")
_LINE_FIELDS = ("id", "cart_id", "sku_id", "quantity", "price_rub_seen", "added_at")
_SKU_FIELDS = ("id", "product_id", "code", "options", "price", "currency", "stock", "is_active")
_PRODUCT_FIELDS = ("id", "title", "slug", "is_active", "origin", "weight_grams")


def cart_view_read(*, user, cart_id: int | None) -> CartView:
    """The shopper's cart (cart_get) as cart_view_get(images=False) sees it, read in one statement: the cart, its
    lines, their SKUs and products (only the fields placing an order and its messages use; others load on access)."""
    if getattr(user, "is_authenticated", False):
        where, params = "c.user_id = %s", [user.pk]
    elif cart_id:
        where, params = "c.id = %s AND c.user_id IS NULL", [cart_id]
    else:
        return CartView(cart=None, lines=[])
    with connection.cursor() as cursor:
        cursor.execute(_CART_READ_SQL.format(where=where), params)
        rows = cursor.fetchall()
    if not rows:
        return CartView(cart=None, lines=[])
    cart = instance_loaded(Cart, dict(zip(_CART_FIELDS, rows[0][:4], strict=True)))
    lines = []
    for row in rows:
        if row[4] is None:  # a cart without lines
            break
        line = instance_loaded(CartLine, dict(zip(_LINE_FIELDS, (row[4], cart.pk, *row[5:9]), strict=True)))
        sku = instance_loaded(Sku, dict(zip(_SKU_FIELDS, (row[5], *row[9:16]), strict=True)))
        sku.product = instance_loaded(Product, dict(zip(_PRODUCT_FIELDS, (row[9], *row[16:21]), strict=True)))
        line.cart, line.sku = cart, sku
        lines.append(line)
    return _cart_view(cart, lines, images=False)


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
    return _cart_view(cart, list(qs), images=images)


def _cart_view(cart: Cart, lines: list[CartLine], *, images: bool) -> CartView:
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
