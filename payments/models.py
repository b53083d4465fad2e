"""Payments: one row per payment attempt for an order, its timeline, and refunds.

Statuses move only through payments.services (`payment_transition`), which checks ALLOWED_TRANSITIONS
below and writes a PaymentEvent: who/what (source, actor), when, from, to, and the provider's raw payload.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_payment_key() -> str:
    """The Idempotence-Key of one payment attempt: made once with the row and stored, so every retry of the
    provider call for this attempt sends the same key (a random key per call could charge twice). Not the bare
    primary key: two environments sharing one provider shop would collide on "pay-1"."""
    return f"pay-{uuid.uuid4().hex}"


def new_refund_key() -> str:
    return f"refund-{uuid.uuid4().hex}"


class PaymentMethod(models.TextChoices):
    """The same values as orders.PaymentMethod."""

    CARD = "card", _("Банковская карта")
    SBP = "sbp", _("СБП")
    PAY_LATER = "pay_later", _("Оплата частями")
    CASH_ON_DELIVERY = "cod", _("Оплата при получении (наложенный платёж)")


PROVIDER_METHODS = frozenset({PaymentMethod.CARD, PaymentMethod.SBP, PaymentMethod.PAY_LATER})


class PaymentStatus(models.TextChoices):
    NEW = "new", _("Создан")  # our row exists; the provider has not answered yet
    PENDING = "pending", _("Ожидает оплаты")  # the shopper is on the provider's page
    WAITING_FOR_CAPTURE = "waiting_for_capture", _("Деньги заблокированы")
    SUCCEEDED = "succeeded", _("Оплачен")
    CANCELED = "canceled", _("Отменён")
    AWAITING_COLLECTION = "awaiting_collection", _("Оплата при получении")  # pay on delivery
    COLLECTED = "collected", _("Получен при вручении")
    UNCOLLECTED = "uncollected", _("Не выкуплен")
    REFUNDED = "refunded", _("Возвращён полностью")


_S = PaymentStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    # NEW may jump ahead: a retried create (same key) can find the payment already settled.
    _S.NEW: frozenset({_S.PENDING, _S.WAITING_FOR_CAPTURE, _S.SUCCEEDED, _S.CANCELED}),
    _S.PENDING: frozenset({_S.WAITING_FOR_CAPTURE, _S.SUCCEEDED, _S.CANCELED}),
    _S.WAITING_FOR_CAPTURE: frozenset({_S.SUCCEEDED, _S.CANCELED}),
    _S.SUCCEEDED: frozenset({_S.REFUNDED}),
    _S.AWAITING_COLLECTION: frozenset({_S.COLLECTED, _S.UNCOLLECTED, _S.CANCELED}),
    _S.COLLECTED: frozenset({_S.REFUNDED}),
    _S.CANCELED: frozenset(),
    _S.UNCOLLECTED: frozenset(),
    _S.REFUNDED: frozenset(),
}
# Money has reached us (refunds are possible from these).
PAID_STATUSES = frozenset({_S.SUCCEEDED, _S.COLLECTED})
# The provider may still move these on its own (the poller looks at them).
OPEN_PROVIDER_STATUSES = frozenset({_S.NEW, _S.PENDING, _S.WAITING_FOR_CAPTURE})


class EventSource(models.TextChoices):
    SHOPPER = "shopper", _("Покупатель")
    WEBHOOK = "webhook", _("Уведомление провайдера")
    POLLER = "poller", _("Проверка статуса")
    STAFF = "staff", _("Сотрудник")
    LOGISTICS = "logistics", _("Доставка")
    SYSTEM = "system", _("Система")


class Payment(models.Model):
    """One attempt to pay for an order (a failed card attempt and the SBP retry after it are two rows)."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="payments", verbose_name=_("заказ")
    )
    method = models.CharField(_("способ"), max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(_("статус"), max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.NEW)
    amount = models.DecimalField(_("сумма"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    refunded_amount = models.DecimalField(_("возвращено"), max_digits=12, decimal_places=2, default=0)

    idempotence_key = models.CharField(
        _("ключ идемпотентности"), max_length=64, unique=True, default=new_payment_key, editable=False
    )
    provider_payment_id = models.CharField(
        _("ID платежа у провайдера"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    confirmation_url = models.URLField(_("страница оплаты"), max_length=500, blank=True, editable=False)
    capture = models.BooleanField(_("одностадийный"), default=True, editable=False)
    cancellation_party = models.CharField(_("кто отменил"), max_length=32, blank=True, editable=False)
    cancellation_reason = models.CharField(_("причина отмены"), max_length=64, blank=True, editable=False)
    provider_payload = models.JSONField(_("последний ответ провайдера"), default=dict, blank=True, editable=False)

    created_at = models.DateTimeField(_("создан"), default=timezone.now, db_index=True, editable=False)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)
    paid_at = models.DateTimeField(_("оплачен"), null=True, blank=True, editable=False)
    synced_at = models.DateTimeField(_("сверен с провайдером"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("платёж")
        verbose_name_plural = _("платежи")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the poller: open provider payments, oldest first
            models.Index(
                fields=["created_at"],
                name="payment_open_by_created",
                condition=Q(status__in=["new", "pending", "waiting_for_capture"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(refunded_amount__gte=0), name="payment_refunded_not_negative"),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("amount")), name="payment_refunded_within_amount"
            ),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_known"),
            models.CheckConstraint(condition=Q(method__in=PaymentMethod.values), name="payment_method_known"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="payment_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} {self.currency} · {self.get_status_display()}"

    @property
    def refundable_amount(self):
        return self.amount - self.refunded_amount if self.status in PAID_STATUSES else Decimal(0)

    @property
    def uses_provider(self) -> bool:
        return self.method in PROVIDER_METHODS


class PaymentEvent(models.Model):
    """The payment's timeline: every status change and every provider call that mattered."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events", verbose_name=_("платёж"))
    at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)
    from_status = models.CharField(_("было"), max_length=24, choices=PaymentStatus.choices, blank=True)
    to_status = models.CharField(_("стало"), max_length=24, choices=PaymentStatus.choices, blank=True)
    source = models.CharField(_("источник"), max_length=16, choices=EventSource.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("кто"),
    )
    note = models.CharField(_("комментарий"), max_length=255, blank=True)
    payload = models.JSONField(_("данные провайдера"), default=dict, blank=True)

    class Meta:
        verbose_name = _("событие платежа")
        verbose_name_plural = _("история платежа")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status or '—'} ({self.get_source_display()})"


class RefundStatus(models.TextChoices):
    NEW = "new", _("Создан")
    PENDING = "pending", _("В обработке")
    SUCCEEDED = "succeeded", _("Выполнен")
    FAILED = "failed", _("Не выполнен")


class RefundChannel(models.TextChoices):
    PROVIDER = "provider", _("Через платёжный сервис")
    BANK_TRANSFER = "bank_transfer", _("Банковским переводом")  # pay on delivery: nothing to reverse online
    POINTS = "points", _("Баллами")


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("платёж"))
    channel = models.CharField(_("канал"), max_length=16, choices=RefundChannel.choices, default=RefundChannel.PROVIDER)
    amount = models.DecimalField(_("сумма"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    reason = models.CharField(_("причина"), max_length=250)
    status = models.CharField(_("статус"), max_length=16, choices=RefundStatus.choices, default=RefundStatus.NEW)
    idempotence_key = models.CharField(
        _("ключ идемпотентности"), max_length=64, unique=True, default=new_refund_key, editable=False
    )
    provider_refund_id = models.CharField(
        _("ID возврата у провайдера"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("кто оформил"),
    )
    source = models.CharField(_("источник"), max_length=16, choices=EventSource.choices, default=EventSource.STAFF)
    failure = models.CharField(_("ошибка"), max_length=255, blank=True)
    provider_payload = models.JSONField(_("ответ провайдера"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("создан"), default=timezone.now, db_index=True, editable=False)
    completed_at = models.DateTimeField(_("выполнен"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("возврат")
        verbose_name_plural = _("возвраты")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=RefundStatus.values), name="refund_status_known"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="refund_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} · {self.get_status_display()}"
