"""Messages to the shopper about their order (sent from Celery tasks that order services queue in the outbox)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from storefront.core.money import format_money
from storefront.notifications.services import notification_send

from .models import Order
from .selectors import order_guest_token_make


def order_link(*, order: Order) -> str:
    """Absolute link to the order: the account page for a shopper, a signed link for a guest."""
    if order.user_id is None:
        path = reverse("orders:guest", kwargs={"token": order_guest_token_make(order=order)})
    else:
        path = order.get_absolute_url()
    return settings.STORE_BASE_URL.rstrip("/") + path


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
            **address,
        )
