"""Cache versions of the shared catalog pages: bumped after commit, per product and for listings."""

from decimal import Decimal

import pytest
from django.db import transaction

from storefront.catalog.cache import catalog_cache_bump, catalog_cache_version
from storefront.catalog.services import sku_price_set, sku_stock_set
from tests.catalog.factories import CategoryFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def test_version_is_stable_until_bumped():
    assert catalog_cache_version(7) == catalog_cache_version(7)
    assert catalog_cache_version() == catalog_cache_version()


def test_bumping_a_product_moves_its_page_and_the_listings_but_not_other_products(django_capture_on_commit_callbacks):
    before = (catalog_cache_version(1), catalog_cache_version(2), catalog_cache_version())

    with django_capture_on_commit_callbacks(execute=True):
        catalog_cache_bump(product_ids=[1])

    after = (catalog_cache_version(1), catalog_cache_version(2), catalog_cache_version())
    assert after[0] != before[0]
    assert after[1] == before[1]
    assert after[2] != before[2]


def test_bumping_everything_moves_every_product_page(django_capture_on_commit_callbacks):
    before = catalog_cache_version(2)

    with django_capture_on_commit_callbacks(execute=True):
        catalog_cache_bump()

    assert catalog_cache_version(2) != before


def test_bump_waits_for_the_commit(django_capture_on_commit_callbacks):
    before = catalog_cache_version(3)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        catalog_cache_bump(product_ids=[3])
        assert catalog_cache_version(3) == before

    assert catalog_cache_version(3) != before


def test_listing_shows_the_new_price_after_a_price_change(client, django_capture_on_commit_callbacks):
    category = CategoryFactory(slug="audio")
    sku = SkuFactory(product=ProductFactory(category=category), price=Decimal("3000"))
    assert f"3{NBSP}000{NBSP}₽" in client.get("/c/audio/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sku_price_set(sku=sku, price=Decimal("2490"), currency="RUB", actor="system")

    html = client.get("/c/audio/").content.decode()
    assert f"2{NBSP}490{NBSP}₽" in html
    assert f"3{NBSP}000{NBSP}₽" not in html


def test_listing_drops_a_sold_out_product_from_in_stock_results(client, django_capture_on_commit_callbacks):
    category = CategoryFactory(slug="audio")
    sku = SkuFactory(product=ProductFactory(category=category, title="Наушники"), stock=1)
    assert "Наушники" in client.get("/c/audio/?in_stock=1").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sku_stock_set(sku=sku, stock=0, actor="system")

    assert "Наушники" not in client.get("/c/audio/?in_stock=1").content.decode()
