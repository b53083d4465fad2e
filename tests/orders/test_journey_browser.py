"""The whole shopper journey in a real browser, as a shopper sees it: search with a word form → product → variant
(htmx) → cart → checkout with a wrong postcode first → pickup point and pay on delivery → the order page.

STORE_SCREENSHOTS=DIR also saves a screenshot of each step for review."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderStatus
from orders.validators import POSTCODE_INVALID
from storefront.core.money import format_money
from tests.catalog.factories import BrandFactory, CategoryFactory, ProductFactory, SkuFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("STORE_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"journey-{name}.png"), full_page=True)


@pytest.fixture
def phone():
    phones = CategoryFactory(name="Смартфоны", slug="phones")
    product = ProductFactory(
        title="Смартфон Xiaomi Redmi Note 13",
        slug="redmi-note-13",
        category=phones,
        brand=BrandFactory(name="Xiaomi", slug="xiaomi"),
        popularity=50,
        description="Большой экран и ёмкий аккумулятор.",
    )
    SkuFactory(product=product, options={"Память": "128 ГБ"}, price=Decimal("18990"), stock=5)
    big = SkuFactory(product=product, options={"Память": "256 ГБ"}, price=Decimal("21490"), stock=2)
    # a product the query must not find
    ProductFactory(title="Электрический чайник Tefal", slug="tefal-kettle", brand=BrandFactory(name="Tefal"))
    return big


def test_shopper_finds_buys_and_sees_the_order(page, live_server, phone):
    # search with a word form: "смартфоны" finds the product titled "Смартфон …"
    page.goto(f"{live_server.url}/")
    box = page.get_by_role("searchbox", name="Поиск")
    box.fill("смартфоны")
    box.press("Enter")
    expect(page.get_by_role("heading", name="Результаты по запросу «смартфоны»")).to_be_visible()
    cards = page.locator(".product-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Смартфон Xiaomi Redmi Note 13")
    _shot(page, "1-search")

    # the product page; pick the other variant without a reload: price and SKU follow
    cards.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Смартфон Xiaomi Redmi Note 13")
    expect(page.locator("#price")).to_have_text(format_money(Decimal("18990")))
    page.locator(".pill", has_text="256 ГБ").click()
    expect(page.locator("#price")).to_have_text(format_money(Decimal("21490")))
    expect(page.locator(".sku-code")).to_contain_text(phone.code)
    assert "/p/redmi-note-13/" in page.url  # htmx swapped the block, the page stayed

    # add to cart: the header's count updates in place
    expect(page.locator("#cart-count")).to_have_text("0")
    page.locator(".btn-buy").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    _shot(page, "2-product")

    # the cart
    page.locator("#cart-link").click()
    line = page.locator(".cart-line")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Смартфон Xiaomi Redmi Note 13")
    expect(line).to_contain_text("256 ГБ")
    expect(page.locator("#cart-subtotal")).to_have_text(format_money(Decimal("21490")))
    _shot(page, "3-cart")
    page.locator("#checkout-button").click()

    # checkout: contact
    page.fill("input[name=contact_phone]", "+7 916 123-45-67")
    page.fill("input[name=recipient_name]", "Анна Смирнова")
    page.locator("#checkout-next").click()

    # address with a wrong postcode: a clear message, the rest of the form kept
    page.fill("input[name=postcode]", "01000")
    page.fill("input[name=city]", "Москва")
    page.fill("input[name=street]", "Мясницкая")
    page.fill("input[name=house]", "12")
    page.fill("input[name=flat]", "7")
    page.locator("#checkout-next").click()
    error = page.locator(".field-postcode .errorlist")
    expect(error).to_have_text(str(POSTCODE_INVALID))
    expect(page.locator("input[name=postcode]")).to_have_value("01000")
    expect(page.locator("input[name=city]")).to_have_value("Москва")
    expect(page.locator("input[name=street]")).to_have_value("Мясницкая")
    expect(page.locator("input[name=house]")).to_have_value("12")
    expect(page.locator("input[name=flat]")).to_have_value("7")
    expect(page.locator("#step-contact .step-summary")).to_contain_text("Анна Смирнова")
    _shot(page, "4-wrong-postcode")

    # fix it
    page.fill("input[name=postcode]", "101000")
    page.locator("#checkout-next").click()
    expect(page.locator("#step-address .step-summary")).to_contain_text("101000, Москва, Мясницкая, 12, кв. 7")

    # delivery to a post office: the nearest one is preselected
    page.locator("input[name=delivery_method][value=post_pickup]").check()
    expect(page.locator("#pickup-results .pickup-choice input").first).to_be_checked()
    _shot(page, "5-delivery")
    page.locator("#checkout-next").click()
    expect(page.locator("#pickup-summary")).to_contain_text("Москва")

    # pay on delivery: no partner involved
    page.get_by_label("При получении — наличными или картой").check()
    page.locator("#checkout-next").click()

    # review and place
    expect(page.locator(".review-line")).to_contain_text("Смартфон Xiaomi Redmi Note 13")
    total = page.locator("#checkout-total").inner_text()
    expect(page.locator("#place-order")).to_contain_text(total)
    _shot(page, "6-review")
    page.locator("#place-order").click()

    # the order page: number, lines, totals as the shopper sees them
    expect(page.locator("#order-placed")).to_contain_text("Спасибо! Заказ оформлен")
    order = Order.objects.get()
    expect(page.locator("#order-placed")).to_contain_text(order.number)
    expect(page.get_by_role("heading", name=f"Заказ {order.number}")).to_be_visible()
    lines = page.locator(".order-lines .line")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("Смартфон Xiaomi Redmi Note 13")
    expect(lines.first).to_contain_text("256 ГБ")
    expect(lines.first).to_contain_text(f"1 × {format_money(Decimal('21490'))}")
    expect(page.locator("#order-total")).to_have_text(total)
    expect(page.locator(".order-side")).to_contain_text("Анна Смирнова")
    expect(page.locator("#cart-count")).to_have_text("0")
    _shot(page, "7-order")

    assert page.url.startswith(f"{live_server.url}/orders/guest/")
    assert order.status == OrderStatus.CONFIRMED  # pay on delivery: confirmed without prepayment
    assert order.postcode == "101000"
    assert order.lines.get().sku_id == phone.pk
    assert format_money(order.total) == total
