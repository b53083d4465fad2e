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
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import EventSource, Payment, PaymentMethod, PaymentStatus
from .services import _locked, payment_capture, payment_event_record, payment_sync, payment_transition

log = logging.getLogger("payments")

# orders' actor labels (orders.services._actor_parts) -> the payment timeline's sources
_SOURCES = {
    "staff": EventSource.STAFF,
    "customer": EventSource.SHOPPER,
    "guest": EventSource.SHOPPER,
    "shopper": EventSource.SHOPPER,
    "logistics": EventSource.LOGISTICS,
    "postal": EventSource.LOGISTICS,
    "poller": EventSource.POLLER,
    "webhook": EventSource.WEBHOOK,
}


def order_cancelled_payments_void(*, order_id: int, reason: str, actor_label: str, actor_id=None) -> list[Payment]:
    """The order `order_id` was cancelled by `actor_label` (staff user `actor_id`) for `reason`: settle its open
    payments (see the module's docstring). Returns the payments it looked at. ProviderUnavailable propagates (the
    task retries; nothing half-done: each payment is its own step)."""
    source = _SOURCES.get(actor_label, EventSource.SYSTEM)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else actor_label
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
