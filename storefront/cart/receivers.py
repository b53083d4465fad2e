"""Login moves the guest cart into the account cart (connected in CartConfig.ready)."""

from .services import cart_merge
from .session import SESSION_CART_ID, cart_remember


def cart_merge_on_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    cart = cart_merge(user=user, guest_cart_id=request.session.pop(SESSION_CART_ID, None))
    cart_remember(request.session, cart)
