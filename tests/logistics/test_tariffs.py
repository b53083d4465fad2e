from decimal import Decimal

import pytest

from logistics.models import DeliveryTariff
from logistics.promise import rules_cache_clear
from logistics.selectors import delivery_cost_get, delivery_options_get

pytestmark = pytest.mark.django_db


def cost(method="post_pickup", postcode="101000", grams=500, subtotal="1000"):
    return delivery_cost_get(method=method, postcode=postcode, weight_grams=grams, subtotal=Decimal(subtotal))


def test_base_price_covers_the_first_kilogram():
    assert cost(grams=1000) == Decimal("299.00")


def test_every_started_kilogram_above_the_first_costs_extra():
    assert cost(grams=1001) == Decimal("339.00")
    assert cost(method="courier", grams=3500) == Decimal("679.00")  # 499 + 3 × 60


def test_far_east_has_its_own_tariff():
    assert cost(method="courier", postcode="690091") == Decimal("799.00")
    assert cost(postcode="690091") == Decimal("399.00")


def test_free_delivery_from_a_sum():
    DeliveryTariff.objects.filter(method="post_pickup").update(free_from_rub=Decimal("5000"))
    rules_cache_clear()
    assert cost(subtotal="4999.99") == Decimal("299.00")
    assert cost(subtotal="5000") == 0


def test_options_list_post_office_first():
    assert [o.method for o in delivery_options_get(postcode="101000", weight_grams=500, subtotal=Decimal(1))] == [
        "post_pickup",
        "courier",
    ]


def test_without_any_tariff_rows_the_flat_settings_cost_applies(settings):
    settings.STORE_DELIVERY_COSTS_RUB = {"post_pickup": "250.00", "courier": "590.00"}
    DeliveryTariff.objects.all().delete()
    rules_cache_clear()
    assert cost(method="courier") == Decimal("590.00")
