"""What the session keeps about the cart: the guest cart's id and the piece count for the header badge.

The count is a mirror written by the cart views after every change (and at login), so rendering the badge costs
no query. A shopper's other devices see a new count once they open the cart.
"""

from __future__ import annotations

from .models import Cart
from .selectors import CartView, cart_count_get, cart_get, cart_view_read

SESSION_CART_ID = "cart_id"
SESSION_CART_COUNT = "cart_count"


def cart_for_request(request) -> Cart | None:
    return cart_get(user=request.user, cart_id=request.session.get(SESSION_CART_ID))


def cart_view_for_request(request) -> CartView:
    """The shopper's cart with its lines, SKUs and products, in one statement, without pictures (placing an order)."""
    return cart_view_read(user=request.user, cart_id=request.session.get(SESSION_CART_ID))


def cart_remember(session, cart: Cart | None, *, count: int | None = None) -> int:
    """Store the cart id and its piece count in the session; returns the count."""
    if count is None:
        count = cart_count_get(cart=cart)
    if cart is not None and cart.user_id is None:
        session[SESSION_CART_ID] = cart.pk
    if session.get(SESSION_CART_COUNT, 0) != count:
        session[SESSION_CART_COUNT] = count
    return count


def cart_count_from_session(request) -> int:
    """For the header on every page: no query, and no session is created for a visitor without one."""
    session = getattr(request, "session", None)
    return session.get(SESSION_CART_COUNT, 0) if session is not None else 0
