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


def _placeholder_fits(page) -> bool:
    """The placeholder's text is narrower than the box (measured in the box's font, like search.js does)."""
    return page.locator(".search input[name=q]").evaluate(
        """el => { const s = getComputedStyle(el); const c = document.createElement('canvas').getContext('2d');
                   c.font = s.font; return c.measureText(el.placeholder).width
                     <= el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }"""
    )


def test_phone_search_box_placeholder_is_short_enough_to_read(phone_page, live_server, catalog):
    phone_page.goto(f"{live_server.url}/")

    expect(phone_page.locator(".search input[name=q]")).to_have_attribute("placeholder", "Поиск товаров")
    assert _placeholder_fits(phone_page)


def test_laptop_search_box_placeholder_names_brands_and_categories(page, live_server, catalog):
    page.goto(f"{live_server.url}/")

    expect(page.locator(".search input[name=q]")).to_have_attribute("placeholder", "Искать товары, бренды и категории")
    assert _placeholder_fits(page)
