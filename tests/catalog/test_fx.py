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
