"""Home page: hero, popular categories with a picture, popular products; cached until the catalog changes."""

from decimal import Decimal

import pytest

from storefront.catalog.models import ProductImage
from storefront.catalog.services import sku_price_set
from tests.catalog.factories import CategoryFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def test_home_has_the_hero_and_the_delivery_speeds(client):
    html = client.get("/").content.decode()

    assert "Товары из Китая и Европы" in html
    assert "Из Китая 7–20 дней" in html


def test_home_shows_top_level_categories_with_the_picture_of_their_most_popular_product(client):
    phones = CategoryFactory(name="Смартфоны", slug="phones")
    budget = CategoryFactory(name="Недорогие", slug="budget-phones", parent=phones)
    for slug, popularity, category in [("rare", 1, phones), ("hit", 900, budget)]:
        item = ProductFactory(slug=slug, popularity=popularity, category=category)
        ProductImage.objects.create(product=item, image=f"p/{slug}.jpg", thumbnail=f"p/thumbs/{slug}.jpg")

    html = client.get("/").content.decode()

    tile = html[html.index('href="/c/phones/"') :]
    assert "Смартфоны" in tile
    assert tile.index('src="/media/p/thumbs/hit.jpg"') < tile.index("</a>")
    assert 'href="/c/budget-phones/"' not in html


def test_a_category_tile_skips_a_feed_picture_without_a_file(client):
    phones = CategoryFactory(name="Смартфоны", slug="phones")
    imported = ProductFactory(slug="imported", popularity=900, category=phones)
    ProductImage.objects.create(product=imported, source_url="https://cdn.example.ru/hit.jpg")
    drawn = ProductFactory(slug="drawn", popularity=1, category=phones)
    ProductImage.objects.create(product=drawn, image="p/drawn.jpg", thumbnail="p/thumbs/drawn.jpg")

    html = client.get("/").content.decode()

    tile = html[html.index('href="/c/phones/"') :]
    assert tile.index('src="/media/p/thumbs/drawn.jpg"') < tile.index("</a>")


def test_home_shows_popular_products_in_stock(client):
    SkuFactory(product=ProductFactory(title="Хит продаж", popularity=500), stock=5)
    SkuFactory(product=ProductFactory(title="Раскупили", popularity=900), stock=0)

    html = client.get("/").content.decode()

    assert "Хит продаж" in html
    assert "Раскупили" not in html


def test_home_is_cached_and_shows_a_new_price(client, django_assert_num_queries, django_capture_on_commit_callbacks):
    sku = SkuFactory(product=ProductFactory(title="Хит продаж", popularity=500), price=Decimal("2500"))
    client.get("/")
    with django_assert_num_queries(0):
        client.get("/")

    with django_capture_on_commit_callbacks(execute=True):
        sku_price_set(sku=sku, price=Decimal("1990"), currency="RUB", actor="system")

    assert f"1{NBSP}990{NBSP}₽" in client.get("/").content.decode()
