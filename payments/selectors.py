"""Payments reads: an order's payment state as its page shows it, checkout's options, the admin's drop-off report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from orders.models import Order, OrderStatus, OrderStatusChange
from storefront.core.money import format_money

from .exceptions import GENERIC_FAILURE, decline_message
from .models import PROVIDER_METHODS, Payment, PaymentMethod, PaymentStatus, Refund, RefundStatus
from .pay_later import pay_later_eligible, pay_later_schedule

# What the order page shows, by the latest attempt's status (and the order's).
PAID, PENDING, HELD, UNANSWERED, DECLINED, UNPAID, CANCELLED, REFUND = (
    "paid",
    "pending",
    "held",
    "unanswered",
    "declined",
    "unpaid",
    "cancelled",
    "refund",  # cancelled after it was paid: the money goes back (payments/cancel.py)
)
OPEN_STATES = frozenset({PENDING, HELD})  # the page polls until these settle


@dataclass(frozen=True)
class OrderPaymentState:
    order: Order
    code: str  # one of the constants above; "" when payments has nothing to show (pay on delivery)
    payment: Payment | None = None
    paid: Payment | None = None  # the attempt that paid the order
    message: str = ""  # why the last attempt failed, safe to show
    methods: list[tuple[str, str]] = field(default_factory=list)  # what the shopper may pay with now
    pay_by: datetime | None = None  # the order is cancelled if not paid by then
    refunds: tuple[Refund, ...] = ()  # REFUND: the order's refunds, oldest first (not those the provider refused)
    returned: bool = False  # REFUND: all that was paid is back with the shopper
    by_support: bool = False  # REFUND: support returns the money by hand (pay on delivery, or the provider refused)

    @property
    def polling(self) -> bool:
        return self.code in OPEN_STATES

    @property
    def can_pay(self) -> bool:
        return self.code in (DECLINED, UNPAID, UNANSWERED, PENDING) and bool(self.methods)


def payment_methods_for_order(*, order: Order) -> list[tuple[str, str]]:
    """(value, label) of the prepaid methods this order may be paid with (pay later only where it fits)."""
    choices = checkout_payment_choices(total=order.total, currency=order.currency)
    return [(value, label) for value, label in choices if value in PROVIDER_METHODS]


def payment_deadline(*, order: Order) -> datetime:
    return order.placed_at + timedelta(hours=settings.STORE_PAYMENT_ABANDON_HOURS)


def order_payment_state(*, order: Order) -> OrderPaymentState:
    """The order's payment state: two small queries (its attempts, newest first); a third, its refunds, for an order
    cancelled after it was paid."""
    attempts = list(order.payments.order_by("-created_at", "-id")[:20])
    latest = attempts[0] if attempts else None
    paid = next((p for p in reversed(attempts) if p.paid_at is not None), None)  # the first that paid
    if paid is not None and order.status == OrderStatus.CANCELLED:
        every = tuple(Refund.objects.filter(payment__order=order).order_by("created_at", "id"))
        refunds = tuple(r for r in every if r.status != RefundStatus.FAILED)
        back = sum((r.amount for r in refunds if r.status == RefundStatus.SUCCEEDED), Decimal(0))
        returned = back >= sum((p.amount for p in attempts if p.paid_at is not None), Decimal(0))
        # no automatic way back: paid on delivery (a bank transfer needs the shopper's details) or the provider refused
        by_support = not returned and (not paid.uses_provider or len(every) > len(refunds))
        return OrderPaymentState(
            order=order, code=REFUND, payment=latest, paid=paid, refunds=refunds, returned=returned,
            by_support=by_support,
        )  # fmt: skip
    if paid is not None:
        return OrderPaymentState(order=order, code=PAID, payment=latest, paid=paid)
    if order.status == OrderStatus.CANCELLED and attempts:
        return OrderPaymentState(order=order, code=CANCELLED, payment=latest)
    if order.status not in (OrderStatus.PLACED, OrderStatus.AWAITING_PAYMENT) or (
        latest is None and order.payment_method not in PROVIDER_METHODS
    ):
        return OrderPaymentState(order=order, code="", payment=latest)
    extra = {"methods": payment_methods_for_order(order=order), "pay_by": payment_deadline(order=order)}
    if latest is None:
        return OrderPaymentState(order=order, code=UNPAID, **extra)
    if latest.status == PaymentStatus.PENDING:
        return OrderPaymentState(order=order, code=PENDING, payment=latest, **extra)
    if latest.status == PaymentStatus.WAITING_FOR_CAPTURE:
        return OrderPaymentState(order=order, code=HELD, payment=latest, **extra)
    if latest.status == PaymentStatus.NEW:
        return OrderPaymentState(order=order, code=UNANSWERED, payment=latest, **extra)
    message = decline_message(latest.cancellation_reason) if latest.cancellation_reason else GENERIC_FAILURE
    return OrderPaymentState(order=order, code=DECLINED, payment=latest, message=str(message), **extra)


def checkout_payment_choices(*, total: Decimal | None, currency: str = "RUB") -> list[tuple[str, str]]:
    """The checkout's payment options for an order of `total`: pay later only where it fits, with its four parts.
    The pay-later label (its schedule, dates and amounts) is worked out when a page shows it, not when a form only
    validates the choice (placing the order)."""
    choices = []
    for value, name in PaymentMethod.choices:
        label = name
        if value == PaymentMethod.PAY_LATER:
            if not pay_later_eligible(total=total, currency=currency):
                continue
            label = _pay_later_label_lazy(name, total, currency)
        choices.append((value, label))
    return choices


def _pay_later_label(name, total: Decimal, currency: str) -> SafeString:
    schedule = pay_later_schedule(total)
    dates = ", ".join(gettext("сегодня") if part.today else date_format(part.due, "j E") for part in schedule.parts)
    help_text = gettext("%(n)d платежа по %(part)s: %(dates)s") % {
        "n": len(schedule.parts),
        "part": format_money(schedule.part, currency),
        "dates": dates,
    }
    return format_html('{}<small class="choice-help">{}</small>', name, help_text)


_pay_later_label_lazy = lazy(_pay_later_label, SafeString)


@dataclass(frozen=True)
class DropoffRow:
    day: date | None  # None: the whole period
    method: str
    placed: int
    paid: int
    abandoned: int

    @property
    def method_label(self) -> str:
        return PaymentMethod(self.method).label if self.method in PaymentMethod.values else self.method

    @property
    def waiting(self) -> int:
        return self.placed - self.paid - self.abandoned

    @property
    def conversion(self) -> Decimal | None:
        """Paid as a percentage of placed, one decimal."""
        return (Decimal(self.paid * 100) / self.placed).quantize(Decimal("0.1")) if self.placed else None


def payment_dropoff_report(*, since: date, until: date) -> tuple[list[DropoffRow], list[DropoffRow]]:
    """The drop-off between placing an order and paying for it, per payment method per (Moscow) day and for the
    whole period: orders placed, paid (a payment of theirs went through), abandoned (cancelled while awaiting
    payment). Two grouped queries, whatever the number of orders."""
    zone = timezone.get_default_timezone()
    start = datetime.combine(since, time.min, tzinfo=zone)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
    paid = Exists(Payment.objects.filter(order=OuterRef("pk"), paid_at__isnull=False))
    abandoned = Exists(
        OrderStatusChange.objects.filter(
            order=OuterRef("pk"), from_status=OrderStatus.AWAITING_PAYMENT, to_status=OrderStatus.CANCELLED
        )
    )
    counts = {
        "placed": Count("pk"),
        "paid": Count("pk", filter=Q(paid)),
        "abandoned": Count("pk", filter=Q(abandoned) & ~Q(paid)),
    }
    orders = Order.objects.filter(placed_at__gte=start, placed_at__lt=end)
    daily = (
        orders.annotate(day=TruncDate("placed_at", tzinfo=zone))
        .values("day", "payment_method")
        .annotate(**counts)
        .order_by("-day", "payment_method")
    )
    totals = orders.values("payment_method").annotate(**counts).order_by("payment_method")
    return (
        [DropoffRow(r["day"], r["payment_method"], r["placed"], r["paid"], r["abandoned"]) for r in daily],
        [DropoffRow(None, r["payment_method"], r["placed"], r["paid"], r["abandoned"]) for r in totals],
    )
