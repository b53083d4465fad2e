"""Rules ops edit in the admin: delivery promises, dispatch cut-offs, delivery tariffs, customs regimes.

Each is data with a scope (origin, region filters) or effective dates, seeded by a data migration with the
published figures (DOMAIN.md 0 and 4); the code only reads them through logistics.selectors.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from storefront.catalog.models import Origin

from .regions import FederalDistrict, RussiaPart


class DeliveryMethod(models.TextChoices):
    """The same values as orders.DeliveryMethod (the order stores the code); tariffs are ours."""

    POST_PICKUP = "post_pickup", _("В отделение Почты России")
    COURIER = "courier", _("Курьером до двери")


class RegionScope(models.Model):
    """Which regions a rule applies to: every filter left empty matches any region (and an unknown postcode)."""

    subject = models.CharField(
        _("субъект РФ"), max_length=120, blank=True, help_text=_("Точно как в таблице регионов, например «Москва»")
    )
    federal_district = models.CharField(
        _("федеральный округ"), max_length=20, choices=FederalDistrict.choices, blank=True
    )
    part = models.CharField(_("часть России"), max_length=10, choices=RussiaPart.choices, blank=True)
    is_central = models.BooleanField(
        _("центральная Россия"), null=True, blank=True, help_text=_("Пусто — не важно; да/нет — по флагу региона")
    )
    priority = models.SmallIntegerField(
        _("приоритет"), default=0, help_text=_("Из подходящих правил действует правило с наибольшим приоритетом")
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        abstract = True

    def matches(self, region) -> bool:
        """Whether this rule applies to `region` (a Region or None for a postcode not in the table)."""
        filters = {"subject": self.subject, "federal_district": self.federal_district, "part": self.part}
        if region is None:
            return not any(filters.values()) and self.is_central is None
        if any(value and getattr(region, name) != value for name, value in filters.items()):
            return False
        return self.is_central is None or region.is_central == self.is_central

    @property
    def scope_text(self) -> str:
        parts = [str(v) for v in (self.subject, self.get_federal_district_display(), self.get_part_display()) if v]
        if self.is_central is not None:
            parts.append(str(_("центральная Россия")) if self.is_central else str(_("кроме центральной России")))
        return ", ".join(parts) or str(_("вся Россия"))


class PromiseRule(RegionScope):
    """Days in transit from an origin to a set of regions, counted from the dispatch day."""

    origin = models.CharField(_("откуда"), max_length=2, choices=Origin.choices)
    min_days = models.PositiveSmallIntegerField(_("от, дней"), validators=[MaxValueValidator(90)])
    max_days = models.PositiveSmallIntegerField(_("до, дней"), validators=[MaxValueValidator(90)])
    note = models.CharField(_("источник / заметка"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("правило срока доставки")
        verbose_name_plural = _("правила сроков доставки")
        ordering = ["origin", "-priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_days__lte=F("max_days")), name="promiserule_min_le_max"),
        ]

    def __str__(self) -> str:
        return f"{self.get_origin_display()} → {self.scope_text}: {self.min_days}–{self.max_days}"


class DispatchCutoff(models.Model):
    """ "Ordered before HH:MM Moscow time → dispatched N days later". After the day's last cut-off an order counts
    as placed at 00:00 the next day. An origin without cut-offs dispatches on the order day."""

    origin = models.CharField(_("откуда"), max_length=2, choices=Origin.choices)
    before = models.TimeField(_("заказ до (по Москве)"))
    dispatch_days = models.PositiveSmallIntegerField(
        _("отправка через, дней"), help_text=_("0 — в тот же день, 1 — на следующий")
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("время отсечки")
        verbose_name_plural = _("время отсечки заказов")
        ordering = ["origin", "before"]
        constraints = [models.UniqueConstraint(fields=["origin", "before"], name="cutoff_origin_before_unique")]

    def __str__(self) -> str:
        return f"{self.get_origin_display()}: {_('до')} {self.before:%H:%M} → +{self.dispatch_days}"


class DeliveryTariff(RegionScope):
    """What a delivery method costs the shopper for a region: a base price plus a price per started kilogram
    above the first, free from an order sum."""

    method = models.CharField(_("способ"), max_length=20, choices=DeliveryMethod.choices)
    base_rub = models.DecimalField(_("цена, ₽"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    per_kg_rub = models.DecimalField(
        _("за каждый кг сверх первого, ₽"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    free_from_rub = models.DecimalField(
        _("бесплатно от суммы, ₽"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("тариф доставки")
        verbose_name_plural = _("тарифы доставки")
        ordering = ["method", "-priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(base_rub__gte=0) & Q(per_kg_rub__gte=0), name="tariff_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} → {self.scope_text}: {self.base_rub} ₽"


class DutyBase(models.TextChoices):
    EXCESS = "excess", _("на превышение порога")
    WHOLE = "whole", _("на всю стоимость")


class CustomsRule(models.Model):
    """A duty regime for parcels to individuals, in force from `valid_from` (until `valid_until` if set)."""

    name = models.CharField(_("название"), max_length=200)
    valid_from = models.DateField(_("действует с"))
    valid_until = models.DateField(_("действует по"), null=True, blank=True)
    threshold_eur = models.DecimalField(
        _("беспошлинно до, €"), max_digits=10, decimal_places=2, help_text=_("Стоимость одной посылки, включительно")
    )
    threshold_kg = models.DecimalField(
        _("беспошлинно до, кг"), max_digits=7, decimal_places=3, help_text=_("Вес одной посылки, включительно")
    )
    rate = models.DecimalField(
        _("ставка"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Доля: 0,15 — это 15 %"),
    )
    duty_base = models.CharField(_("пошлина начисляется"), max_length=10, choices=DutyBase.choices)
    min_eur_per_kg = models.DecimalField(
        _("не меньше, € за кг"), max_digits=8, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    min_per_kg_base = models.CharField(
        _("минимум считается"),
        max_length=10,
        choices=[(DutyBase.EXCESS, _("с кг сверх порога")), (DutyBase.WHOLE, _("с каждого кг посылки"))],
        default=DutyBase.EXCESS,
    )
    split_allowed = models.BooleanField(
        _("можно делить заказ на посылки"),
        default=True,
        help_text=_("Делить ли заказ на несколько посылок, чтобы каждая осталась в беспошлинном пороге"),
    )
    max_parcels = models.PositiveSmallIntegerField(
        _("не больше посылок на заказ"), default=5, validators=[MinValueValidator(1)]
    )
    notes = models.TextField(_("источники и что не проверено"), blank=True)

    class Meta:
        verbose_name = _("таможенное правило")
        verbose_name_plural = _("таможенные правила")
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["valid_from"], name="customsrule_valid_from_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="customsrule_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(threshold_eur__gte=0) & Q(threshold_kg__gte=0), name="customsrule_thr"),
        ]

    def __str__(self) -> str:
        until = f" — {self.valid_until:%d.%m.%Y}" if self.valid_until else ""
        return f"{self.name} ({self.valid_from:%d.%m.%Y}{until})"

    @property
    def threshold_text(self) -> str:
        """ "до 200 € и 31 кг в посылке" """
        return gettext("до %(eur)s € и %(kg)s кг в посылке") % {
            "eur": f"{self.threshold_eur.normalize():f}",
            "kg": f"{self.threshold_kg.normalize():f}",
        }

    @property
    def duty_text(self) -> str:
        """ "15 % с суммы сверх 200 €, не меньше 2 € за кг сверх 31 кг" """
        rate = f"{(self.rate * 100).normalize():f}"
        if self.duty_base == DutyBase.EXCESS:
            text = gettext("%(rate)s %% с суммы сверх %(eur)s €") % {"rate": rate, "eur": f"{self.threshold_eur:.0f}"}
        else:
            text = gettext("%(rate)s %% со всей стоимости") % {"rate": rate}
        if self.min_eur_per_kg:
            per_kg = f"{self.min_eur_per_kg.normalize():f}"
            if self.min_per_kg_base == DutyBase.EXCESS:
                text += gettext(", но не меньше %(eur)s € за кг сверх %(kg)s кг") % {
                    "eur": per_kg,
                    "kg": f"{self.threshold_kg.normalize():f}",
                }
            else:
                text += gettext(", но не меньше %(eur)s € за кг") % {"eur": per_kg}
        return text

    def clean(self) -> None:
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("Дата окончания раньше даты начала.")})
