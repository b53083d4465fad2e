"""Telling the shopper where their parcel is: one message per step that matters, once per parcel and channel.

Called inside the sync's transaction: notification_send records the message and queues its delivery through the
outbox, so nothing is sent if the transaction rolls back, and its key makes a repeat (the same answer ingested
twice, a rerun of the sync) a no-op.
"""

from __future__ import annotations

from django.conf import settings

from logistics.models import Parcel
from storefront.notifications.services import notification_send

SHIPPED = "parcel_shipped"
CUSTOMS_CLEARED = "parcel_customs_cleared"
ARRIVED = "parcel_arrived"
STORAGE_REMINDER = "parcel_storage_reminder"
DELIVERED = "parcel_delivered"
RETURNED = "parcel_returned"


TRACKING_PATH = "/track/{number}/"  # the tracking page (urls.py: postal:track)


def tracking_link(tracking_number: str) -> str:
    return settings.STORE_BASE_URL.rstrip("/") + TRACKING_PATH.format(number=tracking_number)


def parcel_notify(*, parcel: Parcel, kind: str, office: str = "") -> None:
    """Send `kind` about `parcel` (its order loaded) by SMS, and by email when the order has an address."""
    order = parcel.order
    number = parcel.tracking_number
    context = {"number": order.number, "tracking": number, "link": tracking_link(number)}
    if kind in (ARRIVED, STORAGE_REMINDER):
        context["office"] = office or parcel.postcode
        context["deadline"] = parcel.storage_deadline or "—"  # a date: written in the recipient's language
    addresses = {"sms": {"phone": parcel.recipient_phone or order.contact_phone}}
    if order.contact_email:
        addresses["email"] = {"email": order.contact_email}
    # a reminder is per deadline: an office that extends storage gives a new deadline and a new reminder
    suffix = f":{parcel.storage_deadline.isoformat()}" if kind == STORAGE_REMINDER and parcel.storage_deadline else ""
    for channel, address in addresses.items():
        notification_send(
            key=f"parcel:{parcel.pk}:{kind}{suffix}:{channel}",
            kind=kind,
            channel=channel,
            to_user=order.user,
            context=context,
            language=order.language or None,
            **address,
        )
