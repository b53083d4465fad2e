"""Shoppers read the store in Russian by default and in English after the footer's language switch (set_language)."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db

SITE_NAME = "Мост"  # the store's name is a brand, the same in both languages
CYRILLIC = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё\w\s,.:;«»—–-]*")
NON_TEXT = re.compile(r"<script.*?</script>|<style.*?</style>", re.S)

# One phrase of the interface per page, as a shopper reads it in each language.
RUSSIAN = {
    "home": "Популярные товары",
    "listing": "Только в наличии",
    "product": "В корзину",
    "cart": "Перейти к оформлению",
    "checkout": "Оформление заказа",
}
ENGLISH = {
    "home": "Popular products",
    "listing": "In stock only",
    "product": "Add to cart",
    "cart": "Proceed to checkout",
    "checkout": "Checkout",
}


@pytest.fixture
def kettle():
    """A product named in Latin letters: an English page then has no Russian unless the interface left some."""
    category = CategoryFactory(name="Kitchen", slug="kitchen")
    product = ProductFactory(title="Kettle K1", slug="kettle-k1", category=category, brand=BrandFactory(name="Acme"))
    return SkuFactory(product=product, price=Decimal("1000.00"), stock=5, code="KETTLE-1")


def shop(client, sku) -> dict[str, str]:
    """Home, listing and product pages, then the cart and the checkout with the product in the cart."""
    html = {
        "home": client.get("/").content.decode(),
        "listing": client.get("/c/kitchen/").content.decode(),
        "product": client.get("/p/kettle-k1/").content.decode(),
    }
    assert client.post("/cart/add/", {"sku": sku.pk, "quantity": 1}).status_code == 302
    html["cart"] = client.get("/cart/").content.decode()
    html["checkout"] = client.get("/checkout/").content.decode()
    return html


def russian_text(html: str) -> set[str]:
    return {m.group().strip() for m in CYRILLIC.finditer(NON_TEXT.sub("", html))} - {SITE_NAME}


def switch_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cart/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_pages_are_in_russian_by_default(client, kettle):
    for page, html in shop(client, kettle).items():
        assert '<html lang="ru">' in html, page
        assert RUSSIAN[page] in html, page


def test_shopper_who_switches_to_english_sees_every_page_in_english(client, kettle):
    switch_to_english(client)

    for page, html in shop(client, kettle).items():
        assert '<html lang="en">' in html, page
        assert ENGLISH[page] in html, page
        assert russian_text(html) == set(), page


def test_the_language_switch_is_in_the_footer_of_every_page(client, kettle):
    for page, html in shop(client, kettle).items():
        footer = html[html.index('<footer class="site-footer">') :]
        assert 'action="/i18n/setlang/"' in footer, page
        assert 'name="language" value="en"' in footer and 'name="language" value="ru"' in footer, page


def test_the_language_cookie_alone_gives_english(client, kettle):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/p/kettle-k1/").content.decode()

    assert ENGLISH["product"] in html
    assert russian_text(html) == set()


def test_switching_back_gives_russian_again(client, kettle):
    switch_to_english(client)
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})

    html = client.get("/").content.decode()

    assert RUSSIAN["home"] in html
    assert ENGLISH["home"] not in html


def test_a_page_cached_for_an_english_visitor_is_not_shown_to_a_russian_one(kettle):
    """Visitors without a session share whole cached pages: one copy per language."""
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    russian = Client()
    paths = {"home": "/", "listing": "/c/kitchen/", "product": "/p/kettle-k1/"}

    for page, path in paths.items():
        assert ENGLISH[page] in english.get(path).content.decode(), page
        html = russian.get(path).content.decode()
        assert RUSSIAN[page] in html, page
        assert ENGLISH[page] not in html, page
