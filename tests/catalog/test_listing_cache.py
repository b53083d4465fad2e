"""Cache versions of the shared catalog pages: bumped after commit, per product and for listings."""

import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction

from storefront.catalog import cache as catalog_cache
from storefront.catalog.cache import catalog_cache_bump, catalog_cache_version
from storefront.catalog.models import Sku
from storefront.catalog.services import catalog_product_pages_changed, sku_price_set, sku_stock_set
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


def test_bumping_only_a_products_pages_leaves_the_listings_and_other_products(django_capture_on_commit_callbacks):
    before = (catalog_cache_version(1), catalog_cache_version(2), catalog_cache_version())

    with django_capture_on_commit_callbacks(execute=True):
        catalog_product_pages_changed([1])

    after = (catalog_cache_version(1), catalog_cache_version(2), catalog_cache_version())
    assert after[0] != before[0]
    assert after[1:] == before[1:]


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


def test_a_stocktake_redraws_the_product_page_and_only_a_change_they_show_redraws_listings(
    django_capture_on_commit_callbacks,
):
    sku = SkuFactory(stock=40)
    before = (catalog_cache_version(sku.product_id), catalog_cache_version())

    with django_capture_on_commit_callbacks(execute=True):
        sku_stock_set(sku=sku, stock=30, actor="system")  # "в наличии" still, but its quantity field stops at 30
    assert catalog_cache_version(sku.product_id) != before[0]
    assert catalog_cache_version() == before[1]  # the listings say the same

    with django_capture_on_commit_callbacks(execute=True):
        sku_stock_set(sku=sku, stock=2, actor="system")  # "осталось 2 шт.": the product's own pages only
    assert catalog_cache_version() == before[1]

    with django_capture_on_commit_callbacks(execute=True):
        sku_stock_set(sku=sku, stock=0, actor="system")  # sold out: the listings too
    assert catalog_cache_version() != before[1]


@pytest.fixture
def local_copy(settings):
    """Workers keep their own copy of hot entries and versions (off in the test settings)."""
    settings.STORE_CATALOG_LOCAL_SECONDS = 1.0
    catalog_cache.local_copy_clear()
    yield
    catalog_cache.local_copy_clear()


def test_a_worker_serves_a_hot_page_from_its_own_copy(client, local_copy, django_assert_num_queries):
    SkuFactory(product=ProductFactory(category=CategoryFactory(slug="audio"), title="Колонка"))
    client.get("/c/audio/")
    cache.clear()  # not even Redis has it now

    with django_assert_num_queries(0):
        html = client.get("/c/audio/").content.decode()

    assert "Колонка" in html


def test_a_change_made_in_this_process_shows_at_once(client, local_copy, django_capture_on_commit_callbacks):
    sku = SkuFactory(product=ProductFactory(slug="speaker"), price=Decimal("3000"))
    client.get("/p/speaker/")

    with django_capture_on_commit_callbacks(execute=True):
        sku_price_set(sku=sku, price=Decimal("2490"), currency="RUB", actor="system")

    assert f"2{NBSP}490{NBSP}₽" in client.get("/p/speaker/").content.decode()


def test_a_change_made_by_another_process_shows_after_the_local_window(
    client, local_copy, monkeypatch, django_capture_on_commit_callbacks
):
    sku = SkuFactory(product=ProductFactory(slug="speaker"), price=Decimal("3000"))
    client.get("/p/speaker/")
    client.get("/p/speaker/")  # served from this worker's copy now, its version read
    with django_capture_on_commit_callbacks(execute=False):  # this process does not run the bump...
        sku_price_set(sku=sku, price=Decimal("2490"), currency="RUB", actor="system")
    catalog_cache._bump_redis([catalog_cache.VERSION_PRODUCT.format(id=sku.product_id)])  # ...another process did

    stale = client.get("/p/speaker/").content.decode()
    later = time.monotonic() + 1.5
    monkeypatch.setattr(catalog_cache.time, "monotonic", lambda: later)
    fresh = client.get("/p/speaker/").content.decode()

    assert f"3{NBSP}000{NBSP}₽" in stale
    assert f"2{NBSP}490{NBSP}₽" in fresh


def _later(monkeypatch, seconds: float = 1.5) -> None:
    """This worker's clock moves past the local window: its next read looks at the versions and the log again."""
    later = time.monotonic() + seconds
    monkeypatch.setattr(catalog_cache.time, "monotonic", lambda: later)


def test_a_hot_product_page_needs_no_redis_once_its_version_is_read(client, local_copy, django_assert_num_queries):
    SkuFactory(product=ProductFactory(slug="speaker", title="Колонка"))
    client.get("/p/speaker/")
    client.get("/p/speaker/")
    cache.clear()  # not even Redis has it now

    with django_assert_num_queries(0):
        html = client.get("/p/speaker/").content.decode()

    assert "Колонка" in html


def test_another_products_change_leaves_this_workers_copy_of_a_page_in_use(
    client, local_copy, monkeypatch, django_assert_num_queries
):
    SkuFactory(product=ProductFactory(slug="speaker", title="Колонка"))
    other = SkuFactory(product=ProductFactory(slug="radio"), price=Decimal("3000"))
    client.get("/p/speaker/")
    client.get("/p/speaker/")
    client.get("/p/radio/")
    Sku.objects.filter(pk=other.pk).update(price=Decimal("2490"), price_rub=Decimal("2490"))
    catalog_cache._bump_redis([catalog_cache.VERSION_PRODUCT.format(id=other.product_id)])  # another process
    cache.delete("catalog:pp:page:speaker:0:ru")  # the speaker's page is only in this worker's copy now
    _later(monkeypatch)

    with django_assert_num_queries(0):
        speaker = client.get("/p/speaker/").content.decode()
    radio = client.get("/p/radio/").content.decode()

    assert "Колонка" in speaker
    assert f"2{NBSP}490{NBSP}₽" in radio


def test_a_change_trimmed_from_the_log_is_not_missed(client, local_copy, monkeypatch):
    sku = SkuFactory(product=ProductFactory(slug="speaker"), price=Decimal("3000"))
    client.get("/p/speaker/")
    client.get("/p/speaker/")
    monkeypatch.setattr(catalog_cache, "CHANGES_KEPT", 2)
    Sku.objects.filter(pk=sku.pk).update(price=Decimal("2490"), price_rub=Decimal("2490"))
    catalog_cache._bump_redis([catalog_cache.VERSION_PRODUCT.format(id=sku.product_id)])  # another process...
    for pid in (900001, 900002, 900003):  # ...and more changes than the log keeps
        catalog_cache._bump_redis([catalog_cache.VERSION_PRODUCT.format(id=pid)])
    _later(monkeypatch)

    assert f"2{NBSP}490{NBSP}₽" in client.get("/p/speaker/").content.decode()


def test_pages_are_stored_compressed_and_the_local_copy_is_bounded_by_bytes(client, local_copy, settings):
    for n in range(3):
        SkuFactory(product=ProductFactory(slug=f"speaker-{n}", title=f"Колонка {n}"))
    client.get("/p/speaker-0/")
    stored = cache.get("catalog:pp:page:speaker-0:0:ru")
    one = len(stored["z"]) + catalog_cache._ENTRY_OVERHEAD
    settings.STORE_CATALOG_LOCAL_BYTES = 2 * one + 100  # room for two such pages

    pages = [client.get(f"/p/speaker-{n}/").content.decode() for n in range(3)]

    assert all(f"Колонка {n}" in page for n, page in enumerate(pages))
    assert "html" not in stored and len(stored["z"]) * 2 < len(pages[0].encode())
    assert list(catalog_cache._local_entries) == ["catalog:pp:page:speaker-1:0:ru", "catalog:pp:page:speaker-2:0:ru"]
    assert catalog_cache._local_state.size <= settings.STORE_CATALOG_LOCAL_BYTES
