from decimal import Decimal

import pytest

from storefront.catalog.exceptions import FxRateMissing
from storefront.catalog.selectors import fx_rate_get, price_to_rub
from tests.catalog.factories import FxRateFactory, SkuFactory

pytestmark = pytest.mark.django_db


def test_yuan_price_is_shown_in_roubles_at_the_latest_rate():
    FxRateFactory(currency="CNY", rate=Decimal("11.2345"), nominal=1)
    assert price_to_rub(amount=Decimal("100"), currency="CNY") == Decimal("1123.45")


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
