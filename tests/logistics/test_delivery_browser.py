"""Delivery in a real browser: the product page's promise for a typed postcode, the checkout's pickup search.

STORE_SCREENSHOTS=DIR also saves phone and laptop screenshots of both for review."""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.catalog.factories import FxRateFactory, ProductFactory, SkuFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("STORE_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def headphones():
    FxRateFactory(currency="EUR", date=timezone.localdate() - datetime.timedelta(days=1), rate=Decimal("100"))
    product = ProductFactory(title="Беспроводные наушники с шумоподавлением", slug="anc-headphones", origin="CN")
    SkuFactory(product=product, options={"Цвет": "чёрный"}, price=Decimal("4990"), stock=10)
    return SkuFactory(product=product, options={"Цвет": "белый"}, price=Decimal("32990"), stock=3)


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_product_page_promise_for_a_typed_postcode(request, live_server, headphones, size):
    page = request.getfixturevalue("phone_page" if size == "phone" else "page")
    page.goto(f"{live_server.url}/p/anc-headphones/")
    block = page.locator("#delivery-promise")
    expect(block.locator("#promise-postcode")).to_be_visible()

    block.locator("#promise-postcode").fill("101000")
    block.locator("button[type=submit]").click()

    expect(block.locator("#promise-result")).to_contain_text("7–10 дней")
    expect(block.locator("#duty")).to_contain_text("Без пошлины")
    block.scroll_into_view_if_needed()
    _shot(page, f"product-promise-{size}")

    page.locator(".pill", has_text="белый").click()  # €329.90: the duty follows the variant
    expect(block.locator("#duty")).to_contain_text("Таможенная пошлина около")

    page.reload()  # the postcode is remembered
    expect(block.locator(".promise-where")).to_contain_text("Москва")


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_checkout_delivery_step_finds_a_pickup_point_by_city(request, live_server, headphones, size):
    page = request.getfixturevalue("phone_page" if size == "phone" else "page")
    page.goto(f"{live_server.url}/p/anc-headphones/")
    page.locator(".btn-buy").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    page.goto(f"{live_server.url}/checkout/")
    page.fill("input[name=contact_phone]", "+7 916 123-45-67")
    page.fill("input[name=recipient_name]", "Анна Смирнова")
    page.locator("#checkout-next").click()
    page.fill("input[name=postcode]", "420012")
    page.fill("input[name=city]", "Казань")
    page.fill("input[name=street]", "Баумана")
    page.fill("input[name=house]", "12")
    page.locator("#checkout-next").click()

    expect(page.locator("#checkout-promise")).to_contain_text("дней")
    cost = page.locator("#checkout-delivery-cost")
    expect(cost).to_have_text("выберите способ", use_inner_text=True)
    for method in ("courier", "post_pickup"):  # the summary follows the ticked method, without a request
        radio = page.locator(f"input[name=delivery_method][value={method}]")
        radio.check()
        price = page.locator(f"label[for='{radio.get_attribute('id')}']").inner_text().split(" — ")[-1]
        expect(cost).to_have_text(price, use_inner_text=True)
    page.locator("#pickup-q").fill("Новосиб")
    expect(page.locator("#pickup-results")).to_contain_text("Новосибирск")
    expect(page.locator("#pickup-results .pickup-choice input").first).to_be_checked()  # the nearest, preselected
    page.locator("#pickup-results .pickup-choice", has_text="Новосибирск").first.click()
    _shot(page, f"checkout-pickup-{size}")
    page.locator("#checkout-next").click()

    expect(page.locator("#pickup-summary")).to_contain_text("Новосибирск")


def test_cart_shows_the_promise_for_the_remembered_postcode(page, live_server, headphones):
    page.goto(f"{live_server.url}/p/anc-headphones/")
    page.locator("#promise-postcode").fill("630004")
    page.locator("#delivery-promise button[type=submit]").click()
    expect(page.locator("#promise-result")).to_contain_text("15–20 дней")
    page.locator(".btn-buy").click()
    expect(page.locator("#cart-count")).to_have_text("1")

    page.goto(f"{live_server.url}/cart/")

    expect(page.locator("#cart-delivery")).to_contain_text("Из Китая")
    expect(page.locator("#cart-delivery")).to_contain_text("15–20 дней")
    _shot(page, "cart-delivery-laptop")
