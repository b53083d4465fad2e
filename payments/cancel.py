"""An order was cancelled (orders/hooks.py → the outbox → payments.tasks.order_cancelled_process): its open
payments follow, each change on the payment's timeline with the order's reason and who cancelled it.

- pay on delivery awaiting collection → canceled (nothing will be collected; logistics reads a zero COD amount);
- a provider attempt that never reached the provider (new) → canceled here;
- a held payment (pay later approved, waiting_for_capture) → released at the provider (payment_capture cancels the
  hold of an order that no longer waits), then canceled from the provider's answer;
- a pending one (the shopper has not confirmed on the provider's page) cannot be cancelled through the provider's
  API (DOMAIN.md 6: cancel is for held payments): it is re-read now; if it went through, _order_follow queues its
  refund (the order no longer waits); if still pending, the timeline says so and the poller settles it later
  (expiry at the provider, or success → refund).
Idempotent: a payment already settled is left alone, so a repeated job changes nothing.

Money already paid (`order_cancelled_refund`, a job of its own): a cancelled order that was paid through the provider
(card, SBP, pay later) gets back all that is left to refund, through refunds.order_refund (its usual path, locks and
never-more-than-paid), keyed by the cancellation (order_refund's `key`: a job run again refunds nothing more, even
beside the first run), with the reason "заказ отменён: <reason>" and who cancelled as its source; the shopper is told
once (`order_cancelled_refund`, SMS and email). Orders' status machine lets an order be cancelled only before it
ships (from a status in STOCK_HELD_STATUSES): the goods are still ours, so the whole sum goes back. Should the
machine ever allow cancelling later, goods on their way are not refunded here (the timeline says so; support refunds
on their return).
Not refunded here: money collected on delivery (a bank transfer to the shopper's account is support's call: they
ask for the details; in practice such an order is delivered, which cannot be cancelled).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext

from orders.models import STOCK_HELD_STATUSES, Order, OrderStatus, OrderStatusChange
from orders.notify import order_link
from storefront.core.money import format_money

from .exceptions import RefundNotAllowed
from .models import (
    PAID_STATUSES,
    PROVIDER_METHODS,
    EventSource,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from .notify import order_shopper_notify
from .refunds import order_refund
from .services import (
    CANCELLATION_REFUND_KEY,
    _locked,
    _payment_source,
    payment_capture,
    payment_event_record,
    payment_sync,
    payment_transition,
)

log = logging.getLogger("payments")


def _who(actor_label: str, actor_id) -> tuple[str, object]:
    """(timeline source, actor: the staff user or the label) of whoever cancelled the order."""
    source = _payment_source(actor_label)
    return source, get_user_model().objects.filter(pk=actor_id).first() if actor_id else actor_label


def order_cancelled_payments_void(*, order_id: int, reason: str, actor_label: str, actor_id=None) -> list[Payment]:
    """The order `order_id` was cancelled by `actor_label` (staff user `actor_id`) for `reason`: settle its open
    payments (see the module's docstring). Returns the payments it looked at. ProviderUnavailable propagates (the
    task retries; nothing half-done: each payment is its own step)."""
    source, actor = _who(actor_label, actor_id)
    note = f"order cancelled ({actor_label}): {reason}"
    open_statuses = [
        PaymentStatus.AWAITING_COLLECTION, PaymentStatus.NEW, PaymentStatus.PENDING, PaymentStatus.WAITING_FOR_CAPTURE,
    ]  # fmt: skip
    payments = list(Payment.objects.filter(order_id=order_id, status__in=open_statuses).order_by("id"))
    for payment in payments:
        if payment.method == PaymentMethod.CASH_ON_DELIVERY or payment.status == PaymentStatus.NEW:
            _void_here(payment_id=payment.pk, source=source, actor=actor, note=note)
        elif payment.status == PaymentStatus.WAITING_FOR_CAPTURE:
            with transaction.atomic(durable=True):
                payment_event_record(
                    payment=_locked(payment.pk), source=source, actor=actor, note=note + "; hold released"
                )
            payment_capture(payment_id=payment.pk, source=source, actor=actor)
        else:  # pending at the provider: ask now
            settled = payment_sync(payment_id=payment.pk, source=EventSource.POLLER, actor="poller")
            if settled.status == PaymentStatus.PENDING:
                with transaction.atomic(durable=True):
                    payment_event_record(
                        payment=_locked(payment.pk), source=source, actor=actor,
                        note=note + "; still pending at the provider: expires there, refunded if paid",
                    )  # fmt: skip
    return payments


def _void_here(*, payment_id: int, source: str, actor, note: str) -> None:
    """Cancel a payment that only we hold open (pay on delivery, or an attempt the provider never answered)."""
    with transaction.atomic(durable=True):
        payment = _locked(payment_id)
        if payment.status not in (PaymentStatus.AWAITING_COLLECTION, PaymentStatus.NEW):
            return  # settled meanwhile (collected, refused, answered by the provider)
        payment_transition(payment=payment, to_status=PaymentStatus.CANCELED, source=source, actor=actor, note=note)
        if payment.method == PaymentMethod.CASH_ON_DELIVERY:
            log.info("COD payment %s cancelled with its order", payment.pk)


def order_cancelled_refund(*, order_id: int, reason: str, actor_label: str, actor_id=None) -> list[Refund]:
    """The order `order_id` was cancelled: give back what was paid for it through the provider and is not refunded
    yet, and tell the shopper (see the module's docstring). Returns the cancellation's refunds (none: nothing to give
    back here). Safe to run again: the same refunds are returned, a pending one re-sent with its key."""
    order = Order.objects.select_related("user").get(pk=order_id)
    if order.status != OrderStatus.CANCELLED:
        return []
    source, actor = _who(actor_label, actor_id)
    paid = Payment.objects.filter(order_id=order_id, status__in=PAID_STATUSES).order_by("pk")
    skip = _not_refunded_here(order=order, paid=list(paid))
    if skip:
        with transaction.atomic(durable=True):
            for payment in paid.select_for_update(no_key=True):
                if not payment.events.filter(note=skip).exists():
                    payment_event_record(payment=payment, source=source, actor=actor, note=skip)
        return []
    why = gettext("заказ отменён: %(reason)s") % {"reason": reason}
    try:
        refunds = order_refund(order=order, reason=why, actor=actor, source=source, key=CANCELLATION_REFUND_KEY)
    except RefundNotAllowed:  # nothing paid, or support refunded it all already
        return []
    # a refund the provider refused is support's to sort out: the shopper is not promised that money
    for refund in refunds:
        if refund.status == RefundStatus.FAILED:
            log.error(
                "order %s cancelled: refund %s refused by the provider (%s)", order.number, refund.pk, refund.failure
            )
    _cancelled_refund_notify(order=order, refunds=[r for r in refunds if r.status != RefundStatus.FAILED])
    return refunds


def _not_refunded_here(*, order: Order, paid: list[Payment]) -> str:
    """Why this cancellation's money is left to support (a note for the timeline), or "" to refund it now."""
    if any(p.method not in PROVIDER_METHODS for p in paid):
        return "order cancelled: collected on delivery, a bank-transfer refund is support's call"
    cancelled_from = (
        OrderStatusChange.objects.filter(order_id=order.pk, to_status=OrderStatus.CANCELLED)
        .order_by("-at", "-id")
        .values_list("from_status", flat=True)
        .first()
    )
    if cancelled_from not in STOCK_HELD_STATUSES:
        return f"order cancelled when {cancelled_from}: goods on their way, refund on their return (support)"
    return ""


def _cancelled_refund_notify(*, order: Order, refunds: list[Refund]) -> None:
    """ "Order X is cancelled; N ₽ are on their way back", once per order whatever the number of runs."""
    if not refunds:
        return
    total = sum((r.amount for r in refunds), Decimal(0))
    context = {
        "number": order.number,
        "amount": format_money(total, refunds[0].currency),
        "link": order_link(order=order),
    }
    with transaction.atomic(durable=True):
        order_shopper_notify(
            order=order, kind="order_cancelled_refund", key=f"order_cancelled_refund:{order.number}", context=context
        )
