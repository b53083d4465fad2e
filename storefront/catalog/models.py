"""Catalog: categories, brands, products with variants (SKUs), prices in the seller's currency, FX rates, history."""

import json
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    RUB = "RUB", _("Рубль")
    CNY = "CNY", _("Юань")
    EUR = "EUR", _("Евро")


class Origin(models.TextChoices):
    """Where a product ships from; logistics turns this into a delivery promise."""

    CHINA = "CN", _("Из Китая")
    EU = "EU", _("Со склада в ЕС")
    RUSSIA = "RU", _("Из России")


class Category(models.Model):
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(_("название"), max_length=120)
    slug = models.SlugField(_("адрес"), max_length=140, unique=True)
    # Materialised path of ids ("12/40/"), so a category page lists its whole subtree with one prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    position = models.PositiveIntegerField(_("порядок"), default=0)
    is_active = models.BooleanField(_("показывать"), default=True)
    external_id = models.CharField(_("id в фиде"), max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("категория")
        verbose_name_plural = _("категории")
        ordering = ["position", "name"]
        indexes = [models.Index(fields=["path"], name="category_path_like", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:category", kwargs={"slug": self.slug})


class Brand(models.Model):
    name = models.CharField(_("название"), max_length=120, unique=True)
    slug = models.SlugField(_("адрес"), max_length=140, unique=True)

    class Meta:
        verbose_name = _("бренд")
        verbose_name_plural = _("бренды")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


hs_code_validator = RegexValidator(r"^\d{6,10}$", _("Код ТН ВЭД — от 6 до 10 цифр."))
country_validator = RegexValidator(r"^[A-Z]{2}$", _("Код страны ISO из двух латинских букв, например CN."))


class Product(models.Model):
    title = models.CharField(_("название"), max_length=255)
    slug = models.SlugField(_("адрес"), max_length=280, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("категория")
    )
    brand = models.ForeignKey(
        Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="products", verbose_name=_("бренд")
    )
    description = models.TextField(_("описание"), blank=True)
    attributes = models.JSONField(
        _("характеристики"), default=dict, blank=True, help_text=_('Например {"Материал": "хлопок"}')
    )
    origin = models.CharField(_("откуда отправляется"), max_length=2, choices=Origin.choices, db_index=True)
    weight_grams = models.PositiveIntegerField(_("вес, г"), default=500, validators=[MinValueValidator(1)])
    declared_value = models.DecimalField(
        _("объявленная ценность"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    declared_currency = models.CharField(_("валюта ценности"), max_length=3, choices=Currency.choices, default="RUB")
    country_of_origin = models.CharField(
        _("страна производства"), max_length=2, blank=True, validators=[country_validator]
    )
    hs_code = models.CharField(_("код ТН ВЭД"), max_length=10, blank=True, validators=[hs_code_validator])
    is_own_collection = models.BooleanField(
        _("собственная коллекция магазина"),
        default=False,
        help_text=_("Для таких товаров действует расширенный срок возврата."),
    )
    is_active = models.BooleanField(_("в продаже"), default=True)
    popularity = models.PositiveIntegerField(_("популярность"), default=0, db_index=True)
    external_id = models.CharField(_("id предложения в фиде"), max_length=64, null=True, blank=True, unique=True)
    # Denormalised for listing filters and sorting; kept current by catalog services.
    min_price_rub = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, editable=False)
    in_stock = models.BooleanField(default=False, editable=False)
    # Owned by PostgreSQL triggers (catalog migration 0002_search), so every write path keeps it current: title (A),
    # brand name (B), category name (C), description (D) under the `russian` configuration; recomputed on insert, on
    # any change of those columns, when a brand or category is renamed, and if anyone writes the column directly.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("создан"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("товар")
        verbose_name_plural = _("товары")
        indexes = [
            GinIndex(fields=["search_vector"], name="product_search_gin"),
            models.Index(fields=["category", "is_active", "-popularity"], name="product_cat_pop"),
            models.Index(fields=["is_active", "min_price_rub"], name="product_price"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:product", kwargs={"slug": self.slug})


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("изображение"), upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(_("миниатюра"), upload_to="products/thumbs/%Y/%m/", blank=True)
    alt = models.CharField(_("описание"), max_length=255, blank=True)
    position = models.PositiveIntegerField(_("порядок"), default=0)
    source_url = models.URLField(_("источник"), max_length=500, blank=True)
    # Why the picture at source_url could not be fetched (catalog/pictures.py); a picture with a reason is not tried
    # again until a feed or staff give another URL.
    # Stored as {"ru": ..., "en": ...} (JSON): staff read it in their language (fetch_error_text); older rows hold
    # one Russian text.
    fetch_error = models.CharField(_("ошибка загрузки"), max_length=1000, blank=True, editable=False)

    class Meta:
        verbose_name = _("изображение")
        verbose_name_plural = _("изображения")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt or f"#{self.pk}"

    @property
    def fetch_error_text(self) -> str:
        """Why the picture could not be fetched, in the active language (Russian when there is no such text)."""
        if not self.fetch_error.startswith("{"):
            return self.fetch_error
        try:
            texts = json.loads(self.fetch_error)
        except ValueError:
            return self.fetch_error
        return (
            texts.get(get_language() or "", "")
            or texts.get(settings.LANGUAGE_CODE, "")
            or next(iter(texts.values()), "")
        )


class Sku(models.Model):
    """A variant that can be bought: its own price (in the seller's currency) and stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(_("артикул"), max_length=64, unique=True)
    options = models.JSONField(
        _("параметры варианта"), default=dict, blank=True, help_text=_('Например {"Размер": "M", "Цвет": "чёрный"}')
    )
    price = models.DecimalField(
        _("цена"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(_("валюта"), max_length=3, choices=Currency.choices, default=Currency.RUB)
    price_rub = models.DecimalField(_("цена в рублях"), max_digits=12, decimal_places=2, null=True, editable=False)
    stock = models.IntegerField(_("остаток"), default=0)
    is_active = models.BooleanField(_("в продаже"), default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("вариант (SKU)")
        verbose_name_plural = _("варианты (SKU)")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="sku_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="sku_price_positive"),
        ]

    def __str__(self) -> str:
        opts = ", ".join(f"{v}" for v in self.options.values())
        return f"{self.code} {opts}".strip()


class PriceHistory(models.Model):
    """Every price a SKU has had; price protection and flash sales read it."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="price_history")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    source = models.CharField(max_length=40, default="admin")

    class Meta:
        verbose_name = _("изменение цены")
        verbose_name_plural = _("история цен")
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["sku", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.sku_id}: {self.price} {self.currency} ({self.changed_at:%Y-%m-%d})"


class FxRate(models.Model):
    """Central Bank of Russia rate: `rate` roubles for one unit of `currency` on `date`."""

    currency = models.CharField(max_length=3)
    date = models.DateField()
    rate = models.DecimalField(max_digits=14, decimal_places=6, validators=[MinValueValidator(Decimal("0.000001"))])
    nominal = models.PositiveIntegerField(default=1)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("курс валюты")
        verbose_name_plural = _("курсы валют")
        ordering = ["-date", "currency"]
        constraints = [models.UniqueConstraint(fields=["currency", "date"], name="fxrate_currency_date_unique")]

    def __str__(self) -> str:
        return f"{self.currency} {self.date}: {self.rate}"


from .search_models import SearchMiss, SearchWord  # noqa: E402, F401 - search tables (search_models.py)
