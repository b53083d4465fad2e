import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from storefront.catalog.cache import catalog_cache_version
from storefront.catalog.exceptions import CategoryCycle, InvalidCurrency, InvalidPrice, InvalidStock
from storefront.catalog.models import Category, PriceHistory, Product, ProductImage, Sku
from storefront.catalog.selectors import price_to_rub
from storefront.catalog.services import (
    category_path_refresh,
    category_save,
    product_aggregates_refresh,
    product_save,
    sku_price_set,
    sku_save,
    sku_stock_set,
    skus_reprice_rub,
)
from tests.catalog.factories import CategoryFactory, FxRateFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("+79990000100", is_staff=True)


def test_price_change_writes_a_history_row_with_who_and_where(staff):
    sku = SkuFactory(price=Decimal("1000"))
    sku_price_set(sku=sku, price=Decimal("899.90"), currency="RUB", actor=staff)
    row = PriceHistory.objects.get(sku=sku)
    assert (row.price, row.currency, row.changed_by, row.source) == (Decimal("899.90"), "RUB", staff, "admin")


def test_setting_the_same_price_writes_no_history(staff):
    sku = SkuFactory(price=Decimal("1000"))
    sku_price_set(sku=sku, price=Decimal("1000.00"), currency="RUB", actor=staff)
    assert not PriceHistory.objects.filter(sku=sku).exists()


def test_price_change_recomputes_rouble_price_and_product_minimum(staff):
    FxRateFactory(currency="CNY", rate=Decimal("11.2345"))
    sku = SkuFactory(price=Decimal("5000"))
    SkuFactory(product=sku.product, price=Decimal("3000"))
    sku = sku_price_set(sku=sku, price=Decimal("100"), currency="CNY", actor=staff)
    assert sku.price_rub == Decimal("1123")  # whole roubles
    sku.product.refresh_from_db()
    assert sku.product.min_price_rub == Decimal("1123")


def test_yuan_price_without_a_rate_leaves_the_sku_unsellable(staff):
    sku = SkuFactory(price=Decimal("1000"), stock=5)
    sku = sku_price_set(sku=sku, price=Decimal("100"), currency="CNY", actor=staff)
    sku.product.refresh_from_db()
    assert sku.price_rub is None
    assert sku.product.in_stock is False


@pytest.mark.parametrize("price", [Decimal("0"), Decimal("-1"), Decimal("1.001"), "abc", 12.5, Decimal("1e20")])
def test_bad_price_is_refused(staff, price):
    sku = SkuFactory()
    with pytest.raises(InvalidPrice):
        sku_price_set(sku=sku, price=price, currency="RUB", actor=staff)


def test_unknown_currency_is_refused(staff):
    with pytest.raises(InvalidCurrency):
        sku_price_set(sku=SkuFactory(), price=Decimal("10"), currency="USD", actor=staff)


def test_reprice_moves_only_skus_in_that_currency_with_the_shared_rounding():
    FxRateFactory(currency="CNY", rate=Decimal("11.0000"), date="2026-11-20")
    yuan = [SkuFactory(price=Decimal(p), currency="CNY") for p in ("10.05", "99.99", "1234.56")]
    rouble = SkuFactory(price=Decimal("500"))
    FxRateFactory(currency="CNY", rate=Decimal("112.3456"), nominal=10, date="2026-11-21")
    assert skus_reprice_rub(currency="CNY") == 3
    for sku in yuan:
        sku.refresh_from_db()
        assert sku.price_rub == price_to_rub(amount=sku.price, currency="CNY", rate=Decimal("11.234560"))
    rouble.refresh_from_db()
    assert rouble.price_rub == Decimal("500.00")


def test_reprice_refreshes_product_minimum_price():
    FxRateFactory(currency="EUR", rate=Decimal("90"), date="2026-11-20")
    sku = SkuFactory(price=Decimal("10"), currency="EUR")
    FxRateFactory(currency="EUR", rate=Decimal("100"), date="2026-11-21")
    skus_reprice_rub(currency="EUR")
    sku.product.refresh_from_db()
    assert sku.product.min_price_rub == Decimal("1000.00")


def test_reprice_twice_changes_nothing_the_second_time():
    FxRateFactory(currency="EUR", rate=Decimal("100"))
    SkuFactory(price=Decimal("10"), currency="EUR")
    skus_reprice_rub(currency="EUR")
    assert skus_reprice_rub(currency="EUR") == 0


def test_aggregates_use_only_active_skus_and_need_stock_for_in_stock():
    product = ProductFactory()
    SkuFactory(product=product, price=Decimal("100"), stock=0)
    SkuFactory(product=product, price=Decimal("50"), stock=3, is_active=False)
    SkuFactory(product=product, price=Decimal("70"), stock=0)
    empty = ProductFactory()
    Product.objects.filter(pk__in=[product.pk, empty.pk]).update(min_price_rub=1, in_stock=True)
    product_aggregates_refresh(product_ids=[product.pk, empty.pk])
    product.refresh_from_db()
    empty.refresh_from_db()
    assert (product.min_price_rub, product.in_stock) == (Decimal("70.00"), False)
    assert (empty.min_price_rub, empty.in_stock) == (None, False)


def test_aggregates_refresh_for_everything_with_none():
    sku = SkuFactory(price=Decimal("100"), stock=2)
    Product.objects.filter(pk=sku.product_id).update(min_price_rub=None, in_stock=False)
    assert product_aggregates_refresh(product_ids=None) == 1
    sku.product.refresh_from_db()
    assert sku.product.in_stock is True


def test_stock_to_zero_marks_the_product_out_of_stock(staff):
    sku = SkuFactory(stock=4)
    sku_stock_set(sku=sku, stock=0, actor=staff, reason="инвентаризация")
    sku.product.refresh_from_db()
    assert sku.product.in_stock is False


def test_negative_stock_is_refused(staff):
    with pytest.raises(InvalidStock):
        sku_stock_set(sku=SkuFactory(), stock=-1, actor=staff)


def test_sku_save_writes_only_the_fields_staff_changed(staff):
    sku = SkuFactory(price=Decimal("100"), stock=10)
    form_copy = Sku.objects.get(pk=sku.pk)
    Sku.objects.filter(pk=sku.pk).update(stock=7)  # an order took three meanwhile
    form_copy.price = Decimal("120")
    sku_save(sku=form_copy, changed_fields=["price"], actor=staff)
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (Decimal("120.00"), 7)
    assert PriceHistory.objects.filter(sku=sku, price=Decimal("120")).exists()


def test_new_sku_gets_its_first_price_in_history(staff):
    product = ProductFactory()
    sku = Sku(product=product, code="NEW-1", price=Decimal("10"), currency="RUB", stock=1)
    sku_save(sku=sku, actor=staff)
    product.refresh_from_db()
    assert PriceHistory.objects.filter(sku=sku).count() == 1
    assert product.min_price_rub == Decimal("10.00")


def test_price_change_invalidates_the_product_page_cache_after_commit(staff, django_capture_on_commit_callbacks):
    sku = SkuFactory(price=Decimal("100"))
    before_product = catalog_cache_version(sku.product_id)
    before_listing = catalog_cache_version()
    with django_capture_on_commit_callbacks(execute=True):
        sku_price_set(sku=sku, price=Decimal("90"), currency="RUB", actor=staff)
    assert catalog_cache_version(sku.product_id) != before_product
    assert catalog_cache_version() != before_listing


def test_category_paths_follow_a_move():
    root, other = CategoryFactory(), CategoryFactory()
    child = CategoryFactory(parent=root)
    leaf = CategoryFactory(parent=child)
    Category.objects.filter(pk=child.pk).update(parent=other)
    category_path_refresh()
    leaf.refresh_from_db()
    assert leaf.path == f"{other.pk}/{child.pk}/{leaf.pk}/"


def test_category_cannot_move_into_its_own_subtree(staff):
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    root.parent = child
    with pytest.raises(CategoryCycle):
        category_save(category=root, actor=staff)


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (900, 600), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile("photo.png", buf.getvalue(), content_type="image/png")


def test_uploaded_image_gets_a_thumbnail(staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = ProductFactory()
    image = ProductImage(image=_png(), alt="фото")
    product_save(product=product, changed_fields=[], images=[(image, None)], actor=staff)
    image.refresh_from_db()
    with Image.open(image.thumbnail.path) as thumb:
        assert max(thumb.size) == 300
