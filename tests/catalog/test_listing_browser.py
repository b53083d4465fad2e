"""The category listing in a real browser: htmx filters without a reload, the layout on a phone and a laptop."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.catalog.factories import CategoryFactory, ProductFactory, SkuFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clothes():
    category = CategoryFactory(name="Одежда", slug="clothes")
    for n, origin in enumerate(["CN", "EU", "RU", "CN", "RU"]):
        item = ProductFactory(category=category, title=f"Футболка {origin} {n}", origin=origin, popularity=n)
        SkuFactory(product=item, options={"Размер": "M"}, price=Decimal(1000 + n))
    return category


def grid_columns(page) -> int:
    return page.locator(".product-grid").evaluate("el => getComputedStyle(el).gridTemplateColumns.split(' ').length")


def test_a_filter_applies_without_a_reload_and_stays_in_the_url(page, live_server, clothes):
    page.goto(f"{live_server.url}/c/clothes/")
    page.evaluate("window.notReloaded = true")

    page.get_by_label("из России 1–3 дня").check()

    expect(page).to_have_url(f"{live_server.url}/c/clothes/?origin=RU")
    expect(page.locator(".product-card")).to_have_count(2)
    assert page.evaluate("window.notReloaded") is True


def test_sorting_applies_without_a_reload(page, live_server, clothes):
    page.goto(f"{live_server.url}/c/clothes/")

    page.get_by_label("Сортировка").select_option("price")

    expect(page).to_have_url(f"{live_server.url}/c/clothes/?sort=price")
    expect(page.locator(".product-card-title").first).to_have_text("Футболка CN 0")


def test_laptop_shows_filters_beside_four_columns(page, live_server, clothes):
    page.goto(f"{live_server.url}/c/clothes/")

    expect(page.locator("#filters")).to_have_attribute("open", "")
    assert grid_columns(page) == 4


def test_phone_folds_the_filters_and_shows_two_columns(phone_page, live_server, clothes):
    phone_page.goto(f"{live_server.url}/c/clothes/")

    expect(phone_page.get_by_label("из России 1–3 дня")).to_be_hidden()
    assert grid_columns(phone_page) == 2
    phone_page.get_by_text("Фильтры").click()
    expect(phone_page.get_by_label("из России 1–3 дня")).to_be_visible()


def test_phone_filter_tag_follows_htmx_updates_and_showing_folds_the_panel(phone_page, live_server, clothes):
    phone_page.goto(f"{live_server.url}/c/clothes/")
    header = phone_page.locator("#filters > summary")
    expect(header.locator(".tag-on")).to_have_count(0)
    header.click()

    phone_page.get_by_label("из России 1–3 дня").check()
    expect(phone_page.locator(".product-card")).to_have_count(2)
    expect(header.locator(".tag-on")).to_have_text("выбраны: 1")  # the header is outside #results: sent out of band
    phone_page.get_by_label("из Китая 7–20 дней").check()
    expect(header.locator(".tag-on")).to_have_text("выбраны: 2")

    phone_page.get_by_role("button", name="Показать").click()

    expect(phone_page.locator("#filters")).not_to_have_attribute("open", "")
    expect(phone_page.locator(".product-card")).to_have_count(4)
    expect(phone_page.locator(".product-card").first).to_be_in_viewport()
    phone_page.get_by_label("из Китая 7–20 дней").evaluate("el => el.closest('details').open = true")
    phone_page.get_by_label("из Китая 7–20 дней").uncheck()
    phone_page.get_by_label("из России 1–3 дня").uncheck()
    expect(header.locator(".tag-on")).to_have_count(0)
