"""The 404 and 500 pages: the store's own layout and style, in the shopper's language, never Django's bare pages."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db
STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.fixture(autouse=True)
def _urls_with_a_failing_view(settings):
    settings.ROOT_URLCONF = "tests.core.urls_logging"  # the store's URLs plus /boom/, a view that raises


def test_an_unknown_address_gets_the_store_s_404_page_with_its_header_and_footer(client):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Такой страницы нет" in html
    assert 'class="error-code">404<' in html
    assert 'role="search"' in html and 'id="cart-count"' in html and 'class="site-footer"' in html
    assert 'href="/"' in html


def test_the_404_page_follows_the_shopper_s_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/no-such-page/").content.decode()

    assert "There is no such page" in html


def test_a_failing_view_gets_the_store_s_500_page_in_its_style():
    response = Client(raise_request_exception=False).get("/boom/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Что-то пошло не так" in html
    assert 'class="error-code">500<' in html
    assert 'class="site-header"' in html and 'href="/"' in html
    assert "Traceback" not in html and "boom" not in html
    stylesheet = html.split('<link rel="stylesheet" href="/static/', 1)[1].split('"', 1)[0]
    assert (STATIC / stylesheet).is_file()  # the page is styled by a file that exists


def test_the_500_page_follows_the_shopper_s_language():
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/boom/").content.decode()

    assert "Something went wrong" in html
    assert '<html lang="en">' in html
