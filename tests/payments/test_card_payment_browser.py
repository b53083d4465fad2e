"""A shopper pays by card in a real browser: checkout -> the sandbox's page -> back on the order page, which polls
until the payment settles."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderStatus
from storefront.core.money import format_money
from tests.catalog.factories import ProductFactory, SkuFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kettle():
    return SkuFactory(product=ProductFactory(title="Чайник стеклянный", slug="glass-kettle"), price=Decimal("2490"))


@pytest.fixture
def store(live_server, payment_sandbox, eager_tasks, settings):
    """The store on live_server: return URLs point back at it, the sandbox's webhooks reach it."""
    settings.STORE_BASE_URL = live_server.url
    payment_sandbox.notifier.url = f"{live_server.url}/payments/webhook/"
    return live_server


def test_shopper_pays_by_card_in_the_sandbox_and_sees_the_order_paid(page, store, payment_sandbox, kettle):
    page.goto(f"{store.url}/p/glass-kettle/")
    page.locator(".btn-buy").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    page.goto(f"{store.url}/checkout/")

    page.fill("input[name=contact_phone]", "+7 916 123-45-67")
    page.fill("input[name=recipient_name]", "Анна Смирнова")
    page.locator("#checkout-next").click()
    page.fill("input[name=postcode]", "101000")
    page.fill("input[name=city]", "Москва")
    page.fill("input[name=street]", "Мясницкая")
    page.fill("input[name=house]", "12")
    page.locator("#checkout-next").click()
    page.locator("input[name=delivery_method]").first.check()
    page.locator("#checkout-next").click()
    page.get_by_label("Банковская карта (Мир, Visa, Mastercard)").check()
    page.locator("#checkout-next").click()
    page.locator("#place-order").click()

    page.wait_for_url(f"{payment_sandbox.base_url}/checkout/**")  # the provider's confirmation page
    expect(page.get_by_test_id("amount")).to_have_text(format_money(Order.objects.get().total))
    page.get_by_role("button", name="Оплатить").click()

    expect(page.locator("#order-status")).to_have_text("Оплачен")
    expect(page.locator("#payment-panel")).to_contain_text("Заказ оплачен")
    order = Order.objects.get()
    assert order.status == OrderStatus.PAID
    assert page.url.startswith(f"{store.url}/orders/guest/")
