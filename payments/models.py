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

from orders.models import PaymentMethod as OrderPaymentMethod


def new_payment_key() -> str:
    """The Idempotence-Key of one payment attempt: made once with the row and stored, so every retry of the
    provider call for this attempt sends the same key (a random key per call could charge twice). Not the bare
    primary key: two environments sharing one provider shop would collide on "pay-1"."""
    return f"pay-{uuid.uuid4().hex}"


def new_refund_key() -> str:
    return f"refund-{uuid.uuid4().hex}"


# One list of methods for the order (what the shopper chose) and its payment attempts (what each used).
PaymentMethod = OrderPaymentMethod
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
    # where the provider sends the shopper back; stored so that a retry repeats the very same request
    return_url = models.URLField(_("адрес возврата"), max_length=500, blank=True, editable=False)
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
    """The path a refund takes (order_refund picks it from how the order was paid)."""

    PROVIDER = "provider", _("Через платёжный сервис")  # card, SBP, pay later: the provider reverses the payment
    BANK_TRANSFER = "bank_transfer", _("Банковским переводом")  # pay on delivery: nothing to reverse online
    # Points: chosen by order_refund's caller (path=RefundPath.POINTS), posted through the poster the loyalty app
    # registers (payments.refunds.refund_points_poster_set); refused while there is none (the ledger is a later issue).
    POINTS = "points", _("Баллами")


RefundPath = RefundChannel  # the name order_refund's callers use


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
    # {order line id: quantity} this refund is for (order_refund by lines); empty for an amount-only refund
    lines = models.JSONField(_("позиции"), default=dict, blank=True, editable=False)
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


class BankTransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Ждёт перевода")
    SENT = "sent", _("Переведено")


class BankTransferRefundRequest(models.Model):
    """A refund for an order paid on delivery: there is no card to return the money to, so support transfers it
    to the shopper's bank account. The Refund it belongs to stays pending until the transfer is marked sent."""

    refund = models.OneToOneField(
        Refund, on_delete=models.PROTECT, related_name="bank_transfer", verbose_name=_("возврат")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="bank_transfer_refunds", verbose_name=_("заказ")
    )
    amount = models.DecimalField(_("сумма"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    status = models.CharField(
        _("статус"), max_length=16, choices=BankTransferStatus.choices, default=BankTransferStatus.REQUESTED
    )
    recipient_name = models.CharField(_("получатель"), max_length=150, blank=True)
    account_number = models.CharField(_("счёт получателя"), max_length=20, blank=True)
    bank_bic = models.CharField(_("БИК банка"), max_length=9, blank=True)
    transfer_reference = models.CharField(_("номер платёжного поручения"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("создан"), default=timezone.now, db_index=True, editable=False)
    sent_at = models.DateTimeField(_("переведено"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("возврат банковским переводом")
        verbose_name_plural = _("возвраты банковским переводом")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="banktransfer_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=BankTransferStatus.values), name="banktransfer_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.amount} {self.currency} · {self.get_status_display()}"


# --- Pay on delivery (payments/cod.py, payments/reconcile.py) -------------------------------------------------------


class CodCollection(models.Model):
    """What the post collects in one parcel of a pay-on-delivery order: the amount to collect there, the parcel
    (logistics' reference and the tracking number it tells us: payments never reads logistics' tables) and what the
    post reported — collected (how much, when) or refused. The order's payment is collected when every one of its
    collections is; an order in one parcel has one (made with the payment, for the whole amount). The remittance
    that brought a parcel's money to us is its applied CodRemittanceLine (at most one)."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="cod_collections", verbose_name=_("платёж")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="cod_collections", verbose_name=_("заказ")
    )
    parcel_reference = models.CharField(
        _("посылка"), max_length=40, blank=True, help_text=_("Номер посылки в доставке; пусто — пока не разделён.")
    )
    amount = models.DecimalField(_("к получению"), max_digits=12, decimal_places=2)
    tracking_number = models.CharField(_("трек-номер"), max_length=32, unique=True, null=True, blank=True)
    collected_amount = models.DecimalField(_("получено почтой"), max_digits=12, decimal_places=2, null=True, blank=True)
    collected_at = models.DateTimeField(_("получен при вручении"), null=True, blank=True)
    amount_mismatch = models.BooleanField(_("сумма при вручении не совпала"), default=False)
    refused_at = models.DateTimeField(_("не выкуплен"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("наложенный платёж")
        verbose_name_plural = _("наложенные платежи")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "collected but not remitted after N days" starts from the collected ones, oldest first
            models.Index(fields=["collected_at"], name="cod_collected_at", condition=Q(collected_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["payment", "parcel_reference"], name="cod_one_row_per_parcel"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="cod_amount_positive"),
            models.CheckConstraint(
                condition=Q(collected_at__isnull=True) | Q(refused_at__isnull=True), name="cod_collected_xor_refused"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} · {self.parcel_reference or '—'} · {self.tracking_number or '—'}"

    @property
    def is_settled(self) -> bool:
        return self.collected_at is not None or self.refused_at is not None


class CodCustomerFlag(models.Model):
    """A shopper who refused a pay-on-delivery parcel: while the flag is open (not cleared by support, e.g. after
    the shopper paid for the return), pay on delivery is not offered to this account or phone number
    (STORE_COD_REFUSALS_LIMIT open flags close it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cod_flags",
        verbose_name=_("покупатель"),
    )
    phone = models.CharField(_("телефон"), max_length=16, db_index=True, help_text=_("В формате E.164"))
    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, related_name="cod_flag", verbose_name=_("невыкупленный заказ")
    )
    reason = models.CharField(_("причина"), max_length=255)
    created_at = models.DateTimeField(_("создан"), default=timezone.now, db_index=True, editable=False)
    cleared_at = models.DateTimeField(_("снят"), null=True, blank=True, editable=False)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("кто снял"),
        editable=False,
    )
    clear_note = models.CharField(_("почему снят"), max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = _("отметка о невыкупе")
        verbose_name_plural = _("невыкупы: отметки покупателей")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.phone} · {self.order_id}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class CodExclusion(models.Model):
    """A product or one variant that may not be paid on delivery (a flash sale, goods often refused), for a period
    or until removed. Set from the admin or by `cod_exclusion_add` (payments/cod.py)."""

    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("товар"),
        help_text=_("Все варианты товара. Укажите товар или вариант."),
    )
    sku = models.ForeignKey(
        "catalog.Sku",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("вариант"),
        help_text=_("Только этот вариант."),
    )
    reason = models.CharField(_("причина"), max_length=255, help_text=_("Видна сотрудникам, не покупателям."))
    starts_at = models.DateTimeField(_("действует с"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("действует до"), null=True, blank=True, help_text=_("Пусто — пока правило не удалят.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("кто добавил"),
        editable=False,
    )
    created_at = models.DateTimeField(_("создано"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("исключение из оплаты при получении")
        verbose_name_plural = _("исключения из оплаты при получении")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False, sku__isnull=True) | Q(product__isnull=True, sku__isnull=False),
                name="codexclusion_product_xor_sku",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")), name="codexclusion_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id or '—'}/{self.sku_id or '—'}: {self.reason}"


class CodReconciliation(models.Model):
    """One load of the post's remittance register (`manage.py reconcile_cod FILE`) and its outcome."""

    file_name = models.CharField(_("файл"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 файла"), max_length=64, db_index=True)
    encoding = models.CharField(_("кодировка"), max_length=16)
    delimiter = models.CharField(_("разделитель"), max_length=1)
    remit_days = models.PositiveIntegerField(_("срок перечисления, дней"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("кто загрузил"),
    )  # fmt: skip
    actor_label = models.CharField(_("кто загрузил (метка)"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("начата"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("закончена"), null=True, blank=True)
    lines_total = models.PositiveIntegerField(_("строк в файле"), default=0)
    counts = models.JSONField(_("итоги по исходам"), default=dict, blank=True)  # outcome -> number of lines
    amount_total = models.DecimalField(_("сумма в файле"), max_digits=14, decimal_places=2, default=0)
    fee_total = models.DecimalField(_("плата почты в файле"), max_digits=14, decimal_places=2, default=0)
    applied_amount = models.DecimalField(_("учтено сейчас"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("сверка наложенных платежей")
        verbose_name_plural = _("сверки наложенных платежей")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} · {timezone.localtime(self.started_at):%d.%m.%Y %H:%M}"

    def count(self, outcome: str) -> int:
        return int(self.counts.get(outcome, 0))


class CodLineOutcome(models.TextChoices):
    MATCHED = "matched", _("Сходится")
    AMOUNT_MISMATCH = "amount_mismatch", _("Сумма не совпадает")
    UNKNOWN_TRACKING = "unknown_tracking", _("Неизвестный трек-номер")
    NOT_COLLECTED = "not_collected", _("У нас не отмечен как оплаченный")
    DUPLICATE_IN_FILE = "duplicate_in_file", _("Повтор в файле")
    ALREADY_RECONCILED = "already_reconciled", _("Уже учтена в прошлой сверке")
    ALREADY_REMITTED = "already_remitted", _("По отправлению уже был другой перевод")
    MALFORMED = "malformed", _("Ошибка в строке")
    NOT_REMITTED = "not_remitted", _("Получен, но не перечислен в срок")


# Lines that bring a collection's money in (at most one applied line per collection, ever).
# a tuple, not a set: the constraint below is built from it and must not change with hash order
APPLIED_OUTCOMES = (CodLineOutcome.MATCHED, CodLineOutcome.AMOUNT_MISMATCH)


class CodRemittanceLine(models.Model):
    """One line of a loaded register with its outcome, or (line_no empty) a collection the post has not remitted
    within STORE_COD_REMIT_DAYS, as found by that reconciliation."""

    reconciliation = models.ForeignKey(
        CodReconciliation, on_delete=models.PROTECT, related_name="lines", verbose_name=_("сверка")
    )
    line_no = models.PositiveIntegerField(_("строка файла"), null=True, blank=True)
    outcome = models.CharField(_("исход"), max_length=20, choices=CodLineOutcome.choices)
    applied = models.BooleanField(_("учтена"), default=False)
    tracking_number = models.CharField(_("трек-номер"), max_length=32, blank=True)
    payment_order_number = models.CharField(_("номер платёжного поручения"), max_length=32, blank=True)
    amount = models.DecimalField(_("сумма по реестру"), max_digits=12, decimal_places=2, null=True, blank=True)
    fee = models.DecimalField(_("плата почты"), max_digits=12, decimal_places=2, null=True, blank=True)
    remitted_on = models.DateField(_("дата перевода"), null=True, blank=True)
    collection = models.ForeignKey(
        CodCollection, on_delete=models.PROTECT, null=True, blank=True, related_name="remittance_lines",
        verbose_name=_("наложенный платёж"),
    )  # fmt: skip
    expected_amount = models.DecimalField(_("ждали"), max_digits=12, decimal_places=2, null=True, blank=True)
    error = models.CharField(_("что не так"), max_length=255, blank=True)
    raw = models.CharField(_("строка как в файле"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("строка реестра наложенных платежей")
        verbose_name_plural = _("строки реестров наложенных платежей")
        ordering = ["reconciliation_id", "line_no", "id"]
        indexes = [
            models.Index(fields=["reconciliation", "outcome"], name="codline_recon_outcome"),
            models.Index(fields=["tracking_number"], name="codline_tracking"),
        ]
        constraints = [
            # a collection's money is counted once, whatever file or line brings it again
            models.UniqueConstraint(fields=["collection"], condition=Q(applied=True), name="codline_applied_once"),
            models.CheckConstraint(condition=Q(outcome__in=CodLineOutcome.values), name="codline_outcome_known"),
            models.CheckConstraint(
                condition=Q(applied=False)
                | Q(outcome__in=[o.value for o in APPLIED_OUTCOMES], collection__isnull=False),
                name="codline_applied_outcomes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_no or '—'}: {self.tracking_number} · {self.get_outcome_display()}"
