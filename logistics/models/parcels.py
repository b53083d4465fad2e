"""Parcels: what an order becomes on its way to the shopper, with the history of its statuses.

A parcel's status moves only through logistics.services.parcel_status_change, which checks ALLOWED_TRANSITIONS
below and writes a ParcelStatusChange row (who, when, from, to, why).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefront.catalog.models import Origin

from ..tracking_numbers import tracking_number_validator


class ParcelStatus(models.TextChoices):
    CREATED = "created", _("Создана")  # packed in our warehouse, not yet known to the post
    REGISTERED = "registered", _("Зарегистрирована на почте")  # the partner gave it a tracking number
    IN_TRANSIT = "in_transit", _("В пути")
    CUSTOMS = "customs", _("На таможне")
    ARRIVED = "arrived", _("Ждёт в пункте выдачи")
    DELIVERED = "delivered", _("Вручена")
    RETURNING = "returning", _("Возвращается отправителю")
    RETURNED = "returned", _("Возвращена отправителю")
    LOST = "lost", _("Утрачена")
    CANCELLED = "cancelled", _("Отменена")


_P = ParcelStatus
# Where a parcel may go from each status. Tracking events arrive late and out of order, so the in-flight statuses
# may move among themselves (a re-sort after arrival, customs after a sorting centre); final ones never move.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    _P.CREATED: frozenset({_P.REGISTERED, _P.CANCELLED}),
    _P.REGISTERED: frozenset({_P.IN_TRANSIT, _P.CUSTOMS, _P.ARRIVED, _P.DELIVERED, _P.LOST, _P.CANCELLED}),
    _P.IN_TRANSIT: frozenset({_P.CUSTOMS, _P.ARRIVED, _P.DELIVERED, _P.RETURNING, _P.RETURNED, _P.LOST}),
    _P.CUSTOMS: frozenset({_P.IN_TRANSIT, _P.ARRIVED, _P.DELIVERED, _P.RETURNING, _P.RETURNED, _P.LOST}),
    _P.ARRIVED: frozenset({_P.IN_TRANSIT, _P.DELIVERED, _P.RETURNING, _P.RETURNED, _P.LOST}),
    _P.RETURNING: frozenset({_P.RETURNED, _P.LOST}),
    _P.DELIVERED: frozenset(),
    _P.RETURNED: frozenset(),
    _P.LOST: frozenset(),
    _P.CANCELLED: frozenset(),
}
FINAL_STATUSES = frozenset(s for s, moves in ALLOWED_TRANSITIONS.items() if not moves)
# With the post and not final: what the tracking sync polls.
ACTIVE_STATUSES = frozenset({_P.REGISTERED, _P.IN_TRANSIT, _P.CUSTOMS, _P.ARRIVED, _P.RETURNING})
# Out of our hands: the post has the parcel, or had it (an order with one is packed-and-gone, not cancellable).
ACCEPTED_BY_POST = frozenset(_P) - {_P.CREATED, _P.REGISTERED, _P.CANCELLED}


class Dispatch(models.Model):
    """A batch of parcels handed to the post together (one customs manifest for the cross-border ones)."""

    origin = models.CharField(_("откуда"), max_length=2, choices=Origin.choices)
    name = models.CharField(_("название"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    handed_over_at = models.DateTimeField(_("передана почте"), null=True, blank=True)

    class Meta:
        verbose_name = _("отгрузка")
        verbose_name_plural = _("отгрузки")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name or f"{_('Отгрузка')} #{self.pk}"


class Parcel(models.Model):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="parcels", verbose_name=_("заказ"))
    reference = models.CharField(
        _("номер посылки"), max_length=32, unique=True, help_text=_("Номер заказа и порядковый номер посылки в нём")
    )
    origin = models.CharField(_("откуда"), max_length=2, choices=Origin.choices)
    dispatch = models.ForeignKey(
        Dispatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parcels",
        verbose_name=_("отгрузка"),
    )
    tracking_number = models.CharField(
        _("трек-номер"),
        max_length=14,
        blank=True,
        validators=[tracking_number_validator],
        help_text=_("S10 (RA123456785CN) для международных, 14 цифр ШПИ для внутренних; пусто до регистрации"),
    )
    status = models.CharField(_("статус"), max_length=20, choices=ParcelStatus.choices, default=ParcelStatus.CREATED)
    status_changed_at = models.DateTimeField(_("статус изменён"), default=timezone.now)

    weight_grams = models.PositiveIntegerField(_("вес, г"))
    declared_value = models.DecimalField(_("объявленная ценность"), max_digits=12, decimal_places=2)
    declared_currency = models.CharField(_("валюта ценности"), max_length=3, default="RUB")
    cod_amount = models.DecimalField(
        _("наложенный платёж, ₽"),
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Сколько получить с покупателя при вручении; 0 — заказ оплачен заранее"),
    )

    # The recipient as the order had it when the parcel was made (a later address fix is a new registration).
    recipient_name = models.CharField(_("получатель"), max_length=150)
    recipient_phone = models.CharField(_("телефон получателя"), max_length=16)
    postcode = models.CharField(_("индекс"), max_length=6)
    city = models.CharField(_("город"), max_length=120)
    street = models.CharField(_("улица"), max_length=150, blank=True)
    house = models.CharField(_("дом"), max_length=20, blank=True)
    flat = models.CharField(_("квартира"), max_length=20, blank=True)

    promised_from = models.DateField(_("обещано не раньше"), null=True, blank=True)
    promised_by = models.DateField(_("обещано к"), null=True, blank=True, db_index=True)
    storage_deadline = models.DateField(_("хранится до"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("вручена"), null=True, blank=True)
    created_at = models.DateTimeField(_("создана"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)

    class Meta:
        verbose_name = _("посылка")
        verbose_name_plural = _("посылки")
        ordering = ["-created_at", "-id"]
        permissions = [("handle_parcel", _("Может отправлять посылки: собирать, регистрировать на почте, отгружать"))]
        indexes = [
            # the tracking sync walks the parcels still with the post
            models.Index(
                fields=["id"],
                condition=Q(status__in=sorted(ACTIVE_STATUSES)),
                name="parcel_active",
            ),
            models.Index(fields=["origin", "status"], name="parcel_origin_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tracking_number"], condition=~Q(tracking_number=""), name="parcel_tracking_unique"
            ),
            models.CheckConstraint(condition=Q(status__in=ParcelStatus.values), name="parcel_status_known"),
            models.CheckConstraint(condition=Q(cod_amount__gte=0), name="parcel_cod_not_negative"),
            models.CheckConstraint(condition=Q(declared_value__gte=0), name="parcel_value_not_negative"),
            models.CheckConstraint(condition=Q(weight_grams__gt=0), name="parcel_weight_positive"),
            models.CheckConstraint(
                condition=Q(tracking_number="") | Q(tracking_number__regex=r"^([A-Z]{2}[0-9]{9}[A-Z]{2}|[0-9]{14})$"),
                name="parcel_tracking_format",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number or self.reference

    @property
    def is_cross_border(self) -> bool:
        return self.origin != Origin.RUSSIA

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def cod_kopecks(self) -> int:
        """The COD amount in integer kopecks, for the partner's protocol."""
        return int(self.cod_amount * 100)

    @property
    def declared_value_kopecks(self) -> int:
        return int(self.declared_value * 100)


class ParcelLine(models.Model):
    """Which order line (and how many of it) travels in this parcel."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="parcel_lines", verbose_name=_("позиция заказа")
    )
    quantity = models.PositiveIntegerField(_("количество"))

    class Meta:
        verbose_name = _("позиция посылки")
        verbose_name_plural = _("позиции посылки")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="parcelline_quantity_positive"),
            models.UniqueConstraint(fields=["parcel", "order_line"], name="parcelline_parcel_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} × {self.quantity}"


class ParcelStatusChange(models.Model):
    """Audit row for every parcel status change: who, when, from, to, why."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("было"), max_length=20, choices=ParcelStatus.choices, blank=True)
    to_status = models.CharField(_("стало"), max_length=20, choices=ParcelStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("кто")
    )
    actor_label = models.CharField(_("кто (метка)"), max_length=64, blank=True)
    reason = models.CharField(_("причина"), max_length=500, blank=True)
    at = models.DateTimeField(_("когда"), default=timezone.now)
    recorded_at = models.DateTimeField(_("записано"), default=timezone.now)

    class Meta:
        verbose_name = _("смена статуса посылки")
        verbose_name_plural = _("история статусов посылки")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.parcel_id}: {self.from_status or '—'} → {self.to_status}"
