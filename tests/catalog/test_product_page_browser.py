"""The product page in a real browser: the variant picker swaps price and stock, thumbnails switch the picture."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from storefront.catalog.models import ProductImage
from tests.catalog.factories import ProductFactory, SkuFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shirt():
    item = ProductFactory(title="Футболка оверсайз", slug="oversize-tee")
    SkuFactory(product=item, code="TEE-M", options={"Размер": "M"}, price=Decimal("1299"), stock=10)
    large = SkuFactory(product=item, code="TEE-L", options={"Размер": "L"}, price=Decimal("1399"), stock=3)
    for n in range(2):
        ProductImage.objects.create(product=item, image=f"p/tee-{n}.jpg", thumbnail=f"p/thumbs/tee-{n}.jpg", position=n)
    return large


def test_choosing_a_size_swaps_price_and_stock_without_a_reload(page, live_server, shirt):
    page.goto(f"{live_server.url}/p/oversize-tee/")
    page.evaluate("window.notReloaded = true")

    page.locator(".pill", has_text="L").click()

    expect(page.locator("#price")).to_have_text("1\u00a0399\u00a0₽")
    expect(page.locator("#stock")).to_have_text("осталось 3 шт.")
    expect(page.locator('.buy-form input[name="sku"]')).to_have_value(str(shirt.id))
    expect(page).to_have_url(f"{live_server.url}/p/oversize-tee/?sku={shirt.id}")
    assert page.evaluate("window.notReloaded") is True


def test_a_thumbnail_switches_the_main_picture(page, live_server, shirt):
    page.goto(f"{live_server.url}/p/oversize-tee/")

    page.locator("[data-gallery-thumb]").nth(1).click()

    expect(page.locator("#gallery-main")).to_have_attribute("src", "/media/p/tee-1.jpg")
    expect(page).to_have_url(f"{live_server.url}/p/oversize-tee/")
