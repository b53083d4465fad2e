"""Messages to the shopper about their order (sent from Celery tasks that order services queue in the outbox)."""

from __future__ import annotations

from django.conf import settings

from storefront.core.money import format_money
from storefront.notifications.services import notification_send

from .models import Order
from .selectors import order_path


def order_link(*, order: Order) -> str:
    """Absolute link to the order: the account page for a shopper, a signed link for a guest."""
    return settings.STORE_BASE_URL.rstrip("/") + order_path(order=order)


def order_placed_notify(*, order_id: int) -> None:
    """The confirmation SMS, and an email when the shopper gave one. Run by the task order_place queues."""
    order = Order.objects.select_related("user").get(pk=order_id)
    context = {
        "number": order.number,
        "total": format_money(order.total, order.currency),
        "link": order_link(order=order),
    }
    addresses = {"sms": {"phone": order.contact_phone}}
    if order.contact_email:
        addresses["email"] = {"email": order.contact_email}
    for channel, address in addresses.items():
        notification_send(
            key=f"order_placed:{order.number}:{channel}",
            kind="order_placed",
            channel=channel,
            to_user=order.user,
            context=context,
            language=order.language or None,
            **address,
        )
