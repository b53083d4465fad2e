"""Orders: the order, its lines with frozen prices and FX rates, and the history of its statuses.

Statuses move only through orders.services (one function per transition, all through `_transition`),
which checks ALLOWED_TRANSITIONS below and writes an OrderStatusChange row.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefront.accounts.phone import display_phone

from .validators import postcode_validator


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Оформлен")
    AWAITING_PAYMENT = "awaiting_payment", _("Ожидает оплаты")
    CONFIRMED = "confirmed", _("Подтверждён")  # pay on delivery: nothing to prepay, goes to the warehouse
    PAID = "paid", _("Оплачен")
    PACKED = "packed", _("Собран")
    SHIPPED = "shipped", _("Передан в доставку")
    DELIVERED = "delivered", _("Вручён")
    COMPLETED = "completed", _("Завершён")
    CANCELLED = "cancelled", _("Отменён")
    RETURNED = "returned", _("Не выкуплен, возвращён")  # pay on delivery refused or not collected


_S = OrderStatus
# The whole status machine: where an order may go from each status. Payments moves orders to paid,
# logistics to shipped/delivered/returned; support cancels and packs from the admin.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    _S.PLACED: frozenset({_S.AWAITING_PAYMENT, _S.CONFIRMED, _S.PAID, _S.CANCELLED}),
    _S.AWAITING_PAYMENT: frozenset({_S.PAID, _S.CANCELLED}),
    _S.CONFIRMED: frozenset({_S.PACKED, _S.CANCELLED}),
    _S.PAID: frozenset({_S.PACKED, _S.CANCELLED}),
    _S.PACKED: frozenset({_S.SHIPPED, _S.CANCELLED}),
    _S.SHIPPED: frozenset({_S.DELIVERED, _S.RETURNED}),
    _S.DELIVERED: frozenset({_S.COMPLETED}),
    _S.COMPLETED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.RETURNED: frozenset(),
}
# Statuses in which the goods are still reserved in our stock (cancelling gives them back).
STOCK_HELD_STATUSES = frozenset({_S.PLACED, _S.AWAITING_PAYMENT, _S.CONFIRMED, _S.PAID, _S.PACKED})


class DeliveryMethod(models.TextChoices):
    """Until logistics brings real options and tariffs; the flat costs are in settings.STORE_DELIVERY_COSTS_RUB."""

    POST_PICKUP = "post_pickup", _("В отделение Почты России")
    COURIER = "courier", _("Курьером до двери")


class PaymentMethod(models.TextChoices):
    """How the shopper chose to pay at checkout. Payments moves an order placed with a prepaid method (card, SBP,
    pay later) to awaiting_payment and on to paid; a pay-on-delivery one to confirmed. The order keeps the method
    chosen at checkout; each payment attempt (payments.Payment) records the method it actually used."""

    CARD = "card", _("Банковская карта (Мир, Visa, Mastercard)")
    SBP = "sbp", _("СБП — по QR-коду или в приложении банка")
    PAY_LATER = "pay_later", _("Оплата частями — 4 платежа")
    CASH_ON_DELIVERY = "cod", _("При получении — наличными или картой")


class Order(models.Model):
    number = models.CharField(_("номер"), max_length=24, editable=False)  # unique: Meta (see there)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("покупатель"),
        db_index=False,  # order_user_placed (user, -placed_at) serves every look-up by user
    )
    is_guest = models.BooleanField(_("без регистрации"), default=False, editable=False)
    status = models.CharField(_("статус"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)

    contact_phone = models.CharField(_("телефон"), max_length=16, help_text=_("В формате E.164"))
    contact_email = models.EmailField(_("эл. почта"), blank=True)
    recipient_name = models.CharField(_("получатель"), max_length=150)
    postcode = models.CharField(_("индекс"), max_length=6, validators=[postcode_validator])
    city = models.CharField(_("город, населённый пункт"), max_length=120)
    street = models.CharField(_("улица"), max_length=150)
    house = models.CharField(_("дом"), max_length=20)
    flat = models.CharField(_("квартира"), max_length=20, blank=True)

    delivery_method = models.CharField(_("доставка"), max_length=20, choices=DeliveryMethod.choices)
    payment_method = models.CharField(_("оплата"), max_length=32, choices=PaymentMethod.choices)
    # The shopper's language at checkout: SMS and emails about the order are written in it (a guest has no profile);
    # empty when placed outside the storefront (scripts, demo): then the customer's profile decides.
    language = models.CharField(
        _("язык"), max_length=5, choices=[("ru", "Русский"), ("en", "English")], blank=True, editable=False
    )

    currency = models.CharField(_("валюта"), max_length=3, default="RUB", editable=False)
    subtotal = models.DecimalField(_("товары"), max_digits=12, decimal_places=2, editable=False)
    delivery_cost = models.DecimalField(_("доставка, стоимость"), max_digits=12, decimal_places=2, editable=False)
    total = models.DecimalField(_("итого"), max_digits=12, decimal_places=2, editable=False)

    idempotency_key = models.CharField(_("ключ идемпотентности"), max_length=64, editable=False)
    placed_at = models.DateTimeField(_("оформлен"), default=timezone.now, db_index=True, editable=False)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("заказ")
        verbose_name_plural = _("заказы")
        ordering = ["-placed_at", "-id"]
        # Support finds orders by exact number, phone and email (OrderAdmin.get_search_results), never by a prefix:
        # plain indexes and unique constraints, without the varchar_pattern_ops copies Django adds for db_index and
        # unique on a CharField (every placed order wrote 12 index entries; now 7).
        indexes = [
            models.Index(fields=["user", "-placed_at"], name="order_user_placed"),
            models.Index(fields=["contact_phone"], name="order_contact_phone"),
            models.Index(fields=["contact_email"], name="order_contact_email"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="order_number_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="order_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="order_subtotal_not_negative"),
            models.CheckConstraint(condition=Q(delivery_cost__gte=0), name="order_delivery_not_negative"),
            models.CheckConstraint(condition=Q(total=F("subtotal") + F("delivery_cost")), name="order_total_is_sum"),
            models.CheckConstraint(condition=Q(postcode__regex=r"^[1-9][0-9]{5}$"), name="order_postcode_ru"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_known"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:detail", kwargs={"number": self.number})

    @property
    def contact_phone_display(self) -> str:
        return display_phone(self.contact_phone)

    @property
    def address_line(self) -> str:
        parts = [self.postcode, self.city, self.street, self.house]
        if self.flat:
            parts.append(f"{_('кв.')} {self.flat}")
        return ", ".join(parts)


class OrderLine(models.Model):
    """One SKU in an order, with the price, currency and rate it was sold at (never recomputed)."""

    # its index is orderline_order_sku_unique (order, sku)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="order_lines")
    sku_code = models.CharField(_("артикул"), max_length=64)
    product_title = models.CharField(_("товар"), max_length=255)
    options = models.JSONField(_("параметры варианта"), default=dict, blank=True)
    quantity = models.PositiveIntegerField(_("количество"))
    unit_price = models.DecimalField(_("цена продавца"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("валюта продавца"), max_length=3)
    fx_rate = models.DecimalField(_("курс, ₽ за единицу"), max_digits=14, decimal_places=6)
    unit_price_rub = models.DecimalField(_("цена, ₽"), max_digits=12, decimal_places=2)
    line_total_rub = models.DecimalField(_("сумма, ₽"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("позиция заказа")
        verbose_name_plural = _("позиции заказа")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_quantity_positive"),
            models.UniqueConstraint(fields=["order", "sku"], name="orderline_order_sku_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.sku_code} × {self.quantity}"

    @property
    def options_text(self) -> str:
        return ", ".join(str(v) for v in (self.options or {}).values())


class OrderStatusChange(models.Model):
    """Audit row for every status change: who, when, from, to, why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("было"), max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("стало"), max_length=20, choices=OrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("кто")
    )
    actor_label = models.CharField(_("кто (метка)"), max_length=64, blank=True)
    reason = models.CharField(_("причина"), max_length=500, blank=True)
    at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        verbose_name = _("смена статуса")
        verbose_name_plural = _("история статусов")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '—'} → {self.to_status}"
