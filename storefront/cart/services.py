"""Cart writes. Each returns the cart; views mirror its piece count into the session for the header badge.

Locking policy: a write locks its cart row (SELECT ... FOR NO KEY UPDATE) so two tabs adding at once cannot
both pass the stock check on the same line; merging at login locks the guest cart, then the account cart.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from orders.services import LineRequest, SkuSnapshot
from orders.validators import MAX_LINE_QUANTITY
from storefront.catalog.models import Sku

from .exceptions import LineNotFound, NotEnoughStock, QuantityInvalid, SkuNotFound, SkuUnavailable
from .models import Cart, CartLine
from .selectors import CartView, cart_view_get, sku_prices_rub


def _quantity_clean(quantity) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise QuantityInvalid()
    return quantity


def _touch(cart: Cart) -> None:
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())


def _cart_locked(*, cart: Cart | None, user) -> Cart:
    """Lock the cart row, creating the cart first if the shopper has none yet."""
    if cart is None:
        if getattr(user, "is_authenticated", False):
            cart, _created = Cart.objects.get_or_create(user=user)
        else:
            cart = Cart.objects.create()
    return Cart.objects.select_for_update(no_key=True).get(pk=cart.pk)


def cart_line_add(*, cart: Cart | None, user, sku_id: int, quantity: int) -> Cart:
    """Add `quantity` of a SKU (to the line if the SKU is already there). Creates the cart when there is none.

    Raises SkuNotFound, SkuUnavailable, QuantityInvalid, NotEnoughStock; nothing is written then.
    """
    quantity = _quantity_clean(quantity)
    sku = Sku.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None:
        raise SkuNotFound()
    price = sku_prices_rub([sku])[sku.pk]
    if not (sku.is_active and sku.product.is_active) or price is None:
        raise SkuUnavailable()
    with transaction.atomic(durable=True):
        cart = _cart_locked(cart=cart, user=user)
        in_cart = CartLine.objects.filter(cart=cart, sku=sku).values_list("quantity", flat=True).first() or 0
        if in_cart + quantity > MAX_LINE_QUANTITY:
            raise QuantityInvalid()
        if in_cart + quantity > sku.stock:
            raise NotEnoughStock(available=sku.stock, in_cart=in_cart)
        if in_cart:
            CartLine.objects.filter(cart=cart, sku=sku).update(quantity=in_cart + quantity, price_rub_seen=price)
        else:
            CartLine.objects.create(cart=cart, sku=sku, quantity=quantity, price_rub_seen=price)
        _touch(cart)
    return cart


def cart_line_update(*, cart: Cart, line_id: int, quantity: int) -> Cart:
    """Set a line's quantity (1..99, at most what is in stock)."""
    quantity = _quantity_clean(quantity)
    with transaction.atomic(durable=True):
        cart = _cart_locked(cart=cart, user=None)
        line = CartLine.objects.select_related("sku").filter(cart=cart, pk=line_id).first()
        if line is None:
            raise LineNotFound()
        if quantity > line.sku.stock:
            raise NotEnoughStock(available=line.sku.stock)
        CartLine.objects.filter(pk=line.pk).update(quantity=quantity)
        _touch(cart)
    return cart


def cart_line_remove(*, cart: Cart, line_id: int) -> Cart:
    with transaction.atomic(durable=True):
        deleted, _ = CartLine.objects.filter(cart=cart, pk=line_id).delete()
    if not deleted:
        raise LineNotFound()
    return cart


def cart_prices_accept(*, cart: Cart) -> Cart:
    """The shopper saw today's prices (continuing to checkout): they become the prices seen."""
    changed = []
    for view in cart_view_get(cart=cart).lines:
        if view.price_changed:
            view.line.price_rub_seen = view.price_rub
            changed.append(view.line)
    if changed:
        with transaction.atomic(durable=True):
            CartLine.objects.bulk_update(changed, ["price_rub_seen"])
    return cart


def cart_merge(*, user, guest_cart_id: int | None) -> Cart | None:
    """At login: move the guest cart's lines into the account cart (a SKU in both: quantities added, up to 99).

    Runs in whatever transaction the login is in (a signal receiver calls it), so it is not durable.
    Returns the account cart (None when the shopper has no cart at all).
    """
    with transaction.atomic():
        guest = (
            Cart.objects.select_for_update().filter(pk=guest_cart_id, user__isnull=True).first()
            if guest_cart_id
            else None
        )
        account = Cart.objects.select_for_update().filter(user=user).first()
        if guest is None:
            return account
        if account is None:
            Cart.objects.filter(pk=guest.pk).update(user=user)
            guest.user = user
            return guest
        guest_lines = {line.sku_id: line for line in CartLine.objects.filter(cart=guest)}
        both = list(CartLine.objects.filter(cart=account, sku_id__in=guest_lines))
        for line in both:
            incoming = guest_lines[line.sku_id]
            line.quantity = min(line.quantity + incoming.quantity, MAX_LINE_QUANTITY)
            line.price_rub_seen = incoming.price_rub_seen  # the price the shopper saw last
        CartLine.objects.bulk_update(both, ["quantity", "price_rub_seen"])
        CartLine.objects.filter(cart=guest).exclude(sku_id__in=[line.sku_id for line in both]).update(cart=account)
        guest.delete()
        _touch(account)
    return account


class CartOrderSource:
    """The cart as order_place sees it: its lines (as the checkout has just read them: `view`, else read here),
    removed by the statement that places the order."""

    def __init__(self, cart: Cart, *, view: CartView | None = None):
        self.cart = cart
        self.view = view

    def order_lines(self) -> Sequence[LineRequest]:
        if self.view is not None:
            return [LineRequest(sku_id=v.line.sku_id, quantity=v.line.quantity) for v in self.view.lines]
        return [
            LineRequest(sku_id=sku_id, quantity=quantity)
            for sku_id, quantity in CartLine.objects.filter(cart=self.cart).values_list("sku_id", "quantity")
        ]

    def sku_snapshot(self) -> dict[int, SkuSnapshot] | None:
        if self.view is None:
            return None
        return {
            v.sku.pk: SkuSnapshot(
                id=v.sku.pk,
                code=v.sku.code,
                options=v.sku.options,
                price=v.sku.price,
                currency=v.sku.currency,
                stock=v.sku.stock,
                sellable=v.sku.is_active and v.sku.product.is_active,
                product_id=v.sku.product_id,
                title=v.sku.product.title,
            )
            for v in self.view.lines
        }

    def consume_sql(self, *, sku_ids: Sequence[int]) -> tuple[str, list]:
        table = CartLine._meta.db_table
        return f"DELETE FROM {table} WHERE cart_id = %s AND sku_id = ANY(%s)", [self.cart.pk, list(sku_ids)]
