"""Orders that wait for a payment that does not come: a reminder, then cancellation (the stock goes back).

Run by the beat job `payments.tasks.payments_abandoned_process`. Timings: STORE_PAYMENT_REMINDER_MINUTES after
placing, one reminder (SMS, and email when the shopper gave one; idempotent by key); STORE_PAYMENT_ABANDON_HOURS
after placing, the order is cancelled. Pay-later hold rules (DOMAIN.md 6): the lender gives the shopper an hour to
confirm and, once approved, holds the money for 7 days; an approved (held) payment is captured, never abandoned,
so an order with a held payment is left alone here and its capture retried (the hold expiring at the provider
cancels the payment, and the order is abandoned on a later run).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext

from orders.models import Order, OrderStatus
from orders.notify import order_link
from orders.services import order_cancel
from storefront.core.money import format_money
from storefront.notifications.models import Notification
from storefront.outbox.services import outbox_enqueue

from .exceptions import ProviderUnavailable
from .models import OPEN_PROVIDER_STATUSES, EventSource, Payment, PaymentStatus
from .notify import order_shopper_notify
from .selectors import payment_deadline
from .services import payment_sync

log = logging.getLogger("payments")
REMINDER_KIND = "payment_reminder"


def _held(order_ref) -> Exists:
    return Exists(Payment.objects.filter(order=order_ref, status=PaymentStatus.WAITING_FOR_CAPTURE))


def payment_reminders_send(*, now: datetime | None = None, limit: int = 500) -> int:
    """One reminder to each order waiting for payment longer than the reminder delay (and not yet abandoned)."""
    now = now or timezone.now()
    reminded = Notification.objects.filter(key=Concat(Value(f"{REMINDER_KIND}:"), OuterRef("number"), Value(":sms")))
    orders = (
        Order.objects.filter(
            status=OrderStatus.AWAITING_PAYMENT,
            placed_at__lte=now - timedelta(minutes=settings.STORE_PAYMENT_REMINDER_MINUTES),
            placed_at__gt=now - timedelta(hours=settings.STORE_PAYMENT_ABANDON_HOURS),
        )
        .exclude(Exists(reminded))
        .exclude(_held(OuterRef("pk")))
        .select_related("user")
        .order_by("placed_at")[:limit]
    )
    sent = 0
    for order in orders:
        payment_reminder_send(order=order)
        sent += 1
    return sent


def payment_reminder_send(*, order: Order) -> None:
    """ "Your order waits for payment until …" by SMS (and email), once per order: the keys make a repeat a no-op."""
    context = {
        "number": order.number,
        "total": format_money(order.total, order.currency),
        "link": order_link(order=order),
        "deadline": payment_deadline(order=order),  # written in the recipient's language and Moscow time
    }
    with transaction.atomic(durable=True):
        order_shopper_notify(order=order, kind=REMINDER_KIND, key=f"{REMINDER_KIND}:{order.number}", context=context)


def orders_abandoned_cancel(*, now: datetime | None = None, limit: int = 200) -> int:
    """Cancel the orders still waiting for payment after the abandonment delay; returns how many were cancelled."""
    now = now or timezone.now()
    ids = list(
        Order.objects.filter(
            status=OrderStatus.AWAITING_PAYMENT,
            placed_at__lte=now - timedelta(hours=settings.STORE_PAYMENT_ABANDON_HOURS),
        )
        .order_by("placed_at")
        .values_list("pk", flat=True)[:limit]
    )
    cancelled = 0
    for order_id in ids:
        try:
            cancelled += order_payment_abandon(order_id=order_id)
        except ProviderUnavailable:
            log.warning("abandoned orders: provider unavailable, stopping this round")
            break
    return cancelled


def order_payment_abandon(*, order_id: int) -> bool:
    """Cancel one unpaid order, after asking the provider about its open attempts (a lost webhook may hide a
    payment that went through; a held pay-later payment is captured instead). True if the order was cancelled."""
    for payment_id in Payment.objects.filter(
        order_id=order_id, status__in=OPEN_PROVIDER_STATUSES, provider_payment_id__isnull=False
    ).values_list("pk", flat=True):
        payment_sync(payment_id=payment_id, source=EventSource.POLLER, actor="poller")
    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update(no_key=True).get(pk=order_id)
        if order.status != OrderStatus.AWAITING_PAYMENT:
            return False  # paid meanwhile
        held = order.payments.filter(status=PaymentStatus.WAITING_FOR_CAPTURE).values_list("pk", flat=True).first()
        if held is not None:
            outbox_enqueue(
                task="payments.tasks.payment_capture_process",
                kwargs={"payment_id": held},
                key=f"payment-capture:{held}:{timezone.now():%Y%m%d%H}",  # at most one retry an hour
            )
            return False
        reason = gettext("Не оплачен за %(hours)d ч") % {"hours": settings.STORE_PAYMENT_ABANDON_HOURS}
        order_cancel(order=order, actor=str(EventSource.SYSTEM), reason=reason)
    return True
