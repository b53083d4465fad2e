"""As-you-type suggestions (htmx partial) and the admin list of fruitless searches."""

import pytest
from django.urls import reverse

from storefront.accounts.models import User
from storefront.catalog.models import SearchMiss
from storefront.catalog.search import search_suggest
from storefront.catalog.search_services import search_miss_record

from . import search_fixtures
from .factories import ProductFactory

pytestmark = pytest.mark.django_db
catalog = search_fixtures.catalog

SUGGEST_URL = "/search/suggest/"


def labels(suggestions, kind=None):
    return [s.label for s in suggestions if kind is None or s.kind == kind]


def test_suggest_url_is_named():
    assert reverse("catalog:suggest") == SUGGEST_URL


def test_titles_suggested_by_prefix(catalog):
    found = search_suggest("смарт")
    assert labels(found, "product") == ["Смартфон Apple iPhone 15", "Смартфон Xiaomi Redmi Note 13"]


def test_title_suggestions_link_to_product_pages(catalog):
    product = next(s for s in search_suggest("электр") if s.kind == "product")
    assert product.url == catalog["kettle"].get_absolute_url()


def test_brands_suggested_by_prefix(catalog):
    found = search_suggest("xia")
    assert labels(found, "brand") == ["Xiaomi"]
    assert found[0].url == "/search/?q=Xiaomi"


def test_categories_suggested_by_prefix(catalog):
    found = search_suggest("наушн")
    assert labels(found, "category") == ["Наушники"]
    assert found[0].url == catalog["audio"].get_absolute_url()


def test_category_suggested_by_a_later_word_of_its_name(catalog):
    assert "Смартфоны и телефоны" in labels(search_suggest("телеф"), "category")


def test_titles_suggested_by_a_word_inside_the_title(catalog):
    assert labels(search_suggest("redm"), "product") == ["Смартфон Xiaomi Redmi Note 13"]


def test_suggestions_are_case_insensitive(catalog):
    assert labels(search_suggest("СМАРТ"), "product") == labels(search_suggest("смарт"), "product")


def test_suggestions_capped_at_eight():
    for n in range(12):
        ProductFactory(title=f"Плед флисовый {n}")
    assert len(search_suggest("плед")) == 8


def test_one_letter_gets_no_suggestions(catalog):
    assert search_suggest("с") == []


def test_like_wildcards_in_prefix_match_literally(catalog):
    assert search_suggest("%%") == []
    assert search_suggest("__") == []


def test_suggest_endpoint_returns_htmx_partial(client, catalog):
    response = client.get(SUGGEST_URL, {"q": "смарт"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<ul class="suggest-list"')
    assert "<html" not in html
    assert catalog["iphone"].get_absolute_url() in html
    assert "Все результаты по запросу «смарт»" in html


def test_suggest_endpoint_empty_prefix_returns_nothing(client, catalog):
    response = client.get(SUGGEST_URL, {"q": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content == b""


def test_suggest_endpoint_special_characters_are_safe(client, catalog):
    response = client.get(SUGGEST_URL, {"q": "смарт & | ! : * ( ) ' \" \\"})
    assert response.status_code == 200


def test_header_search_box_asks_for_suggestions(client):
    html = client.get("/").content.decode()
    assert 'hx-get="/search/suggest/"' in html
    assert 'hx-target="#suggestions"' in html
    # debounced: a request once typing pauses, and a newer one replaces a request still in flight
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'hx-sync="this:replace"' in html


# --- the admin list of fruitless searches ----------------------------------------------------------------------


def test_miss_upsert_counts_one_row_per_normalised_term():
    search_miss_record(term="Ёлка")
    search_miss_record(term="елка")
    miss = SearchMiss.objects.get()
    assert (miss.term, miss.count) == ("елка", 2)
    assert miss.last_seen >= miss.first_seen


def test_admin_lists_misses_sorted_by_count(client):
    search_miss_record(term="редкий запрос")
    for _ in range(3):
        search_miss_record(term="частый запрос")
    client.force_login(User.objects.create_superuser(phone="+79160000001"))
    response = client.get("/admin/catalog/searchmiss/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("частый запрос") < html.index("редкий запрос")


def test_admin_list_sorts_by_last_seen(client):
    search_miss_record(term="вчерашний")
    client.force_login(User.objects.create_superuser(phone="+79160000001"))
    response = client.get("/admin/catalog/searchmiss/", {"o": "-3"})
    assert response.status_code == 200
    assert "вчерашний" in response.content.decode()


def test_description_words_are_not_suggested(catalog):
    assert search_suggest("аккумул") == []  # only in the Redmi's description
