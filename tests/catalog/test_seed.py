from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from storefront.catalog.models import Brand, Category, FxRate, PriceHistory, Product, ProductImage, Sku
from storefront.catalog.services import product_aggregates_refresh
from tests.catalog.factories import ProductFactory

pytestmark = pytest.mark.django_db

SMALL = 48  # three products in each of the sixteen leaf categories


@pytest.fixture(autouse=True)
def media(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "seed-media"  # cards drawn once for the module
    return Path(settings.MEDIA_ROOT)


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict:
    models = (Category, Brand, Product, Sku, PriceHistory, ProductImage, FxRate, get_user_model())
    return {m.__name__: m.objects.count() for m in models}


def test_seed_builds_twelve_top_categories_with_subcategories():
    _seed("--products", str(SMALL))
    tops = Category.objects.filter(parent=None)
    assert tops.count() >= 12
    assert Category.objects.filter(parent__slug="clothing").count() == 2
    assert all(c.path for c in Category.objects.all())


def test_seed_ships_from_all_three_origins_in_their_currencies():
    _seed("--products", str(SMALL))
    pairs = set(Sku.objects.values_list("product__origin", "currency").distinct())
    assert pairs == {("CN", "CNY"), ("EU", "EUR"), ("RU", "RUB")}


def test_seed_loads_rates_so_every_price_has_a_rouble_price():
    _seed("--products", str(SMALL))
    assert FxRate.objects.filter(currency__in=["CNY", "EUR"]).count() == 2
    assert not Sku.objects.filter(price_rub=None).exists()


def test_seed_keeps_product_aggregates_as_the_services_compute_them():
    _seed("--products", str(SMALL))
    assert product_aggregates_refresh(product_ids=None) == 0
    assert Product.objects.filter(in_stock=False).exists()


def test_clothing_comes_in_sizes_s_to_xl_and_shoes_in_36_to_45():
    _seed("--products", str(SMALL))
    clothing = {s.options.get("Размер") for s in Sku.objects.filter(product__category__slug="women")}
    shoes = {s.options.get("Размер") for s in Sku.objects.filter(product__title__startswith="Кеды")}
    assert clothing == {"S", "M", "L", "XL"}
    assert shoes == {str(n) for n in range(36, 46)}


def test_products_carry_customs_data_and_attributes():
    _seed("--products", str(SMALL))
    product = Product.objects.filter(category__slug="smartphones").first()
    assert len(product.hs_code) == 10
    assert product.country_of_origin
    assert product.weight_grams > 0
    assert "Диагональ экрана" in product.attributes


def test_every_sku_starts_with_one_price_history_row():
    _seed("--products", str(SMALL))
    assert PriceHistory.objects.filter(source="seed").count() == Sku.objects.count()


def test_images_are_drawn_locally_and_shared_between_products(media):
    _seed("--products", str(SMALL))
    image = ProductImage.objects.first()
    assert (media / image.image.name).is_file()
    assert (media / image.thumbnail.name).is_file()
    assert ProductImage.objects.values("image").distinct().count() <= 16 * 3


def test_demo_customers_have_test_phone_numbers():
    _seed("--products", "1")
    phones = list(get_user_model().objects.values_list("phone", flat=True))
    assert len(phones) == 20
    assert all(p.startswith("+7999000") for p in phones)


def test_running_the_seed_twice_creates_nothing_new():
    _seed("--products", str(SMALL))
    before = _counts()
    out = _seed("--products", str(SMALL))
    assert _counts() == before
    assert f"товаров +0 (уже были: {SMALL})" in out


def test_the_default_seed_is_the_demo_store_the_issue_asks_for_and_a_second_run_adds_nothing():
    from orders.models import Order, OrderStatus, OrderStatusChange

    _seed()
    tops = set(Category.objects.filter(parent=None).values_list("slug", flat=True))
    assert tops == {
        *("phones", "laptops", "audio", "clothing", "shoes", "home"),
        *("kids", "beauty", "tools", "sports", "auto", "pets"),
    }
    assert Product.objects.count() >= 300
    assert set(Sku.objects.values_list("product__origin", "currency").distinct()) == {
        ("CN", "CNY"),
        ("EU", "EUR"),
        ("RU", "RUB"),
    }
    assert not Product.objects.filter(images=None).exists()  # every product has a locally drawn picture
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert Order.objects.filter(user__phone__startswith="+7999000").exists()
    before = {**_counts(), "Order": Order.objects.count(), "OrderStatusChange": OrderStatusChange.objects.count()}

    _seed()

    after = {**_counts(), "Order": Order.objects.count(), "OrderStatusChange": OrderStatusChange.objects.count()}
    assert after == before


def test_a_bigger_seed_only_adds_the_missing_products():
    _seed("--products", "10")
    first = set(Product.objects.values_list("slug", flat=True))
    _seed("--products", "30", "--batch-size", "7")
    assert Product.objects.count() == 30
    assert first <= set(Product.objects.values_list("slug", flat=True))


def test_if_empty_leaves_a_store_with_products_alone():
    ProductFactory()
    out = _seed("--if-empty")
    assert Product.objects.count() == 1
    assert "не пуст" in out
