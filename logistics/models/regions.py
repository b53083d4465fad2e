"""Where a postcode is: the first three digits name the federal subject (DOMAIN.md 7); ops can correct rows."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FederalDistrict(models.TextChoices):
    CENTRAL = "central", _("Центральный")
    NORTHWEST = "northwest", _("Северо-Западный")
    SOUTH = "south", _("Южный")
    NORTH_CAUCASUS = "north_caucasus", _("Северо-Кавказский")
    VOLGA = "volga", _("Приволжский")
    URAL = "ural", _("Уральский")
    SIBERIA = "siberia", _("Сибирский")
    FAR_EAST = "far_east", _("Дальневосточный")


class RussiaPart(models.TextChoices):
    EUROPE = "europe", _("европейская часть")
    ASIA = "asia", _("азиатская часть")


prefix_validator = RegexValidator(r"^[1-9][0-9]{2}$", _("Первые три цифры индекса, например 101."))


class Region(models.Model):
    """One postcode prefix. Seeded from logistics/data/regions.csv by a data migration."""

    prefix = models.CharField(_("первые 3 цифры индекса"), max_length=3, unique=True, validators=[prefix_validator])
    subject = models.CharField(_("субъект РФ"), max_length=120, db_index=True)
    federal_district = models.CharField(_("федеральный округ"), max_length=20, choices=FederalDistrict.choices)
    part = models.CharField(
        _("часть России"),
        max_length=10,
        choices=RussiaPart.choices,
        help_text=_(
            "Не проверено: по эвристике 620–699 и 454–457 — азиатская часть, остальное — европейская; "
            "Башкортостан и Оренбург считаются Европой, Свердловская и Челябинская области — Азией. "
            "Поправьте, если знаете точнее: от этого зависит срок со склада в ЕС."
        ),
    )
    is_central = models.BooleanField(
        _("центральная Россия"),
        default=False,
        help_text=_("Для обещания «7–10 дней из Китая». По умолчанию — Центральный федеральный округ."),
    )
    updated_at = models.DateTimeField(_("изменён"), default=timezone.now)

    class Meta:
        verbose_name = _("регион по индексу")
        verbose_name_plural = _("регионы по индексам")
        ordering = ["prefix"]
        constraints = [
            models.CheckConstraint(condition=models.Q(prefix__regex=r"^[1-9][0-9]{2}$"), name="region_prefix_3")
        ]

    def __str__(self) -> str:
        return f"{self.prefix} — {self.subject}"
