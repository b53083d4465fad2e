"""Category listing /c/<slug>/: subtree, filters, sorting, pagination, htmx partial, bad parameters."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from storefront.catalog.models import ProductImage
from storefront.catalog.selectors_listing import PAGE_SIZE
from tests.catalog.factories import BrandFactory, CategoryFactory, FxRateFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clothes():
    return CategoryFactory(name="Одежда", slug="clothes")


def product(category, title, *, price="1000", stock=10, options=None, currency="RUB", **fields):
    item = ProductFactory(category=category, title=title, **fields)
    SkuFactory(product=item, price=Decimal(price), stock=stock, options=options or {}, currency=currency)
    return item


def titles(response) -> list[str]:
    """Product titles on the page, in order."""
    return titles_of(response.content.decode())


def titles_of(html: str) -> list[str]:
    found = []
    for chunk in html.split('class="product-card-title">')[1:]:
        found.append(chunk.split("<", 1)[0].strip())
    return found


def get(client, url, **params):
    return client.get(url, params)


def test_category_lists_products_of_its_whole_subtree(client, clothes):
    shirts = CategoryFactory(name="Футболки", slug="t-shirts", parent=clothes)
    product(clothes, "Куртка")
    product(shirts, "Футболка")
    product(CategoryFactory(slug="phones"), "Смартфон")

    response = client.get("/c/clothes/")

    assert response.status_code == 200
    assert sorted(titles(response)) == ["Куртка", "Футболка"]


def test_inactive_products_are_not_listed(client, clothes):
    product(clothes, "В продаже")
    product(clothes, "Снят", is_active=False)

    assert titles(client.get("/c/clothes/")) == ["В продаже"]


def test_unknown_or_hidden_category_is_404(client):
    CategoryFactory(slug="hidden", is_active=False)

    assert client.get("/c/nope/").status_code == 404
    assert client.get("/c/hidden/").status_code == 404


def test_brand_filter_keeps_only_the_chosen_brands(client, clothes):
    product(clothes, "Xiaomi", brand=BrandFactory(name="Xiaomi", slug="xiaomi"))
    product(clothes, "Huawei", brand=BrandFactory(name="Huawei", slug="huawei"))
    product(clothes, "Lenovo", brand=BrandFactory(name="Lenovo", slug="lenovo"))

    response = get(client, "/c/clothes/", brand=["xiaomi", "lenovo"])

    assert sorted(titles(response)) == ["Lenovo", "Xiaomi"]


def test_price_range_filter_compares_rouble_prices(client, clothes):
    FxRateFactory(currency="CNY", rate=Decimal("12.5"))
    product(clothes, "Дешёвый", price="500")
    product(clothes, "Юани", price="100", currency="CNY")  # 1 250 ₽
    product(clothes, "Дорогой", price="5000")

    response = get(client, "/c/clothes/", min_price="1000", max_price="2 000")

    assert titles(response) == ["Юани"]


def test_origin_filter_keeps_only_chosen_origins(client, clothes):
    product(clothes, "Из Китая", origin="CN")
    product(clothes, "Из ЕС", origin="EU")
    product(clothes, "Из России", origin="RU")

    response = get(client, "/c/clothes/", origin=["EU", "RU"])

    assert sorted(titles(response)) == ["Из ЕС", "Из России"]


def test_origin_filter_labels_speak_of_delivery_speed(client, clothes):
    product(clothes, "Товар")

    html = client.get("/c/clothes/").content.decode()

    assert "из Китая 7–20 дней" in html
    assert "со склада в ЕС до 2 недель" in html
    assert "из России 1–3 дня" in html


def test_in_stock_filter_hides_sold_out_products(client, clothes):
    product(clothes, "Есть", stock=3)
    product(clothes, "Кончился", stock=0)

    assert titles(get(client, "/c/clothes/", in_stock="1")) == ["Есть"]


def test_size_filter_matches_variant_options(client, clothes):
    product(clothes, "Размер M", options={"Размер": "M", "Цвет": "чёрный"})
    product(clothes, "Размер L", options={"Размер": "L", "Цвет": "чёрный"})

    assert titles(get(client, "/c/clothes/", opt="Размер:M")) == ["Размер M"]


def test_size_filter_with_in_stock_needs_that_size_in_stock(client, clothes):
    item = ProductFactory(category=clothes, title="Футболка")
    SkuFactory(product=item, options={"Размер": "M"}, stock=0)
    SkuFactory(product=item, options={"Размер": "L"}, stock=5)

    assert titles(get(client, "/c/clothes/", opt="Размер:M", in_stock="1")) == []
    assert titles(get(client, "/c/clothes/", opt="Размер:L", in_stock="1")) == ["Футболка"]


def test_filter_panel_offers_sizes_present_in_the_category(client, clothes):
    product(clothes, "Футболка", options={"Размер": "XL"})
    product(clothes, "Куртка", options={"Размер": "S"})
    product(CategoryFactory(slug="shoes"), "Кеды", options={"Размер": "42"})

    html = client.get("/c/clothes/").content.decode()

    assert 'value="Размер:S"' in html
    assert 'value="Размер:XL"' in html
    assert html.index('value="Размер:S"') < html.index('value="Размер:XL"')
    assert 'value="Размер:42"' not in html


def test_default_sort_is_by_popularity(client, clothes):
    product(clothes, "Средний", popularity=50)
    product(clothes, "Хит", popularity=900)
    product(clothes, "Новичок", popularity=1)

    assert titles(client.get("/c/clothes/")) == ["Хит", "Средний", "Новичок"]


def test_sort_by_price_ascending_and_descending(client, clothes):
    product(clothes, "Средний", price="2000")
    product(clothes, "Дешёвый", price="500")
    product(clothes, "Дорогой", price="9000")

    assert titles(get(client, "/c/clothes/", sort="price")) == ["Дешёвый", "Средний", "Дорогой"]
    assert titles(get(client, "/c/clothes/", sort="-price")) == ["Дорогой", "Средний", "Дешёвый"]


def test_sort_by_newest(client, clothes):
    now = timezone.now()
    product(clothes, "Старый", created_at=now - datetime.timedelta(days=30))
    product(clothes, "Новый", created_at=now)

    assert titles(get(client, "/c/clothes/", sort="new")) == ["Новый", "Старый"]


def test_pages_hold_24_products_and_the_second_page_the_rest(client, clothes):
    for n in range(PAGE_SIZE + 3):
        product(clothes, f"Товар {n:02d}", popularity=100 - n)

    first = client.get("/c/clothes/")
    second = get(client, "/c/clothes/", page="2")

    assert len(titles(first)) == PAGE_SIZE
    assert titles(second) == ["Товар 24", "Товар 25", "Товар 26"]
    assert 'href="/c/clothes/?page=2"' in first.content.decode()


def test_pagination_links_keep_the_filters(client, clothes):
    for n in range(PAGE_SIZE + 1):
        product(clothes, f"Товар {n}", origin="EU")

    html = get(client, "/c/clothes/", origin="EU", sort="price").content.decode()

    assert 'href="/c/clothes/?origin=EU&amp;sort=price&amp;page=2"' in html


def test_page_past_the_end_shows_the_last_page(client, clothes):
    product(clothes, "Единственный")

    assert titles(get(client, "/c/clothes/", page="99")) == ["Единственный"]


def test_bad_parameters_are_ignored_not_an_error(client, clothes):
    product(clothes, "Первый")
    product(clothes, "Второй")

    response = get(
        client,
        "/c/clothes/",
        min_price="abc",
        max_price="-5",
        sort="zzz",
        page="-1",
        origin="XX",
        brand="%%%",
        in_stock="",
        opt="без двоеточия",
    )

    assert response.status_code == 200
    assert sorted(titles(response)) == ["Второй", "Первый"]


def test_a_bad_parameter_does_not_drop_the_good_ones(client, clothes):
    product(clothes, "Из Китая", origin="CN")
    product(clothes, "Из России", origin="RU")

    assert titles(get(client, "/c/clothes/", origin="RU", min_price="abc")) == ["Из России"]


def test_htmx_request_gets_only_the_results_block(client, clothes):
    product(clothes, "Футболка", origin="CN")
    product(clothes, "Куртка", origin="RU")

    response = client.get("/c/clothes/", {"origin": "RU"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="filter-form"' not in html
    assert titles(response) == ["Куртка"]
    assert "HX-Request" in response["Vary"]


def test_htmx_results_carry_the_filters_header_tag_out_of_band(client, clothes):
    product(clothes, "Футболка", origin="CN", options={"Размер": "M"})
    product(clothes, "Куртка", origin="RU")
    params = {"origin": ["RU", "CN"], "opt": "Размер:M", "min_price": "100", "max_price": "5000"}

    filtered = client.get("/c/clothes/", params, headers={"HX-Request": "true"}).content.decode()
    cleared = client.get("/c/clothes/", headers={"HX-Request": "true"}).content.decode()

    tag = filtered[filtered.index('<span id="filters-active"') :].split("</span></span>", 1)[0]
    assert 'hx-swap-oob="true"' in tag
    assert "выбраны: 4" in tag  # two origins, a size, the price range
    assert '<span id="filters-active" class="filters-active" hx-swap-oob="true"></span>' in cleared


def test_full_page_shows_the_filters_header_tag_in_place(client, clothes):
    product(clothes, "Куртка", origin="RU")

    html = client.get("/c/clothes/", {"origin": "RU"}).content.decode()

    summary = html[html.index("<summary>") : html.index("</summary>")]
    assert "выбраны: 1" in summary
    assert "hx-swap-oob" not in html


def test_htmx_history_restore_gets_the_whole_page(client, clothes):
    product(clothes, "Футболка")

    response = client.get("/c/clothes/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert "<html" in response.content.decode()


def test_filter_form_is_driven_by_htmx_and_works_without_it(client, clothes):
    product(clothes, "Футболка")

    html = client.get("/c/clothes/").content.decode()

    form = html[html.index('<form id="filter-form"') : html.index("</form>", html.index('<form id="filter-form"'))]
    assert 'method="get"' in form
    assert 'action="/c/clothes/"' in form
    assert 'hx-get="/c/clothes/"' in form
    assert 'hx-trigger="change, submit"' in form
    assert 'hx-target="#results"' in form
    assert 'hx-push-url="true"' in form
    assert 'type="submit"' in form
    assert "<details" in html  # the filter panel folds away on a phone


def test_card_shows_rouble_price_origin_and_sold_out_state(client, clothes):
    product(clothes, "Кончился", price="1299", stock=0, origin="EU")

    html = client.get("/c/clothes/").content.decode()

    assert "1\u00a0299\u00a0₽" in html
    assert "Склад в ЕС" in html
    assert "нет в наличии" in html


def test_card_shows_the_uploaded_picture_not_a_feed_picture_without_a_file(client, clothes):
    item = product(clothes, "Футболка")
    ProductImage.objects.create(product=item, source_url="https://cdn.example.ru/tee.jpg", position=0)
    ProductImage.objects.create(product=item, image="products/tee.jpg", thumbnail="products/thumbs/tee.jpg", position=1)

    html = client.get("/c/clothes/").content.decode()

    assert 'src="/media/products/thumbs/tee.jpg"' in html


def test_pages_have_no_inline_styles_or_scripts(client, clothes):
    product(clothes, "Футболка", options={"Размер": "M"})

    html = client.get("/c/clothes/").content.decode()

    assert " style=" not in html
    assert "<style" not in html
    assert "<script>" not in html


def _listing_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _stocked_products(category, count, start=0):
    for n in range(start, start + count):
        item = product(category, f"Товар {n}", options={"Размер": "M"}, brand=BrandFactory(name=f"Бренд {n % 5}"))
        SkuFactory(product=item, options={"Размер": "L"})
        ProductImage.objects.create(product=item, image=f"products/{n}.jpg", thumbnail=f"products/thumbs/{n}.jpg")


def test_listing_query_count_does_not_grow_with_the_page_size(client, clothes, django_assert_num_queries):
    _stocked_products(clothes, 2)
    few = _listing_queries(client, "/c/clothes/")
    _stocked_products(clothes, PAGE_SIZE, start=2)
    cache.clear()  # both measured requests render from the database

    with django_assert_num_queries(few):
        response = client.get("/c/clothes/")

    assert len(titles(response)) == PAGE_SIZE


def test_a_cached_listing_is_served_without_database_queries(client, clothes, django_assert_num_queries):
    _stocked_products(clothes, 3)
    client.get("/c/clothes/")

    with django_assert_num_queries(0):
        response = client.get("/c/clothes/")

    assert len(titles(response)) == 3


def test_signed_in_shopper_gets_their_own_header_around_the_cached_listing(client, clothes, django_user_model):
    product(clothes, "Футболка")
    assert 'id="login-link"' in client.get("/c/clothes/").content.decode()
    client.force_login(django_user_model.objects.create_user("+79990000102"))

    html = client.get("/c/clothes/").content.decode()

    assert 'id="login-link"' not in html
    assert titles_of(html) == ["Футболка"]


def test_utm_parameters_get_the_same_products(client, clothes):
    product(clothes, "Футболка")

    assert titles(get(client, "/c/clothes/", utm_source="ads")) == ["Футболка"]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", lambda n: -n),  # popularity, highest first
        ("price", lambda n: n),
        ("-price", lambda n: -n),
        ("new", lambda n: -n),
    ],
)
def test_a_subtree_is_sorted_across_its_categories_page_after_page(client, clothes, sort, order):
    """A parent's listing merges its categories' own orders: one sequence over the pages, whatever the category."""
    shirts = CategoryFactory(name="Футболки", slug="t-shirts", parent=clothes)
    coats = CategoryFactory(name="Куртки", slug="coats", parent=clothes)
    now = timezone.now()
    for n in range(PAGE_SIZE + 6):
        category = (clothes, shirts, coats)[n * 7 % 3]
        product(
            category,
            f"Товар {n:02d}",
            price=str(100 + n * 10),
            popularity=n + 1,
            created_at=now - datetime.timedelta(hours=100 - n),
        )
    ProductFactory(category=shirts, title="Без цены", popularity=0, created_at=now - datetime.timedelta(days=30))
    expected = [f"Товар {n:02d}" for n in sorted(range(PAGE_SIZE + 6), key=order)] + ["Без цены"]

    shown = titles(get(client, "/c/clothes/", sort=sort)) + titles(get(client, "/c/clothes/", sort=sort, page="2"))

    assert shown == expected
