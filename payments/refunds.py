"""Refunding an order: one entry point for support (admin), aftersales (returns, later) and price protection.

The path follows how the order was paid (RefundChannel):
- card, SBP, pay later: the provider reverses (part of) the payment, with the refund's stored idempotence key;
- pay on delivery (collected): a BankTransferRefundRequest; support transfers the money and marks it sent;
- points (`path=RefundPath.POINTS`, chosen by the caller: price protection, a shopper who prefers points): the
  amount goes to the loyalty points ledger through the poster the loyalty app registers (`refund_points_poster_set`
  in its AppConfig.ready(); payments never imports loyalty). Posted in the refund's own transaction, so the refund
  succeeds or nothing is written. Until the ledger exists (a later issue) no poster is registered and a points
  refund is refused before anything is written (RefundPathUnavailable).

Never more than was paid and never more of a line than was bought, counting refunds still in flight. Locking: the
order's paid payments are locked (in id order) before anything is counted, so concurrent refunds of one order wait
for each other and cannot overshoot; provider calls happen after the commit.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.models import Order, OrderLine
from storefront.core.money import quantize

from .exceptions import ProviderUnavailable, RefundNotAllowed, RefundPathUnavailable
from .models import (
    PAID_STATUSES,
    BankTransferRefundRequest,
    BankTransferStatus,
    EventSource,
    Payment,
    Refund,
    RefundChannel,
    RefundPath,
    RefundStatus,
)
from .services import payment_event_record, refund_complete, refund_left, refund_reserve, refund_retry

log = logging.getLogger("payments")
NOTHING_PAID = _("По заказу нет оплаченных платежей: возвращать нечего.")
TOO_MUCH = _("Нельзя вернуть больше, чем было оплачено.")
REASON_REQUIRED = _("Укажите причину возврата.")
POINTS_UNAVAILABLE = _("Возврат баллами пока недоступен: программа лояльности не подключена.")
MAX_KEY = 64 - 37  # a refund's key is the payment's ("pay-" and 32 hex digits), "-" and this; 64 at most


class PointsPoster(Protocol):
    """What the loyalty app gives payments: credit `amount` to the order's customer as points, inside the caller's
    transaction, idempotently by `key`; returns the ledger entry's reference (recorded on the refund)."""

    def __call__(self, *, order: Order, amount: Decimal, currency: str, key: str, reason: str, actor) -> str: ...


_points_poster: PointsPoster | None = None


def refund_points_poster_set(poster: PointsPoster | None) -> None:
    """The loyalty app registers its points ledger here (AppConfig.ready()); None removes it."""
    global _points_poster  # noqa: PLW0603 - one registration per process, like a signal receiver
    _points_poster = poster


def order_refundable(*, order: Order) -> Decimal:
    """What is left to refund on an order (read without locks: for display)."""
    return sum(
        (refund_left(payment=p) for p in Payment.objects.filter(order=order, status__in=PAID_STATUSES)), Decimal(0)
    )


def order_line_refunded_quantities(*, order: Order) -> dict[int, int]:
    """{line id: quantity already refunded or being refunded} over the order's refunds that did not fail."""
    quantities: dict[int, int] = {}
    for lines in (
        Refund.objects.filter(payment__order=order).exclude(status=RefundStatus.FAILED).values_list("lines", flat=True)
    ):
        for line_id, quantity in (lines or {}).items():
            quantities[int(line_id)] = quantities.get(int(line_id), 0) + int(quantity)
    return quantities


def order_refund(
    *,
    order: Order,
    lines: dict[int, int] | None = None,
    amount: Decimal | None = None,
    reason: str,
    actor,
    source: str = EventSource.STAFF,
    path: str | None = None,
    key: str = "",
) -> list[Refund]:
    """Refund an order wholly or partly; returns the refunds made (one per payment touched, usually one).

    `key` (a job's refund that may run again, e.g. "order-cancelled"): each payment's refund is keyed
    `<payment's idempotence key>-<key>`, here and at the provider; when refunds with those keys exist they are returned
    (a pending one sent again, same key) and nothing new is made, so a retried job refunds once.

    `path`: None follows how the order was paid (provider / bank transfer); RefundPath.POINTS credits points instead
    (refused with RefundPathUnavailable, nothing written, while no points ledger is registered).

    `lines` {order line id: quantity}: those goods at the price paid for them. `amount`: that sum (with `lines`, the
    sum for those lines, e.g. less the return shipping the law lets the seller keep). Neither: all that is left.
    Raises RefundNotAllowed (its user_message is for staff) when nothing is paid, the amount is more than is left,
    or a line is refunded beyond what was bought. A provider that does not answer leaves its refund pending: the
    poller sends it again with the same key.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RefundNotAllowed("reason required", user_message=REASON_REQUIRED)
    if path not in (None, RefundPath.POINTS):
        raise ValueError(f"order_refund: path {path!r} is chosen from how the order was paid, not by the caller")
    poster = _points_poster if path == RefundPath.POINTS else None
    if path == RefundPath.POINTS and poster is None:
        raise RefundPathUnavailable(f"order {order.number}: no points ledger", user_message=POINTS_UNAVAILABLE)
    if len(key) > MAX_KEY:
        raise ValueError(f"order_refund: key {key!r} is longer than {MAX_KEY}")
    with transaction.atomic(durable=True):
        payments = list(
            Payment.objects.select_for_update(no_key=True)
            .filter(order_id=order.pk, status__in=PAID_STATUSES)
            .order_by("pk")
        )
        # after the locks: a run of the same job beside this one has committed its refunds, or waits for ours
        refunds = _keyed_refunds(order=order, key=key) if key else []
        if not refunds:
            refunds = _reserve(
                order=order, payments=payments, lines=lines or {}, amount=amount, reason=reason, actor=actor,
                source=source, poster=poster, key=key,
            )  # fmt: skip
    return [_send(refund) for refund in refunds]


def _keyed_refunds(*, order: Order, key: str) -> list[Refund]:
    """The refunds an earlier order_refund(key=key) made for this order (none: it has not run)."""
    keys = [f"{k}-{key}" for k in Payment.objects.filter(order_id=order.pk).values_list("idempotence_key", flat=True)]
    return list(Refund.objects.filter(idempotence_key__in=keys).order_by("pk"))


def _reserve(
    *, order: Order, payments: list[Payment], lines, amount, reason: str, actor, source: str, poster, key: str
) -> list[Refund]:
    """order_refund's reservations, in its transaction with `payments` (the paid ones) locked."""
    if not payments:
        raise RefundNotAllowed(f"order {order.number}: nothing paid", user_message=NOTHING_PAID)
    wanted_lines = _lines_check(order=order, lines=lines)
    left = sum((refund_left(payment=p) for p in payments), Decimal(0))
    if amount is None:
        amount = _lines_amount(order=order, lines=wanted_lines) if wanted_lines else left
    amount = quantize(Decimal(amount))
    if amount <= 0 or amount > left:
        raise RefundNotAllowed(f"order {order.number}: {amount} of {left} left", user_message=TOO_MUCH)
    refunds = []
    remaining = amount
    for payment in sorted(payments, key=lambda p: (p.paid_at or timezone.now(), p.pk)):  # oldest money first
        take = min(refund_left(payment=payment), remaining)
        if take <= 0:
            continue
        lines_note = {str(k): v for k, v in wanted_lines.items()} if not refunds else {}  # counted once
        refunds.append(
            refund_reserve(
                payment=payment, amount=take, reason=reason, actor=actor, source=source, lines=lines_note,
                channel=RefundChannel.POINTS if poster is not None else None,
                key=f"{payment.idempotence_key}-{key}" if key else None,
            )
        )  # fmt: skip
        remaining -= take
        if remaining == 0:
            break
    if poster is not None:
        refunds = [_points_post(poster, refund=r, order=order, reason=reason, actor=actor) for r in refunds]
    return refunds


def _points_post(poster: PointsPoster, *, refund: Refund, order: Order, reason: str, actor) -> Refund:
    """Credit a reserved points refund through the ledger and complete it, in the caller's transaction."""
    entry = poster(
        order=order, amount=refund.amount, currency=refund.currency, key=refund.idempotence_key, reason=reason,
        actor=actor,
    )  # fmt: skip
    return refund_complete(refund_id=refund.pk, succeeded=True, note="", payload={"points_entry": str(entry)})


def _send(refund: Refund) -> Refund:
    if refund.channel != RefundChannel.PROVIDER:  # a bank transfer request, or points already posted
        return refund
    try:
        return refund_retry(refund_id=refund.pk)
    except ProviderUnavailable:
        log.warning("refund %s: provider unavailable, left pending for the poller", refund.pk)
        return refund


def _lines_check(*, order: Order, lines: dict[int, int]) -> dict[int, int]:
    """The wanted {line id: quantity}, each a line of this order, at least one, at most what is left of it."""
    wanted = {int(line_id): int(qty) for line_id, qty in lines.items() if int(qty) != 0}
    if not wanted:
        return {}
    bought = {
        line.pk: line
        for line in OrderLine.objects.filter(order_id=order.pk, pk__in=wanted).only("pk", "quantity", "product_title")
    }
    done = order_line_refunded_quantities(order=order)
    for line_id, quantity in wanted.items():
        line = bought.get(line_id)
        if line is None or quantity < 0:
            raise RefundNotAllowed(f"order {order.number}: line {line_id} x {quantity}", user_message=TOO_MUCH)
        if quantity + done.get(line_id, 0) > line.quantity:
            message = gettext("«%(title)s»: куплено %(bought)d шт., уже возвращено %(done)d.") % {
                "title": line.product_title,
                "bought": line.quantity,
                "done": done.get(line_id, 0),
            }
            raise RefundNotAllowed(f"order {order.number}: line {line_id} over-refunded", user_message=message)
    return wanted


def _lines_amount(*, order: Order, lines: dict[int, int]) -> Decimal:
    prices = dict(OrderLine.objects.filter(order_id=order.pk, pk__in=lines).values_list("pk", "unit_price_rub"))
    return quantize(sum((prices[line_id] * quantity for line_id, quantity in lines.items()), Decimal(0)))


def bank_transfer_refund_sent(*, request_id: int, reference: str, actor) -> BankTransferRefundRequest:
    """Support transferred a pay-on-delivery refund to the shopper's bank account: the refund is done."""
    reference = (reference or "").strip()
    if not reference:
        raise RefundNotAllowed("reference required", user_message=_("Укажите номер платёжного поручения."))
    refund_id = BankTransferRefundRequest.objects.values_list("refund_id", flat=True).get(pk=request_id)
    with transaction.atomic(durable=True):
        refund_complete(refund_id=refund_id, succeeded=True, note="")  # locks the payment and the refund first
        request = BankTransferRefundRequest.objects.select_for_update().get(pk=request_id)
        if request.status == BankTransferStatus.SENT:
            return request
        request.status = BankTransferStatus.SENT
        request.transfer_reference = reference[:64]
        request.sent_at = timezone.now()
        request.save(update_fields=["status", "transfer_reference", "sent_at"])
        payment = Payment.objects.get(refunds__pk=refund_id)
        payment_event_record(
            payment=payment, source=EventSource.STAFF, actor=actor, note=f"bank transfer {reference[:64]} sent"
        )
    return request
