"""Search in a real browser: suggestions while typing (keyboard only), results, sorting without a reload."""

import pytest
from playwright.sync_api import expect

from . import search_fixtures

catalog = search_fixtures.catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_suggestions_appear_while_typing_and_work_from_the_keyboard(page, live_server, catalog):
    page.goto(f"{live_server.url}/")
    box = page.get_by_role("searchbox", name="Поиск")
    box.press_sequentially("наушн", delay=30)
    first = page.locator("#suggestions a").first
    expect(first).to_contain_text("Наушники")
    box.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{catalog['audio'].get_absolute_url()}")


def test_escape_closes_suggestions(page, live_server, catalog):
    page.goto(f"{live_server.url}/")
    box = page.get_by_role("searchbox", name="Поиск")
    box.press_sequentially("смарт", delay=30)
    expect(page.locator("#suggestions a").first).to_be_visible()
    box.press("Escape")
    expect(page.locator("#suggestions a")).to_have_count(0)
    expect(box).to_be_focused()


def test_search_by_word_form_then_sort_without_reload(page, live_server, catalog):
    page.goto(f"{live_server.url}/")
    box = page.get_by_role("searchbox", name="Поиск")
    box.fill("смартфоны")
    box.press("Enter")
    expect(page.get_by_role("heading", name="Результаты по запросу «смартфоны»")).to_be_visible()
    expect(page.locator(".product-card").first).to_contain_text("Смартфон Apple iPhone 15")
    page.get_by_role("link", name="Новинки").click()
    expect(page).to_have_url(
        f"{live_server.url}/search/?q=%D1%81%D0%BC%D0%B0%D1%80%D1%82%D1%84%D0%BE%D0%BD%D1%8B&sort=new"
    )
    expect(page.locator(".search-sort [aria-current]")).to_have_text("Новинки")
