"""Orders asks logistics before cancelling an order (orders/hooks.py: on_order_cancel_check)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext

from orders.exceptions import CancelRefused

from ..models import ACCEPTED_BY_POST, Parcel, ParcelStatus


def order_cancel_check(*, order) -> None:
    """Refuse to cancel an order once one of its parcels was handed to the post (its dispatch handed over, or the
    post reported it moving) — tracking may lag behind the hand-over, so the order can still say "packed".

    Runs in the cancelling transaction; the order's parcels are locked so a hand-over cannot slip in between.
    """
    left = (
        Parcel.objects.select_for_update(of=("self",))
        .filter(order_id=order.pk)
        .filter(Q(status__in=ACCEPTED_BY_POST) | Q(dispatch__handed_over_at__isnull=False))
        .exclude(status=ParcelStatus.CANCELLED)
        .values_list("tracking_number", flat=True)
    )
    numbers = [n or "—" for n in left]
    if numbers:
        raise CancelRefused(
            gettext(
                "Заказ %(number)s уже передан почте (посылка %(parcels)s): отменить его нельзя. "
                "Покупатель может отказаться от посылки на почте или вернуть товар после получения."
            )
            % {"number": order.number, "parcels": ", ".join(numbers)}
        )
