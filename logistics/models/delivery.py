"""Pickup points, an order's frozen delivery record, CN23 customs declarations."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefront.catalog.models import country_validator, hs_code_validator

from .parcels import Parcel
from .rules import CustomsRule, DeliveryMethod


class PickupKind(models.TextChoices):
    POST_OFFICE = "post_office", _("Отделение почты")
    PARCEL_CENTRE = "parcel_centre", _("Посылочный центр")


class PickupPoint(models.Model):
    """A post office or parcel centre a shopper can collect from. The postcode is the office's own index."""

    postcode = models.CharField(_("индекс"), max_length=6, unique=True)
    kind = models.CharField(_("тип"), max_length=20, choices=PickupKind.choices, default=PickupKind.POST_OFFICE)
    name = models.CharField(_("название"), max_length=150, blank=True)
    city = models.CharField(_("город"), max_length=120)
    address = models.CharField(_("адрес"), max_length=255)
    hours = models.CharField(_("часы работы"), max_length=255)
    latitude = models.DecimalField(_("широта"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("долгота"), max_digits=9, decimal_places=6)
    has_parcel_window = models.BooleanField(_("отдельное окно выдачи посылок"), default=False)
    is_active = models.BooleanField(_("работает"), default=True)
    updated_at = models.DateTimeField(_("изменён"), default=timezone.now)

    class Meta:
        verbose_name = _("пункт выдачи")
        verbose_name_plural = _("пункты выдачи")
        ordering = ["city", "postcode"]
        indexes = [
            models.Index(fields=["postcode"], name="pickup_postcode_like", opclasses=["varchar_pattern_ops"]),
            models.Index(models.functions.Upper("city"), name="pickup_city_upper"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(postcode__regex=r"^[1-9][0-9]{5}$"), name="pickup_postcode_ru"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="pickup_coordinates_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.postcode}, {self.city}, {self.address}"

    @property
    def title(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.postcode}"


class OrderDelivery(models.Model):
    """How an order travels, frozen when it is placed: method, pickup point, cost, promise, estimated duty.

    Written by logistics.services.order_delivery_record right after orders.order_place (the orders tables
    carry none of it). `promise` keeps one entry per origin: {"origin", "min_days", "max_days", "from", "by"}.
    """

    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, related_name="logistics", verbose_name=_("заказ")
    )
    method = models.CharField(_("способ"), max_length=20, choices=DeliveryMethod.choices)
    pickup_point = models.ForeignKey(
        PickupPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("пункт выдачи")
    )
    cost = models.DecimalField(_("стоимость доставки, ₽"), max_digits=12, decimal_places=2)
    region_subject = models.CharField(_("регион"), max_length=120, blank=True)
    promised_from = models.DateField(_("обещано не раньше"))
    promised_by = models.DateField(_("обещано к"))
    promise = models.JSONField(_("обещание по складам"), default=list)
    duty_eur = models.DecimalField(_("пошлина, €"), max_digits=12, decimal_places=2, default=0)
    duty_rub = models.DecimalField(_("пошлина, ₽ (оценка)"), max_digits=12, decimal_places=2, default=0)
    customs_rule = models.ForeignKey(
        CustomsRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("режим")
    )
    created_at = models.DateTimeField(_("записано"), default=timezone.now)

    class Meta:
        verbose_name = _("доставка заказа")
        verbose_name_plural = _("доставка заказов")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(promised_from__lte=models.F("promised_by")), name="od_promise_order"),
            models.CheckConstraint(condition=Q(cost__gte=0) & Q(duty_rub__gte=0), name="od_money_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.get_method_display()}"


class ContentsType(models.TextChoices):
    """CN23 contents / Otpravka `entries-type`."""

    SALE_OF_GOODS = "SALE_OF_GOODS", _("Продажа товаров")
    GIFT = "GIFT", _("Подарок")
    DOCUMENT = "DOCUMENT", _("Документы")
    COMMERCIAL_SAMPLE = "COMMERCIAL_SAMPLE", _("Образец")
    OTHER = "OTHER", _("Другое")


class CustomsDeclaration(models.Model):
    """CN23 data for one cross-border parcel, written when the parcel is made; support may correct lines."""

    parcel = models.OneToOneField(Parcel, on_delete=models.CASCADE, related_name="customs", verbose_name=_("посылка"))
    contents_type = models.CharField(
        _("содержимое"), max_length=20, choices=ContentsType.choices, default=ContentsType.SALE_OF_GOODS
    )
    invoice_number = models.CharField(_("номер счёта"), max_length=32)
    currency = models.CharField(_("валюта итога"), max_length=3, default="EUR")
    total_value = models.DecimalField(_("стоимость"), max_digits=12, decimal_places=2)
    gross_weight_grams = models.PositiveIntegerField(_("вес брутто, г"))
    customs_rule = models.ForeignKey(
        CustomsRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("режим")
    )
    duty_eur = models.DecimalField(_("пошлина, €"), max_digits=12, decimal_places=2, default=0)
    duty_rub = models.DecimalField(_("пошлина, ₽"), max_digits=12, decimal_places=2, default=0)
    eur_rate = models.DecimalField(_("курс €"), max_digits=14, decimal_places=6)
    created_at = models.DateTimeField(_("создана"), default=timezone.now)

    class Meta:
        verbose_name = _("таможенная декларация CN23")
        verbose_name_plural = _("таможенные декларации CN23")

    def __str__(self) -> str:
        return f"CN23 {self.parcel_id}"


class CustomsDeclarationLine(models.Model):
    declaration = models.ForeignKey(CustomsDeclaration, on_delete=models.CASCADE, related_name="lines")
    description_ru = models.CharField(_("описание (рус.)"), max_length=255)
    description_en = models.CharField(_("описание (англ.)"), max_length=255)
    hs_code = models.CharField(
        _("код ТН ВЭД"), max_length=10, blank=True, validators=[hs_code_validator], help_text=_("Пусто — заполните")
    )
    quantity = models.PositiveIntegerField(_("количество"))
    net_weight_grams = models.PositiveIntegerField(_("вес нетто, г"))
    value = models.DecimalField(_("стоимость"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("валюта"), max_length=3)
    country_of_origin = models.CharField(
        _("страна происхождения"), max_length=2, blank=True, validators=[country_validator]
    )

    class Meta:
        verbose_name = _("строка декларации")
        verbose_name_plural = _("строки декларации")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="cn23line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.description_ru} × {self.quantity}"
