"""Full-text search: vectors kept by the database, Russian word forms, ranking, sorting, the helpful page, misses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from storefront.catalog import search as search_module
from storefront.catalog.models import Product
from storefront.catalog.search import Sort, product_search, search_normalize

from . import search_fixtures
from .factories import BrandFactory, CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db
catalog = search_fixtures.catalog

SEARCH_URL = "/search/"


def vector_of(product) -> str:
    return str(Product.objects.values_list("search_vector", flat=True).get(pk=product.pk))


def shown_titles(result) -> list[str]:
    titles = dict(Product.objects.filter(pk__in=result.product_ids).values_list("pk", "title"))
    return [titles[pk] for pk in result.product_ids]


# --- the vector, kept by triggers -------------------------------------------------------------------------------


def test_factory_product_gets_weighted_search_vector():
    product = ProductFactory(
        title="Смартфон Redmi",
        brand=BrandFactory(name="Xiaomi"),
        category=CategoryFactory(name="Телефоны"),
        description="Экран",
    )
    vector = vector_of(product)
    assert "'смартфон':1A" in vector
    assert "'xiaomi':" in vector and "B" in vector.split("'xiaomi':")[1].split(" ")[0]
    assert "'телефон':" in vector and "C" in vector.split("'телефон':")[1].split(" ")[0]
    assert "'экра'" in vector or "'экран'" in vector


def test_title_change_through_queryset_update_refreshes_vector():
    product = ProductFactory(title="Чайник")
    Product.objects.filter(pk=product.pk).update(title="Утюг")
    assert "утюг" in vector_of(product)
    assert "чайник" not in vector_of(product)


def test_brand_rename_refreshes_its_products_vectors():
    product = ProductFactory(brand=BrandFactory(name="Сяоми"))
    product.brand.name = "Xiaomi"
    product.brand.save()
    assert "xiaomi" in vector_of(product)
    assert "сяом" not in vector_of(product)


def test_category_rename_refreshes_its_products_vectors():
    product = ProductFactory(category=CategoryFactory(name="Пылесосы"))
    product.category.name = "Роботы-пылесосы"
    product.category.save()
    assert "робот" in vector_of(product)


def test_save_of_an_instance_without_vector_keeps_the_vector():
    product = ProductFactory(title="Кофемашина")  # the instance in memory has search_vector None
    product.popularity = 5
    product.save()
    assert "кофемашин" in vector_of(product)


def test_bulk_create_products_get_vectors():
    category = CategoryFactory(name="Игрушки")
    Product.objects.bulk_create(
        [Product(title=f"Конструктор {n}", slug=f"lego-{n}", category=category, origin="CN") for n in range(3)]
    )
    assert Product.objects.filter(category=category, search_vector__isnull=True).count() == 0
    assert product_search(query="конструкторы").total == 3


# --- finding and ranking ----------------------------------------------------------------------------------------


def test_plural_query_finds_singular_title(catalog):
    result = product_search(query="смартфоны")
    assert {catalog["redmi"].pk, catalog["iphone"].pk} <= set(result.product_ids)


def test_genitive_query_finds_title_word_form(catalog):
    result = product_search(query="наушников")
    assert result.product_ids[0] == catalog["buds"].pk


def test_title_match_ranks_above_description_match(catalog):
    # "смартфону" is only in the buds' description; both phones have it in the title
    result = product_search(query="смартфон")
    assert result.product_ids[-1] == catalog["buds"].pk
    assert set(result.product_ids[:2]) == {catalog["redmi"].pk, catalog["iphone"].pk}


def test_popularity_breaks_ties_between_equal_matches(catalog):
    result = product_search(query="смартфон")
    assert result.product_ids[:2] == [catalog["iphone"].pk, catalog["redmi"].pk]


def test_brand_name_finds_its_products(catalog):
    result = product_search(query="xiaomi")
    assert set(result.product_ids) == {catalog["redmi"].pk, catalog["buds"].pk}


def test_category_name_finds_its_products(catalog):
    result = product_search(query="телефоны")
    assert {catalog["redmi"].pk, catalog["iphone"].pk} == set(result.product_ids)


def test_inactive_products_are_not_found(catalog):
    Product.objects.filter(pk=catalog["kettle"].pk).update(is_active=False)
    assert product_search(query="чайник", correct=False).total == 0


def test_sort_by_price_ascending(catalog):
    Product.objects.filter(pk=catalog["iphone"].pk).update(min_price_rub=99000)
    Product.objects.filter(pk=catalog["redmi"].pk).update(min_price_rub=19000)
    Product.objects.filter(pk=catalog["buds"].pk).update(min_price_rub=4000)
    result = product_search(query="xiaomi смартфон OR наушники", sort=Sort.PRICE_ASC)
    assert result.product_ids[:2] == [catalog["buds"].pk, catalog["redmi"].pk]


def test_sort_by_price_descending_puts_unpriced_last(catalog):
    Product.objects.filter(pk=catalog["redmi"].pk).update(min_price_rub=19000)
    result = product_search(query="смартфон", sort=Sort.PRICE_DESC)
    assert result.product_ids[0] == catalog["redmi"].pk


def test_sort_by_popularity_puts_the_most_bought_first(catalog):
    result = product_search(query="смартфон", sort=Sort.POPULAR)  # the buds' description says "смартфону"
    assert result.product_ids == [catalog["iphone"].pk, catalog["buds"].pk, catalog["redmi"].pk]


def test_sort_by_newest_puts_the_latest_product_first(catalog):
    Product.objects.filter(pk=catalog["iphone"].pk).update(created_at=timezone.now() - timedelta(days=30))
    Product.objects.filter(pk=catalog["redmi"].pk).update(created_at=timezone.now() - timedelta(days=1))
    result = product_search(query="смартфон", sort=Sort.NEW)  # the buds were created just now
    assert result.product_ids == [catalog["buds"].pk, catalog["redmi"].pk, catalog["iphone"].pk]


def test_pages_split_results(monkeypatch):
    monkeypatch.setattr(search_module, "PAGE_SIZE", 2)
    category = CategoryFactory(name="Кружки")
    for n in range(5):
        ProductFactory(title=f"Кружка {n}", category=category, popularity=n)
    first = product_search(query="кружки", sort=Sort.POPULAR)
    third = product_search(query="кружки", sort=Sort.POPULAR, page=3)
    assert first.total == 5 and first.num_pages == 3
    assert len(first.product_ids) == 2 and len(third.product_ids) == 1


def test_count_stops_at_the_cap(monkeypatch):
    monkeypatch.setattr(search_module, "SEARCH_COUNT_CAP", 3)
    monkeypatch.setattr(search_module, "PAGE_SIZE", 2)
    category = CategoryFactory(name="Ложки")
    for n in range(5):
        ProductFactory(title=f"Ложка {n}", category=category)
    result = product_search(query="ложка")
    assert result.total == 3 and result.total_capped


# --- the page ---------------------------------------------------------------------------------------------------


def test_special_characters_around_words_still_find(catalog):
    result = product_search(query=search_normalize("смартфон&|!:*()'\""))
    assert catalog["iphone"].pk in result.product_ids


def test_very_long_query_is_truncated():
    assert len(search_normalize("смартфон " * 500)) <= 200


# --- the no-result log ------------------------------------------------------------------------------------------


def test_page_past_the_end_shows_the_last_page(monkeypatch):
    monkeypatch.setattr(search_module, "PAGE_SIZE", 2)
    category = CategoryFactory(name="Вилки")
    for n in range(3):
        ProductFactory(title=f"Вилка {n}", category=category)
    result = product_search(query="вилка", page=9)
    assert result.page == 2
    assert len(result.product_ids) == 1
