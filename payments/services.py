"""Payment writes. Every status change goes through `payment_transition` (allowed table + timeline row).

Locking policy: a service that changes a payment or its refunds locks the Payment row first
(`select_for_update(no_key=True)`), one payment at a time; provider calls happen outside transactions
(a slow provider never holds a lock) with the idempotence key stored on our row, so a retry after a
timeout or a crash repeats the same call instead of making a new one.

Not wired yet (needs orders): `payment_start(*, order, method, return_url, actor)` creates the Payment row
for an order and calls `payment_provider_create`; settling a payment moves the order (orders.services).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from storefront.core.money import Money

from .exceptions import (
    InvalidPaymentTransition,
    PaymentError,
    ProviderNotFound,
    ProviderRejected,
    RefundNotAllowed,
)
from .models import (
    ALLOWED_TRANSITIONS,
    PAID_STATUSES,
    EventSource,
    Payment,
    PaymentEvent,
    PaymentStatus,
    Refund,
    RefundChannel,
    RefundStatus,
)
from .provider import ProviderPayment, YooKassaClient

log = logging.getLogger("payments")

# Provider status -> ours. The provider's word is final only through GET /payments/{id} (never a webhook body).
PROVIDER_STATUSES = {
    "pending": PaymentStatus.PENDING,
    "waiting_for_capture": PaymentStatus.WAITING_FOR_CAPTURE,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.CANCELED,
}


def _actor_user(actor):
    """`actor` is a user, or a string such as "system" / "webhook" (no user row)."""
    return actor if getattr(actor, "pk", None) else None


def payment_event_record(
    *, payment: Payment, source: str, actor=None, note: str = "", payload: dict | None = None
) -> PaymentEvent:
    """A timeline row that is not a status change (a provider call, a refused webhook, a refund step)."""
    return PaymentEvent.objects.create(
        payment=payment,
        source=source,
        actor=_actor_user(actor),
        note=note[:255],
        payload=payload or {},
        from_status=payment.status,
        to_status=payment.status,
    )


def payment_transition(
    *, payment: Payment, to_status: str, source: str, actor=None, note: str = "", payload: dict | None = None
) -> Payment:
    """Move a (locked) payment to `to_status` if the table allows it, and record who/when/from/to/why."""
    from_status = payment.status
    if to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise InvalidPaymentTransition(f"payment {payment.pk}: {from_status} -> {to_status} is not allowed")
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        payment.status = to_status
        fields = ["status", "updated_at"]
        if to_status in PAID_STATUSES and payment.paid_at is None:
            payment.paid_at = now
            fields.append("paid_at")
        payment.save(update_fields=fields)
        PaymentEvent.objects.create(
            payment=payment,
            at=now,
            from_status=from_status,
            to_status=to_status,
            source=source,
            actor=_actor_user(actor),
            note=note[:255],
            payload=payload or {},
        )
    return payment


def _locked(payment_id: int) -> Payment:
    return Payment.objects.select_for_update(no_key=True).get(pk=payment_id)


# --- the provider's side of a payment


def payment_provider_create(*, payment_id: int, return_url: str, description: str, actor=None) -> Payment:
    """Ask the provider for the payment page of a NEW payment (idempotent: the stored key, any number of tries).

    ProviderUnavailable leaves the payment NEW for a retry with the same key; a refusal cancels it.
    """
    payment = Payment.objects.get(pk=payment_id)
    if payment.status != PaymentStatus.NEW:
        return payment
    try:
        remote = YooKassaClient().payment_create(
            amount=Money(payment.amount, payment.currency),
            method=payment.method,
            return_url=return_url,
            description=description,
            idempotence_key=payment.idempotence_key,
            metadata={"payment": str(payment.pk)},
            capture=payment.capture,
        )
    except ProviderRejected as exc:
        with transaction.atomic(durable=True):
            payment = _locked(payment_id)
            if payment.status == PaymentStatus.NEW:
                payment_transition(
                    payment=payment,
                    to_status=PaymentStatus.CANCELED,
                    source=EventSource.SYSTEM,
                    actor=actor,
                    note=f"provider refused: {exc}",
                )
        raise
    return payment_apply_provider_state(payment_id=payment_id, remote=remote, source=EventSource.SHOPPER, actor=actor)


def payment_apply_provider_state(*, payment_id: int, remote: ProviderPayment, source: str, actor=None) -> Payment:
    """Bring our payment to the provider's state as read from the provider's API.

    Safe for duplicates (same state: nothing happens) and for reordering (a state the table does not allow
    from ours, such as pending after succeeded, is older news and is ignored).
    """
    with transaction.atomic(durable=True):
        payment = _locked(payment_id)
        if payment.provider_payment_id and payment.provider_payment_id != remote.id:
            raise PaymentError(
                f"payment {payment.pk} is {payment.provider_payment_id} at the provider, not {remote.id}"
            )
        if remote.amount != Money(payment.amount, payment.currency):
            # never mark paid an amount we did not ask for
            payment_event_record(
                payment=payment,
                source=source,
                actor=actor,
                note=f"amount mismatch: provider {remote.amount.amount} {remote.amount.currency}",
                payload=remote.raw,
            )
            log.error("payment %s: provider amount %s differs", payment.pk, remote.amount)
            return payment
        payment.provider_payment_id = remote.id
        if remote.confirmation_url:
            payment.confirmation_url = remote.confirmation_url
        payment.cancellation_party = remote.cancellation_party
        payment.cancellation_reason = remote.cancellation_reason
        payment.provider_payload = remote.raw
        payment.synced_at = timezone.now()
        payment.save(
            update_fields=[
                "provider_payment_id",
                "confirmation_url",
                "cancellation_party",
                "cancellation_reason",
                "provider_payload",
                "synced_at",
                "updated_at",
            ]
        )
        target = PROVIDER_STATUSES.get(remote.status)
        if target is None or target == payment.status:
            return payment
        if target not in ALLOWED_TRANSITIONS[payment.status]:
            log.info("payment %s: %s from the provider ignored in %s", payment.pk, remote.status, payment.status)
            return payment
        note = f"{remote.cancellation_party}/{remote.cancellation_reason}" if remote.cancellation_reason else ""
        return payment_transition(
            payment=payment, to_status=target, source=source, actor=actor, note=note, payload=remote.raw
        )


def payment_sync(*, payment_id: int, source: str, actor=None) -> Payment:
    """Re-read a payment from the provider and apply what it says (webhook task, poller, staff button)."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_payment_id:
        return payment  # never reached the provider: payment_provider_create is the retry
    remote = YooKassaClient().payment_get(payment.provider_payment_id)
    return payment_apply_provider_state(payment_id=payment.pk, remote=remote, source=source, actor=actor)


def payment_notification_handle(*, provider_payment_id: str, event: str) -> Payment | None:
    """A webhook said something happened to a payment: believe only the provider's API.

    An unknown payment id, or one the provider does not know (a forged notification), changes nothing.
    """
    payment = Payment.objects.filter(provider_payment_id=provider_payment_id).first()
    if payment is None:
        log.warning("webhook %s for unknown payment %s ignored", event, provider_payment_id)
        return None
    try:
        return payment_sync(payment_id=payment.pk, source=EventSource.WEBHOOK, actor="webhook")
    except ProviderNotFound:
        log.warning("webhook %s for %s: the provider does not know it (forged?)", event, provider_payment_id)
        with transaction.atomic(durable=True):
            payment_event_record(
                payment=_locked(payment.pk), source=EventSource.WEBHOOK, note=f"unconfirmed webhook {event}"
            )
        return None


# --- refunds


def payment_refund(*, payment_id: int, amount: Decimal, reason: str, actor, source: str = EventSource.STAFF) -> Refund:
    """Refund part or all of a paid payment through the provider. Never more than was paid, even when
    several refunds race: the reservation is taken under the payment's row lock, counting unfinished ones.

    ProviderUnavailable leaves the refund PENDING; `refund_retry` repeats the same call (same key).
    """
    amount = Decimal(amount)
    if amount <= 0:
        raise RefundNotAllowed("amount must be positive")
    with transaction.atomic(durable=True):
        payment = _locked(payment_id)
        if payment.status not in PAID_STATUSES:
            raise RefundNotAllowed(f"payment {payment.pk} is {payment.status}")
        in_flight = payment.refunds.filter(status__in=[RefundStatus.NEW, RefundStatus.PENDING]).aggregate(
            total=Sum("amount")
        )["total"] or Decimal(0)
        if amount > payment.amount - payment.refunded_amount - in_flight:
            raise RefundNotAllowed(f"payment {payment.pk}: {amount} exceeds what is left to refund")
        refund = Refund.objects.create(
            payment=payment,
            channel=RefundChannel.PROVIDER if payment.uses_provider else RefundChannel.BANK_TRANSFER,
            amount=amount,
            currency=payment.currency,
            reason=reason[:250],
            status=RefundStatus.PENDING,
            actor=_actor_user(actor),
            source=source,
        )
        payment_event_record(
            payment=payment, source=source, actor=actor, note=f"refund {refund.pk} requested: {amount} ({reason})"[:255]
        )
    if refund.channel != RefundChannel.PROVIDER:
        return refund  # a bank transfer request: staff complete it (pay-on-delivery wiring)
    return refund_retry(refund_id=refund.pk)


def refund_retry(*, refund_id: int) -> Refund:
    """Send (or re-send, with the same key) a PENDING provider refund and record the answer."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    try:
        remote = YooKassaClient().refund_create(
            provider_payment_id=refund.payment.provider_payment_id,
            amount=Money(refund.amount, refund.currency),
            description=refund.reason,
            idempotence_key=refund.idempotence_key,
        )
    except (RefundNotAllowed, ProviderRejected) as exc:  # ProviderUnavailable propagates: retry, same key
        return _refund_finish(refund_id=refund.pk, succeeded=False, note=str(exc))
    return _refund_finish(
        refund_id=refund.pk, succeeded=remote.status == "succeeded", note="", remote_id=remote.id, payload=remote.raw
    )


def _refund_finish(
    *, refund_id: int, succeeded: bool, note: str, remote_id: str | None = None, payload: dict | None = None
) -> Refund:
    with transaction.atomic(durable=True):
        payment = _locked(Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id))
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != RefundStatus.PENDING:
            return refund
        refund.provider_refund_id = remote_id or refund.provider_refund_id
        refund.provider_payload = payload or {}
        if not succeeded and remote_id:  # the provider took it but has not finished: stay pending
            refund.save(update_fields=["provider_refund_id", "provider_payload"])
            return refund
        refund.status = RefundStatus.SUCCEEDED if succeeded else RefundStatus.FAILED
        refund.failure = note[:255]
        refund.completed_at = timezone.now()
        refund.save(update_fields=["status", "failure", "completed_at", "provider_refund_id", "provider_payload"])
        if succeeded:
            payment.refunded_amount += refund.amount
            payment.save(update_fields=["refunded_amount", "updated_at"])
            if payment.refunded_amount == payment.amount:
                payment_transition(
                    payment=payment,
                    to_status=PaymentStatus.REFUNDED,
                    source=refund.source,
                    actor=refund.actor,
                    note=f"refund {refund.pk}",
                    payload=payload,
                )
                return refund
        payment_event_record(
            payment=payment,
            source=refund.source,
            actor=refund.actor,
            note=f"refund {refund.pk} {'succeeded' if succeeded else 'failed: ' + note}",
            payload=payload,
        )
    return refund


def refund_notification_handle(*, provider_refund_id: str) -> Refund | None:
    """refund.succeeded arrived: re-read the refund from the provider and finish ours if it is still pending."""
    refund = Refund.objects.filter(provider_refund_id=provider_refund_id).first()
    if refund is None or refund.status != RefundStatus.PENDING:
        return refund
    try:
        remote = YooKassaClient().refund_get(provider_refund_id)
    except ProviderNotFound:
        log.warning("webhook refund.succeeded for %s: the provider does not know it (forged?)", provider_refund_id)
        return refund
    if remote.status == "canceled":
        return _refund_finish(refund_id=refund.pk, succeeded=False, note="canceled by the provider", payload=remote.raw)
    return _refund_finish(
        refund_id=refund.pk, succeeded=remote.status == "succeeded", note="", remote_id=remote.id, payload=remote.raw
    )
