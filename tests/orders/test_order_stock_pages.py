"""Orders and the shared catalog pages: the "осталось N шт." count follows placements and cancellations at once,
while listings and other products' pages stay cached (only a sell-out or a comeback refreshes the listings)."""

import pytest

from orders.services import order_cancel
from storefront.catalog.cache import catalog_cache_version
from tests.catalog.factories import CategoryFactory, ProductFactory, SkuFactory

from .factories import place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def audio():
    return CategoryFactory(slug="audio")


@pytest.fixture
def speaker(audio):
    return SkuFactory(product=ProductFactory(category=audio, slug="speaker", title="Колонка"), stock=5)


@pytest.fixture
def radio(audio):
    return SkuFactory(product=ProductFactory(category=audio, slug="radio", title="Радиоприёмник"), stock=3)


def page(client, path: str) -> str:
    return client.get(path).content.decode()


def variant(client, sku) -> str:
    return page_of(client.get(f"/p/{sku.product.slug}/variant/?sku={sku.pk}", headers={"HX-Request": "true"}))


def page_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def served_from_cache(client, path: str, django_assert_num_queries) -> str:
    """The page, asserting it came from the shared cache: a cache miss renders it from the database."""
    with django_assert_num_queries(0):
        return page(client, path)


def assert_speaker_shows(text: str, client, speaker) -> None:
    assert text in page(client, "/p/speaker/")
    assert text in variant(client, speaker)


def assert_the_rest_stayed_cached(client, listings_version: str, django_assert_num_queries) -> None:
    """The other product's page and the listing still come from the cache, and the listings' version stood still."""
    assert "осталось 3 шт." in served_from_cache(client, "/p/radio/", django_assert_num_queries)
    assert "Колонка" in served_from_cache(client, "/c/audio/", django_assert_num_queries)
    assert catalog_cache_version() == listings_version


def test_product_page_shows_the_new_count_right_after_an_order_and_others_stay_cached(
    client, speaker, radio, django_capture_on_commit_callbacks, django_assert_num_queries
):
    assert "осталось 5 шт." in page(client, "/p/speaker/")
    assert "осталось 5 шт." in variant(client, speaker)
    assert "осталось 3 шт." in page(client, "/p/radio/")
    assert "Колонка" in page(client, "/c/audio/")
    listings = catalog_cache_version()

    with django_capture_on_commit_callbacks(execute=True):
        place_order(skus=[speaker], quantity=1)

    assert_speaker_shows("осталось 4 шт.", client, speaker)
    assert_the_rest_stayed_cached(client, listings, django_assert_num_queries)


def test_product_page_shows_the_stock_given_back_by_a_cancellation(
    client, speaker, radio, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(skus=[speaker], quantity=2)
    assert "осталось 3 шт." in page(client, "/p/speaker/")
    page(client, "/p/radio/")
    page(client, "/c/audio/")
    listings = catalog_cache_version()

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor="system", reason="покупатель передумал")

    assert_speaker_shows("осталось 5 шт.", client, speaker)
    assert_the_rest_stayed_cached(client, listings, django_assert_num_queries)


def test_a_count_nobody_sees_move_keeps_the_product_page_cached(
    client, audio, django_capture_on_commit_callbacks, django_assert_num_queries
):
    plenty = SkuFactory(product=ProductFactory(category=audio, slug="cable"), stock=40)
    assert "в наличии" in page(client, "/p/cable/")

    with django_capture_on_commit_callbacks(execute=True):
        place_order(skus=[plenty], quantity=2)

    assert "в наличии" in served_from_cache(client, "/p/cable/", django_assert_num_queries)


def test_selling_the_last_one_still_refreshes_the_listings(client, speaker, django_capture_on_commit_callbacks):
    assert "Колонка" in page(client, "/c/audio/?in_stock=1")
    listings = catalog_cache_version()

    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(skus=[speaker], quantity=5)

    assert "нет в наличии" in page(client, "/p/speaker/")
    assert "Колонка" not in page(client, "/c/audio/?in_stock=1")
    assert catalog_cache_version() != listings

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor="system", reason="покупатель передумал")

    assert "осталось 5 шт." in page(client, "/p/speaker/")
    assert "Колонка" in page(client, "/c/audio/?in_stock=1")


def test_the_product_page_moves_on_once_the_order_has_committed(client, speaker, django_capture_on_commit_callbacks):
    page(client, "/p/speaker/")

    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        place_order(skus=[speaker], quantity=1)
    assert "осталось 5 шт." in page(client, "/p/speaker/")  # nothing bumped inside the placing transaction

    for callback in after_commit:
        callback()
    assert "осталось 4 шт." in page(client, "/p/speaker/")
