from decimal import Decimal

import pytest

from storefront.catalog.exceptions import FxRateMissing
from storefront.catalog.selectors import fx_rate_get, price_to_rub
from tests.catalog.factories import FxRateFactory, SkuFactory

pytestmark = pytest.mark.django_db


def test_yuan_price_is_shown_in_whole_roubles_at_the_latest_rate():
    FxRateFactory(currency="CNY", rate=Decimal("11.2345"), nominal=1)
    assert price_to_rub(amount=Decimal("100"), currency="CNY") == Decimal("1123")  # 1 123,45 → 1 123 ₽


def test_converted_price_rounds_half_up_to_the_rouble():
    FxRateFactory(currency="EUR", rate=Decimal("92.505"), nominal=1)
    assert price_to_rub(amount=Decimal("10"), currency="EUR") == Decimal("925")  # 925,05
    assert price_to_rub(amount=Decimal("100"), currency="EUR") == Decimal("9251")  # 9 250,50


def test_rouble_price_keeps_the_sellers_kopecks():
    assert price_to_rub(amount=Decimal("499.90"), currency="RUB") == Decimal("499.90")


def test_rate_is_divided_by_its_nominal():
    FxRateFactory(currency="CNY", rate=Decimal("112.345"), nominal=10)
    assert fx_rate_get(currency="CNY") == Decimal("11.234500")


def test_missing_rate_is_an_explicit_error_not_a_zero_price():
    with pytest.raises(FxRateMissing):
        price_to_rub(amount=Decimal("100"), currency="EUR")


def test_sku_factory_keeps_product_aggregates():
    sku = SkuFactory(price=Decimal("1299"), stock=0)
    sku.product.refresh_from_db()
    assert sku.product.min_price_rub == Decimal("1299.00")
    assert sku.product.in_stock is False


def test_a_worker_keeps_the_latest_rate_for_its_window_and_storing_rates_drops_its_copy(
    settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    import datetime

    from django.core.cache import cache

    from storefront.catalog.selectors import FX_CACHE_KEY, fx_rates_local_clear
    from storefront.catalog.services import fx_rates_store

    settings.STORE_CATALOG_LOCAL_SECONDS = 60
    fx_rates_local_clear()
    FxRateFactory(currency="CNY", date=datetime.date(2026, 12, 1), rate=Decimal("11.5"), nominal=1)
    assert fx_rate_get(currency="CNY") == Decimal("11.500000")
    cache.delete(FX_CACHE_KEY.format(currency="CNY"))  # as if another process stored new rates
    with django_assert_num_queries(0):
        assert fx_rate_get(currency="CNY") == Decimal("11.500000")
    with django_capture_on_commit_callbacks(execute=True):
        fx_rates_store(on=datetime.date(2026, 12, 2), rates={"CNY": (Decimal("12"), 1)})
    assert fx_rate_get(currency="CNY") == Decimal("12.000000")
    fx_rates_local_clear()
