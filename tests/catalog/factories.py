"""Catalog factories. Products get their RUB price and stock aggregates the way catalog services keep them."""

from decimal import Decimal

import factory
from django.utils import timezone

from storefront.catalog.models import Brand, Category, FxRate, Product, Sku


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Категория {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        parent_path = obj.parent.path if obj.parent_id else ""
        obj.path = f"{parent_path}{obj.pk}/"
        if create:
            Category.objects.filter(pk=obj.pk).update(path=obj.path)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Бренд {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    title = factory.Sequence(lambda n: f"Товар {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    category = factory.SubFactory(CategoryFactory)
    brand = factory.SubFactory(BrandFactory)
    origin = "CN"
    weight_grams = 500
    country_of_origin = "CN"
    hs_code = "851712"


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:06d}")
    price = Decimal("1000.00")
    currency = "RUB"
    stock = 10

    @factory.post_generation
    def refresh_aggregates(obj, create, extracted, **kwargs):
        """Keep price_rub / min_price_rub / in_stock as catalog services do."""
        if not create:
            return
        from storefront.catalog.selectors import price_to_rub

        rate = Decimal(1) if obj.currency == "RUB" else None
        price_rub = price_to_rub(amount=obj.price, currency=obj.currency, rate=rate)
        Sku.objects.filter(pk=obj.pk).update(price_rub=price_rub)
        obj.price_rub = price_rub
        product = obj.product
        live = Sku.objects.filter(product=product, is_active=True)
        prices = [p for p in live.values_list("price_rub", flat=True) if p]
        Product.objects.filter(pk=product.pk).update(
            min_price_rub=min(prices) if prices else None,
            in_stock=Sku.objects.filter(product=product, is_active=True, stock__gt=0).exists(),
        )


class FxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FxRate
        django_get_or_create = ("currency", "date")

    currency = "CNY"
    date = factory.LazyFunction(timezone.localdate)
    rate = Decimal("12.500000")
    nominal = 1
