"""Payment jobs: thin, idempotent, ids in, one service call each; retries with backoff live here."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .abandoned import orders_abandoned_cancel, payment_reminders_send
from .cancel import order_cancelled_payments_void, order_cancelled_refund
from .exceptions import ProviderUnavailable
from .models import (
    OPEN_PROVIDER_STATUSES,
    PROVIDER_METHODS,
    EventSource,
    Payment,
    Refund,
    RefundChannel,
    RefundStatus,
)
from .services import (
    payment_capture,
    payment_notification_handle,
    payment_refund_unneeded,
    payment_sync,
    refund_notification_handle,
    refund_retry,
)

log = logging.getLogger("payments")
RETRY = {"autoretry_for": (ProviderUnavailable,), "retry_backoff": 5, "retry_backoff_max": 600, "max_retries": 8}


@shared_task(**RETRY)
def payment_notification_process(*, provider_payment_id: str, event: str) -> None:
    payment_notification_handle(provider_payment_id=provider_payment_id, event=event)


@shared_task(**RETRY)
def refund_notification_process(*, provider_refund_id: str) -> None:
    refund_notification_handle(provider_refund_id=provider_refund_id)


@shared_task(**RETRY)
def payment_sync_process(*, payment_id: int, source: str) -> None:
    """The shopper is back from the provider's page (or watching the order page): re-read the payment now."""
    payment_sync(payment_id=payment_id, source=source, actor=source)


@shared_task(**RETRY)
def payment_capture_process(*, payment_id: int) -> None:
    """A held payment (pay later approved): capture it, or release it if its order no longer waits."""
    payment_capture(payment_id=payment_id)


@shared_task(**RETRY)
def payment_refund_unneeded_process(*, payment_id: int) -> None:
    """A payment that succeeded for an order already paid or cancelled: give it back."""
    payment_refund_unneeded(payment_id=payment_id)


@shared_task
def payments_abandoned_process() -> dict:
    """Orders waiting for payment: remind after STORE_PAYMENT_REMINDER_MINUTES, cancel after ..._ABANDON_HOURS."""
    return {"reminded": payment_reminders_send(), "cancelled": orders_abandoned_cancel()}


@shared_task
def payments_poll_open(*, older_than_seconds: int = 60, limit: int = 200) -> int:
    """A payment whose webhook never came is settled here: re-read open provider payments and pending refunds."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Payment.objects.filter(
            status__in=OPEN_PROVIDER_STATUSES,
            method__in=PROVIDER_METHODS,
            provider_payment_id__isnull=False,
            created_at__lte=cutoff,
        )
        .order_by("synced_at", "created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for payment_id in ids:
        try:
            payment_sync(payment_id=payment_id, source=EventSource.POLLER, actor="poller")
        except ProviderUnavailable:
            log.warning("poll: provider unavailable, stopping this round")
            break
    pending_refunds = Refund.objects.filter(
        status=RefundStatus.PENDING, channel=RefundChannel.PROVIDER, created_at__lte=cutoff
    ).values_list("pk", flat=True)[:limit]
    for refund_id in pending_refunds:
        try:
            refund_retry(refund_id=refund_id)
        except ProviderUnavailable:
            break
    return len(ids)


@shared_task(**RETRY)
def order_cancelled_process(*, order_id: int, reason: str = "", actor_label: str = "system", actor_id=None) -> None:
    """An order was cancelled (orders/hooks.py): void or release its open payments."""
    order_cancelled_payments_void(order_id=order_id, reason=reason, actor_label=actor_label, actor_id=actor_id)


@shared_task(**RETRY)
def order_cancelled_refund_process(
    *, order_id: int, reason: str = "", actor_label: str = "system", actor_id=None
) -> None:
    """An order was cancelled (orders/hooks.py): give back what was paid for it (keyed: a rerun refunds nothing)."""
    order_cancelled_refund(order_id=order_id, reason=reason, actor_label=actor_label, actor_id=actor_id)
