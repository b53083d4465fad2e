"""Cart factories: carts filled through the cart services, as a shopper would."""

from storefront.cart.services import cart_line_add
from tests.catalog.factories import SkuFactory


def cart_with(*, user=None, skus=None, quantity: int = 1):
    """A cart (the user's, or a guest cart) holding `quantity` of each SKU (one new SKU by default)."""
    cart = None
    for sku in skus or [SkuFactory()]:
        cart = cart_line_add(cart=cart, user=user, sku_id=sku.pk, quantity=quantity)
    return cart
