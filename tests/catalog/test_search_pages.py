"""The search pages: results as cards, sorting links, htmx partials, the helpful page, corrections, the miss log."""

import pytest
from django.test import override_settings
from django.urls import reverse

from storefront.catalog.models import SearchMiss

from . import search_fixtures
from .factories import ProductFactory

pytestmark = pytest.mark.django_db
catalog = search_fixtures.catalog
trgm_installed = search_fixtures.trgm_installed

SEARCH_URL = "/search/"


def test_search_page_shows_found_products_as_cards(client, catalog):
    response = client.get(SEARCH_URL, {"q": "смартфоны"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Смартфон Apple iPhone 15" in html
    assert catalog["iphone"].get_absolute_url() in html
    assert "Электрический чайник" not in html


def test_search_url_is_named():
    assert reverse("catalog:search") == SEARCH_URL


def test_sort_links_keep_the_query(client, catalog):
    html = client.get(SEARCH_URL, {"q": "смартфон"}).content.decode()
    assert "?q=%D1%81%D0%BC%D0%B0%D1%80%D1%82%D1%84%D0%BE%D0%BD&amp;sort=price_asc" in html


def test_bad_sort_and_page_fall_back_to_defaults(client, catalog):
    response = client.get(SEARCH_URL, {"q": "смартфон", "sort": "drop table", "page": "-4"})
    assert response.status_code == 200
    assert "Смартфон Apple iPhone 15" in response.content.decode()


def test_htmx_sort_request_gets_results_partial(client, catalog):
    response = client.get(
        SEARCH_URL,
        {"q": "смартфон", "sort": "price_asc"},
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="search-results"')
    assert "<html" not in html


@pytest.mark.parametrize("raw", ["", "   ", "!!!", "&|!:*()'\"", "---"])
def test_empty_or_punctuation_query_shows_popular_categories(client, catalog, raw):
    response = client.get(SEARCH_URL, {"q": raw})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Популярные категории" in html
    assert "Смартфоны и телефоны" in html
    assert not SearchMiss.objects.exists()


def test_search_without_q_parameter_shows_helpful_page(client, catalog):
    response = client.get(SEARCH_URL)
    assert response.status_code == 200
    assert "Что будем искать?" in response.content.decode()


def test_popular_categories_ordered_by_product_count(client, catalog):
    ProductFactory(title="Наушники Apple AirPods", category=catalog["audio"])
    ProductFactory(title="Наушники Sony", category=catalog["audio"])
    html = client.get(SEARCH_URL, {"q": ""}).content.decode()
    assert html.index("Наушники") < html.index("Смартфоны и телефоны") < html.index("Товары для дома")


def test_stop_words_only_query_shows_helpful_page(client, catalog):
    response = client.get(SEARCH_URL, {"q": "и для"})
    assert response.status_code == 200
    assert "Популярные категории" in response.content.decode()
    assert not SearchMiss.objects.exists()


def test_nonsense_query_shows_friendly_message_and_categories(client, catalog):
    response = client.get(SEARCH_URL, {"q": "щщщжжжщщщ"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ничего не нашлось" in html
    assert "Популярные категории" in html


@pytest.mark.parametrize(
    "raw",
    [
        "смартфон & | ! : * ( ) ' \"",
        "смартфон:*",
        "(смартфон",
        "'смартфон'",
        "смартфон & !",
        '"смартфон',
        "!смартфон",
        "смартфон <-> iphone",
        "\\смартфон\x00",
        "or or or",
        "-смартфон",
    ],
)
def test_special_characters_never_break_search(client, catalog, raw):
    response = client.get(SEARCH_URL, {"q": raw})
    assert response.status_code == 200


def test_very_long_query_page_answers(client, catalog):
    response = client.get(SEARCH_URL, {"q": "смартфон " * 2000})
    assert response.status_code == 200


def test_fruitless_term_is_logged_and_counted(client, catalog):
    client.get(SEARCH_URL, {"q": "Телевизор  OLED"})
    client.get(SEARCH_URL, {"q": "телевизор oled"})  # the second hit comes from the cache
    miss = SearchMiss.objects.get()
    assert miss.term == "телевизор oled"
    assert miss.count == 2


def test_search_that_finds_something_is_not_logged(client, catalog):
    client.get(SEARCH_URL, {"q": "смартфоны"})
    assert not SearchMiss.objects.exists()


def test_corrected_search_is_not_logged_as_miss(client, catalog):
    client.get(SEARCH_URL, {"q": "cvfhnajy"})
    assert not SearchMiss.objects.exists()


def test_wrong_layout_page_says_what_it_shows(client, catalog):
    html = client.get(SEARCH_URL, {"q": "cvfhnajy"}).content.decode()
    assert "Показаны результаты по запросу «смартфон»" in html
    assert "Искать «cvfhnajy»" in html


def test_exact_search_does_not_correct(client, catalog):
    html = client.get(SEARCH_URL, {"q": "cvfhnajy", "exact": "1"}).content.decode()
    assert "ничего не нашлось" in html


def test_typo_page_with_trigram_shows_corrected_results(client, catalog, trgm_installed):
    html = client.get(SEARCH_URL, {"q": "смартфом"}).content.decode()
    assert "Показаны результаты по запросу «смартфон»" in html
    assert "Смартфон Apple iPhone 15" in html


@override_settings(STORE_SEARCH_TRGM=False)
def test_typo_page_without_trigram_shows_corrected_results(client, catalog):
    html = client.get(SEARCH_URL, {"q": "смартфом"}).content.decode()
    assert "Показаны результаты по запросу «смартфон»" in html
    assert "Смартфон Apple iPhone 15" in html


def test_few_results_show_did_you_mean(client, catalog):
    ProductFactory(title="Подставка для телефона", description="Подходит к любому смартфому.")  # a typo in the text
    response = client.get(SEARCH_URL, {"q": "смартфом"})
    html = response.content.decode()
    assert "Возможно, вы искали" in html
    assert "Подставка для телефона" in html


def test_search_page_varies_on_htmx_header(client, catalog):
    response = client.get(SEARCH_URL, {"q": "смартфон"})
    assert "HX-Request" in response["Vary"]


def test_nothing_found_page_has_one_heading_saying_so(client, catalog):
    html = client.get(SEARCH_URL, {"q": "щщщжжжщщщ"}).content.decode()
    assert html.count("ничего не нашлось") == 1
    assert "Результаты по запросу" not in html


def test_visitor_without_session_gets_shared_page_with_own_csrf_token(catalog):
    from django.test import Client

    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    html_one = first.get(SEARCH_URL, {"q": "смартфон"}).content.decode()
    html_two = second.get(SEARCH_URL, {"q": "смартфон"}).content.decode()  # from the cache
    assert "csrf-hole" not in html_two
    assert "Смартфон Apple iPhone 15" in html_two
    token = html_two.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token != html_one.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


def test_logged_in_shopper_sees_own_header_on_cached_results(client, catalog):
    from storefront.accounts.models import User

    client.get(SEARCH_URL, {"q": "смартфон"})  # an anonymous visit fills the cache first
    client.force_login(User.objects.create_user(phone="+79160000002"))
    html = client.get(SEARCH_URL, {"q": "смартфон"}).content.decode()
    assert "Выйти" in html
    assert "Смартфон Apple iPhone 15" in html


def test_header_box_keeps_the_query_as_typed_on_shared_pages(client, catalog):
    client.get(SEARCH_URL, {"q": "Смартфон"})
    html = client.get(SEARCH_URL, {"q": "смартфон"}).content.decode()
    assert 'value="смартфон"' in html


def test_a_cached_results_page_shows_a_new_price_and_a_sell_out_at_once(catalog, django_capture_on_commit_callbacks):
    """Visitors without a session share whole result pages: a price or stock change must not wait for the timeout."""
    from decimal import Decimal

    from django.test import Client

    from storefront.catalog.services import sku_price_set, sku_stock_set

    from .factories import SkuFactory

    sku = SkuFactory(product=catalog["iphone"], price=Decimal("89990"), currency="RUB", stock=3)
    before = Client().get(SEARCH_URL, {"q": "смартфон"}).content.decode()
    assert "89\u00a0990\u00a0₽" in before

    with django_capture_on_commit_callbacks(execute=True):
        sku_price_set(sku=sku, price=Decimal("79990"), currency="RUB", actor="system")
    after_price = Client().get(SEARCH_URL, {"q": "смартфон"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sku_stock_set(sku=sku, stock=0, actor="system")
    after_stock = Client().get(SEARCH_URL, {"q": "смартфон"}).content.decode()

    def iphone_card(html: str) -> str:
        return html.split("Смартфон Apple iPhone 15", 1)[1].split("</article>", 1)[0]

    assert "79\u00a0990\u00a0₽" in iphone_card(after_price)
    assert "89\u00a0990\u00a0₽" not in after_price
    assert "нет в наличии" not in iphone_card(after_price)
    assert "нет в наличии" in iphone_card(after_stock)


def test_search_box_carries_a_short_placeholder_and_the_long_one_for_wide_screens(client, settings):
    html = client.get("/").content.decode()
    box = html[html.index('<input type="search" name="q"') :].split(">", 1)[0]
    assert 'placeholder="Поиск товаров"' in box
    assert 'data-placeholder-wide="Искать товары, бренды и категории"' in box

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    box = html[html.index('<input type="search" name="q"') :].split(">", 1)[0]
    assert 'placeholder="Search products"' in box
    assert 'data-placeholder-wide="Search for products, brands and categories"' in box
