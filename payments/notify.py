"""Messages to the shopper about paying: by SMS, and by email when they gave one; each once per key."""

from __future__ import annotations

from orders.models import Order
from storefront.notifications.services import notification_send


def order_shopper_notify(*, order: Order, kind: str, key: str, context: dict) -> None:
    """Queue `kind` for the order's contacts (in the caller's transaction: sent after the commit, via the outbox);
    the notification keys are `<key>:sms` / `<key>:email`, so a repeat sends nothing."""
    addresses = {"sms": {"phone": order.contact_phone}}
    if order.contact_email:
        addresses["email"] = {"email": order.contact_email}
    for channel, address in addresses.items():
        notification_send(
            key=f"{key}:{channel}",
            kind=kind,
            channel=channel,
            to_user=order.user,
            context=context,
            language=order.language or None,
            **address,
        )
