"""Payment writes. Every status change goes through `payment_transition` (allowed table + timeline row).

Locking policy: a service that changes a payment or its refunds locks the Payment row first
(`select_for_update(no_key=True)`), one payment at a time; provider calls happen outside transactions
(a slow provider never holds a lock) with the idempotence key stored on our row, so a retry after a
timeout or a crash repeats the same call instead of making a new one.

Orders: `payment_start` moves an order placed with a prepaid method to awaiting_payment and opens a payment
attempt; when a payment settles (`payment_apply_provider_state`) its order follows in the same transaction
(`_order_follow`: succeeded -> orders.order_mark_paid; canceled -> the order keeps waiting for another attempt).
Lock order: the payment row first, then its order (orders' `_transition` locks it), never the other way round.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from orders.models import Order, OrderStatus
from orders.services import order_await_payment, order_mark_paid
from storefront.core.money import Money, format_money
from storefront.outbox.services import outbox_enqueue

from .exceptions import (
    InvalidPaymentTransition,
    OrderNotPayable,
    PaymentError,
    PaymentMethodUnavailable,
    ProviderNotFound,
    ProviderRejected,
    RefundNotAllowed,
)
from .models import (
    ALLOWED_TRANSITIONS,
    PAID_STATUSES,
    PROVIDER_METHODS,
    BankTransferRefundRequest,
    EventSource,
    Payment,
    PaymentEvent,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundChannel,
    RefundStatus,
)
from .notify import order_shopper_notify
from .pay_later import pay_later_eligible
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


# --- paying for an order

AWAITING = frozenset({OrderStatus.PLACED, OrderStatus.AWAITING_PAYMENT})


def order_payment_begin(*, order: Order, return_url: str, actor) -> Payment | None:
    """Right after order_place: a prepaid method opens a payment (the shopper goes to its confirmation_url).

    Returns None for pay on delivery (payments.cod confirms those orders). ProviderUnavailable propagates with the
    order awaiting payment and the attempt NEW: the order page offers "try again" (the same key).
    """
    if order.payment_method == PaymentMethod.CASH_ON_DELIVERY:
        from .cod import cod_payment_start  # cod builds on this module's transitions: imported where used

        cod_payment_start(order=order, actor="system")
        return None
    if order.payment_method not in PROVIDER_METHODS:
        return None
    return payment_start(order=order, method=order.payment_method, return_url=return_url, actor=actor)


def payment_start(*, order: Order, method: str, return_url: str, actor) -> Payment:
    """Open (or resume) a payment attempt for an order that waits for one and ask the provider for its page.

    A placed order moves to awaiting_payment. An attempt that never got the provider's answer (NEW) is resumed with
    its stored idempotence key, so a retry after a timeout cannot charge twice; any other call opens a new attempt
    (after a decline, or with another method). Raises PaymentMethodUnavailable, OrderNotPayable, ProviderRejected
    (the attempt is cancelled), ProviderUnavailable (the attempt stays NEW for a retry).
    """
    if method not in PROVIDER_METHODS:
        raise PaymentMethodUnavailable(f"{method} is not paid through the provider")
    if method == PaymentMethod.PAY_LATER and not pay_later_eligible(total=order.total, currency=order.currency):
        raise PaymentMethodUnavailable(f"pay later does not fit {order.total} {order.currency}")
    with transaction.atomic(durable=True):
        # payments before their order (the lock order everywhere in this module)
        unanswered = list(
            Payment.objects.select_for_update(no_key=True)
            .filter(order_id=order.pk, status=PaymentStatus.NEW)
            .order_by("-created_at", "-id")
        )
        locked = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
        if locked.status not in AWAITING:
            raise OrderNotPayable(f"order {locked.number} is {locked.status}")
        if locked.status == OrderStatus.PLACED:
            order_await_payment(order=locked, actor=_order_actor(EventSource.SHOPPER, actor))
        payment = None
        for attempt in unanswered:
            if attempt.method == method and payment is None:
                payment = attempt  # resume: the same key
            else:
                payment_transition(
                    payment=attempt,
                    to_status=PaymentStatus.CANCELED,
                    source=EventSource.SHOPPER,
                    actor=actor,
                    note="replaced by another attempt",
                )
        if payment is None:
            payment = Payment.objects.create(
                order=locked,
                method=method,
                amount=locked.total,
                currency=locked.currency,
                return_url=return_url,
                # pay later is approved by the lender and held (waiting_for_capture), then captured: see _order_follow
                capture=method != PaymentMethod.PAY_LATER,
            )
            payment_event_record(payment=payment, source=EventSource.SHOPPER, actor=actor, note="attempt opened")
    order.status = locked.status
    description = gettext("Заказ %(number)s") % {"number": locked.number}
    return payment_provider_create(payment_id=payment.pk, return_url=return_url, description=description, actor=actor)


def _order_actor(source: str, actor):
    """Who moved the order, for its history: staff as themselves, everything else by the payment's source
    ("shopper", "webhook", "poller", "system")."""
    if source == EventSource.STAFF and getattr(actor, "pk", None):
        return actor
    return str(source)


# orders' own actor labels (orders.services._actor_parts) that are not a payment source; the rest are _order_actor's
_ORDER_LABEL_SOURCES = {"customer": EventSource.SHOPPER, "guest": EventSource.SHOPPER, "postal": EventSource.LOGISTICS}


def _payment_source(actor_label: str) -> str:
    """The inverse of _order_actor: who moved an order (its history label) as the payment timeline's source."""
    if actor_label in EventSource.values:
        return actor_label
    return _ORDER_LABEL_SOURCES.get(actor_label, EventSource.SYSTEM)


def _order_follow(*, payment: Payment, source: str, actor) -> None:
    """The payment just changed status (its row locked, inside its transaction): move its order along.

    succeeded: the order is paid, unless it is no longer waiting (cancelled meanwhile, or paid by another attempt):
    then the money goes back (an outbox job: the provider call happens after commit). waiting_for_capture (pay later
    approved): capture it, or release it for an order that no longer waits. canceled: the order keeps waiting for
    another attempt until the abandonment job cancels it.
    """
    if payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.WAITING_FOR_CAPTURE):
        return
    order = Order.objects.select_for_update(no_key=True).get(pk=payment.order_id)
    waiting = order.status in AWAITING
    if payment.status == PaymentStatus.SUCCEEDED:
        if waiting:
            order_mark_paid(order=order, actor=_order_actor(source, actor), reason=f"payment {payment.pk}")
            return
        payment_event_record(payment=payment, source=source, note=f"order is {order.status}: refund queued")
        outbox_enqueue(
            task="payments.tasks.payment_refund_unneeded_process",
            kwargs={"payment_id": payment.pk},
            key=f"payment-refund-unneeded:{payment.pk}",
        )
    elif payment.status == PaymentStatus.WAITING_FOR_CAPTURE:
        outbox_enqueue(
            task="payments.tasks.payment_capture_process",
            kwargs={"payment_id": payment.pk},
            key=f"payment-capture:{payment.pk}",
        )


def payment_capture(*, payment_id: int, source: str = EventSource.SYSTEM, actor="system") -> Payment:
    """Take a held payment's money (pay later, after the lender approved), or release the hold when its order no
    longer waits for it. Idempotent: stored keys derived from the attempt's; a settled payment is left alone."""
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    if payment.status != PaymentStatus.WAITING_FOR_CAPTURE:
        return payment
    client = YooKassaClient()
    try:
        if payment.order.status in AWAITING:
            remote = client.payment_capture(
                payment.provider_payment_id, idempotence_key=f"{payment.idempotence_key}-capture"
            )
        else:
            remote = client.payment_cancel(
                payment.provider_payment_id, idempotence_key=f"{payment.idempotence_key}-cancel"
            )
    except ProviderRejected:  # the hold expired or was settled meanwhile: the provider's state is the answer
        return payment_sync(payment_id=payment.pk, source=source, actor=actor)
    return payment_apply_provider_state(payment_id=payment.pk, remote=remote, source=source, actor=actor)


def payment_refund_unneeded(*, payment_id: int) -> Refund | None:
    """Give back a payment that succeeded for an order that no longer waited for it (see _order_follow)."""
    payment = Payment.objects.get(pk=payment_id)
    pending = payment.refunds.filter(status=RefundStatus.PENDING).first()
    if pending is not None:  # a retry of this job: send the same refund again (same key)
        return refund_retry(refund_id=pending.pk)
    if payment.status != PaymentStatus.SUCCEEDED or payment.refunds.exists():
        return None
    reason = gettext("Заказ уже оплачен или отменён: платёж возвращён")
    return payment_refund(
        payment_id=payment.pk, amount=payment.amount, reason=reason, actor="system", source=EventSource.SYSTEM
    )


SHOPPER_SYNC_SECONDS = 5


def payment_shopper_check(*, payment: Payment) -> bool:
    """The shopper is looking at an open payment (back from the provider's page, the order page polling): ask the
    provider now rather than wait for the webhook. At most once per SHOPPER_SYNC_SECONDS per payment, in a task
    (the page stays fast). Returns whether a check was queued."""
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.WAITING_FOR_CAPTURE):
        return False
    if not payment.provider_payment_id:
        return False
    if not cache.add(f"payments:shopper-check:{payment.pk}", 1, SHOPPER_SYNC_SECONDS):
        return False
    from .tasks import payment_sync_process  # tasks import this module

    payment_sync_process.delay(payment_id=payment.pk, source=EventSource.SHOPPER)
    return True


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
            return_url=payment.return_url or return_url,  # the first attempt's: the same request, the same key
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
        payment_transition(payment=payment, to_status=target, source=source, actor=actor, note=note, payload=remote.raw)
        _order_follow(payment=payment, source=source, actor=actor)
        return payment


def payment_sync(*, payment_id: int, source: str, actor=None) -> Payment:
    """Re-read a payment from the provider and apply what it says (webhook task, poller, staff button)."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_payment_id:
        return payment  # never reached the provider: payment_provider_create is the retry
    remote = YooKassaClient().payment_get(payment.provider_payment_id)
    return payment_apply_provider_state(payment_id=payment.pk, remote=remote, source=source, actor=actor)


def payment_notification_handle(*, provider_payment_id: str, event: str) -> Payment | None:
    """A webhook said something happened to a payment: believe only the provider's API.

    An unknown payment id, or one the provider does not know (a forged notification), changes nothing; a claim the
    provider does not confirm (forged, or older news arriving late) is logged and noted on the payment's timeline.
    """
    payment = Payment.objects.filter(provider_payment_id=provider_payment_id).first()
    if payment is None:
        log.warning("webhook %s for unknown payment %s ignored", event, provider_payment_id)
        return None
    try:
        payment = payment_sync(payment_id=payment.pk, source=EventSource.WEBHOOK, actor="webhook")
    except ProviderNotFound:
        log.warning("webhook %s for %s: the provider does not know it (forged?)", event, provider_payment_id)
        with transaction.atomic(durable=True):
            payment_event_record(
                payment=_locked(payment.pk), source=EventSource.WEBHOOK, note=f"unconfirmed webhook {event}"
            )
        return None
    actual = payment.provider_payload.get("status", "")
    if event.startswith("payment.") and event.removeprefix("payment.") != actual:
        log.warning("webhook %s for %s not confirmed: the provider says %s", event, provider_payment_id, actual)
        with transaction.atomic(durable=True):
            payment = _locked(payment.pk)
            payment_event_record(
                payment=payment, source=EventSource.WEBHOOK, note=f"unconfirmed webhook {event}: provider says {actual}"
            )
    return payment


# --- refunds


def payment_refund(*, payment_id: int, amount: Decimal, reason: str, actor, source: str = EventSource.STAFF) -> Refund:
    """Refund part or all of a paid payment through the provider. Never more than was paid, even when
    several refunds race: the reservation is taken under the payment's row lock, counting unfinished ones.

    ProviderUnavailable leaves the refund PENDING; `refund_retry` repeats the same call (same key).
    A whole order (by lines, several payments, pay on delivery) is refunded with payments.refunds.order_refund.
    """
    amount = Decimal(amount)
    if amount <= 0:
        raise RefundNotAllowed("amount must be positive")
    with transaction.atomic(durable=True):
        refund = refund_reserve(payment=_locked(payment_id), amount=amount, reason=reason, actor=actor, source=source)
    if refund.channel != RefundChannel.PROVIDER:
        return refund  # a bank transfer request: support completes it (bank_transfer_refund_sent)
    return refund_retry(refund_id=refund.pk)


def refund_left(*, payment: Payment) -> Decimal:
    """What can still be refunded from a (locked) payment: paid, less refunded, less refunds still in flight.

    Paid on delivery is what the post collected, up to the payment's amount: a split order whose parcels were partly
    refused was paid for the parcels bought out only (payments/cod.py)."""
    if payment.status not in PAID_STATUSES:
        return Decimal(0)
    paid = payment.amount
    if payment.method == PaymentMethod.CASH_ON_DELIVERY:
        collected = payment.cod_collections.aggregate(total=Sum("collected_amount"))["total"]
        paid = min(paid, collected if collected is not None else paid)
    in_flight = payment.refunds.filter(status__in=[RefundStatus.NEW, RefundStatus.PENDING]).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    return paid - payment.refunded_amount - in_flight


def refund_reserve(
    *,
    payment: Payment,
    amount: Decimal,
    reason: str,
    actor,
    source: str,
    lines: dict[str, int] | None = None,
    channel: str | None = None,
    key: str | None = None,
) -> Refund:
    """Inside the caller's transaction, `payment` locked: take `amount` out of what is left to refund and write the
    pending Refund, with a BankTransferRefundRequest when the money came on delivery (nothing to reverse online).
    `channel` None: from how it was paid; RefundChannel.POINTS: order_refund posts it to the points ledger.
    `key`: the refund's idempotence key when the caller derives one (order_refund's `key=`), else a new random one."""
    if payment.status not in PAID_STATUSES:
        raise RefundNotAllowed(f"payment {payment.pk} is {payment.status}")
    if amount > refund_left(payment=payment):
        raise RefundNotAllowed(f"payment {payment.pk}: {amount} exceeds what is left to refund")
    refund = Refund.objects.create(
        payment=payment,
        channel=channel or (RefundChannel.PROVIDER if payment.uses_provider else RefundChannel.BANK_TRANSFER),
        amount=amount,
        currency=payment.currency,
        reason=reason[:250],
        status=RefundStatus.PENDING,
        actor=_actor_user(actor),
        source=source,
        lines=lines or {},
        **({"idempotence_key": key} if key else {}),
    )
    if refund.channel == RefundChannel.BANK_TRANSFER:
        BankTransferRefundRequest.objects.create(
            refund=refund, order_id=payment.order_id, amount=amount, currency=payment.currency
        )
    payment_event_record(
        payment=payment, source=source, actor=actor, note=f"refund {refund.pk} requested: {amount} ({reason})"[:255]
    )
    return refund


def refund_retry(*, refund_id: int) -> Refund:
    """Send (or re-send, with the same key) a PENDING provider refund and record the answer."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING or refund.channel != RefundChannel.PROVIDER:
        return refund  # settled, or a bank transfer (support sends it: bank_transfer_refund_sent)
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
        return refund_complete(
            refund_id=refund_id, succeeded=succeeded, note=note, remote_id=remote_id, payload=payload
        )


def refund_complete(
    *, refund_id: int, succeeded: bool, note: str, remote_id: str | None = None, payload: dict | None = None
) -> Refund:
    """Record a pending refund's outcome, in the caller's transaction (locks: the payment, then the refund)."""
    with transaction.atomic(savepoint=False):
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
            _refund_notify(refund=refund, order=Order.objects.select_related("user").get(pk=payment.order_id))
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


# order_refund's `key` for the refund a cancellation makes (payments/cancel.py): its refunds' idempotence keys end
# with it. The shopper was told with the cancellation that the money is on its way: its completion sends no message.
CANCELLATION_REFUND_KEY = "order-cancelled"


def _refund_notify(*, refund: Refund, order: Order) -> None:
    """ "We refunded N ₽ for order X", once per refund (not for a cancellation's: see CANCELLATION_REFUND_KEY)."""
    if refund.idempotence_key.endswith(f"-{CANCELLATION_REFUND_KEY}"):
        return
    context = {"number": order.number, "amount": format_money(refund.amount, refund.currency)}
    order_shopper_notify(order=order, kind="refund_issued", key=f"refund_issued:{refund.pk}", context=context)


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
