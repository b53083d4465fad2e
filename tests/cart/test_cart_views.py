from decimal import Decimal

import pytest
from django.test import RequestFactory

from storefront.cart.models import Cart, CartLine
from storefront.catalog.models import ProductImage, Sku
from storefront.core.context_processors import store
from tests.catalog.factories import ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _badge(client) -> str:
    html = client.get("/cart/").content.decode()
    start = html.index('id="cart-count">') + len('id="cart-count">')
    return html[start : html.index("<", start)]


def test_add_without_javascript_goes_back_with_a_message(client):
    sku = SkuFactory()

    response = client.post("/cart/add/", {"sku": sku.pk, "quantity": 2}, HTTP_REFERER="/p/some-product/")

    assert (response.status_code, response["Location"]) == (302, "/p/some-product/")
    page = client.get("/cart/").content.decode()
    assert "Товар добавлен в корзину" in page
    assert _badge(client) == "2"


def test_add_by_htmx_into_the_badge_returns_the_count_and_a_toast(client):
    sku = SkuFactory()

    response = client.post("/cart/add/", {"sku": sku.pk, "quantity": 2}, HTTP_HX_TARGET="cart-count", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith("2\n")
    assert 'hx-swap-oob="beforeend:body"' in html
    assert "Товар добавлен в корзину" in html


def test_add_by_htmx_elsewhere_returns_the_message_and_the_badge_out_of_band(client):
    sku = SkuFactory()

    html = client.post("/cart/add/", {"sku": sku.pk, "quantity": 1}, HTTP_HX_TARGET="buy-result", **HTMX)

    assert '<span id="cart-count" class="badge" hx-swap-oob="true">1</span>' in html.content.decode()


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "Укажите количество от 1 до 99."),
        ("-2", "Укажите количество от 1 до 99."),
        ("100", "Укажите количество от 1 до 99."),
        ("99999999999999999999999", "Укажите количество от 1 до 99."),
        ("много", "Укажите количество от 1 до 99."),
        ("6", "На складе осталось только 5 шт."),
    ],
)
def test_bad_quantity_gets_a_clear_message_and_writes_nothing(client, quantity, message):
    sku = SkuFactory(stock=5)

    response = client.post("/cart/add/", {"sku": sku.pk, "quantity": quantity}, HTTP_HX_TARGET="cart-count", **HTMX)

    assert message in response.content.decode()
    assert response.content.decode().startswith("0\n")
    assert not Cart.objects.exists()


@pytest.mark.parametrize("sku", ["999999", "abc", "", "99999999999999999999999", "-1"])
def test_unknown_sku_gets_a_clear_message(client, sku):
    response = client.post("/cart/add/", {"sku": sku, "quantity": 1}, follow=True)

    assert "Такого товара нет в каталоге." in response.content.decode()
    assert not Cart.objects.exists()


def test_header_badge_is_read_from_the_session_without_a_query(client, django_assert_num_queries):
    client.post("/cart/add/", {"sku": SkuFactory().pk, "quantity": 3})
    request = RequestFactory().get("/")
    request.session = client.session
    with django_assert_num_queries(0):
        assert store(request)["cart_count"] == 3


def test_cart_page_lists_lines_with_totals(client):
    a = SkuFactory(price=Decimal("1000.00"), product=ProductFactory(title="Наушники"))
    b = SkuFactory(price=Decimal("250.50"), options={"Цвет": "красный"})
    client.post("/cart/add/", {"sku": a.pk, "quantity": 2})
    client.post("/cart/add/", {"sku": b.pk, "quantity": 1})

    html = client.get("/cart/").content.decode()

    assert "Наушники" in html
    assert "красный" in html
    assert 'id="cart-subtotal">2\xa0250,50\xa0₽<' in html


def test_cart_page_shows_an_uploaded_picture_and_survives_a_feed_picture_without_a_file(client):
    imported, uploaded = SkuFactory(), SkuFactory()
    ProductImage.objects.create(product=imported.product, source_url="https://cdn.example.ru/a.jpg")
    ProductImage.objects.create(product=uploaded.product, source_url="https://cdn.example.ru/b.jpg", position=0)
    ProductImage.objects.create(product=uploaded.product, image="products/b.jpg", thumbnail="products/thumbs/b.jpg")
    for sku in (imported, uploaded):
        client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})

    response = client.get("/cart/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="/media/products/thumbs/b.jpg"' in html and "cdn.example.ru" not in html


def test_cart_page_flags_price_change_and_sold_out_items(client):
    pricey = SkuFactory(price=Decimal("1000.00"))
    gone = SkuFactory(stock=3, product=ProductFactory(title="Кружка"))
    client.post("/cart/add/", {"sku": pricey.pk, "quantity": 1})
    client.post("/cart/add/", {"sku": gone.pk, "quantity": 1})
    Sku.objects.filter(pk=pricey.pk).update(price=Decimal("1100.00"))
    Sku.objects.filter(pk=gone.pk).update(stock=0)

    html = client.get("/cart/").content.decode()

    assert "Цена изменилась: была 1\xa0000\xa0₽, теперь 1\xa0100\xa0₽" in html
    assert "Нет в наличии" in html
    assert 'id="checkout-button" disabled' in html


def test_quantity_change_by_htmx_returns_the_cart_with_new_totals_and_badge(client):
    sku = SkuFactory(price=Decimal("100.00"), stock=10)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    line = CartLine.objects.get()

    html = client.post(f"/cart/line/{line.pk}/", {"quantity": 4}, **HTMX).content.decode()

    assert html.startswith('<div id="cart"')
    assert 'id="cart-subtotal">400\xa0₽<' in html
    assert '<span id="cart-count" class="badge" hx-swap-oob="true">4</span>' in html


def test_quantity_change_above_stock_shows_the_message_at_the_line(client):
    sku = SkuFactory(stock=2)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    line = CartLine.objects.get()

    html = client.post(f"/cart/line/{line.pk}/", {"quantity": 5}, **HTMX).content.decode()

    assert "На складе осталось только 2 шт." in html
    assert CartLine.objects.get().quantity == 1


@pytest.mark.parametrize("quantity", ["0", "-1", "100", "99999999999999999999999", "", "два"])
def test_bad_quantity_change_shows_the_message_at_the_line_and_keeps_the_line(client, quantity):
    client.post("/cart/add/", {"sku": SkuFactory(stock=500).pk, "quantity": 3})
    line = CartLine.objects.get()

    html = client.post(f"/cart/line/{line.pk}/", {"quantity": quantity}, **HTMX).content.decode()

    assert "Укажите количество от 1 до 99." in html
    assert CartLine.objects.get().quantity == 3


def test_remove_without_javascript_redirects_to_the_cart(client):
    client.post("/cart/add/", {"sku": SkuFactory().pk, "quantity": 1})
    line = CartLine.objects.get()

    response = client.post(f"/cart/line/{line.pk}/remove/")

    assert response.status_code == 302
    assert not CartLine.objects.exists()
    assert _badge(client) == "0"


def test_another_shoppers_line_cannot_be_touched(client):
    other = client.__class__()
    other.post("/cart/add/", {"sku": SkuFactory().pk, "quantity": 1})
    client.post("/cart/add/", {"sku": SkuFactory().pk, "quantity": 1})
    their_line = CartLine.objects.order_by("id").first()

    client.post(f"/cart/line/{their_line.pk}/remove/")
    client.post(f"/cart/line/{their_line.pk}/", {"quantity": 3})

    assert CartLine.objects.get(pk=their_line.pk).quantity == 1


def test_continue_with_a_sold_out_item_stays_in_the_cart(client):
    sku = SkuFactory(stock=2)
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 2})
    Sku.objects.filter(pk=sku.pk).update(stock=1)

    response = client.post("/cart/continue/", follow=True)

    assert response.redirect_chain[-1][0] == "/cart/"
    assert "Некоторых товаров нет в нужном количестве" in response.content.decode()


def test_continue_accepts_todays_prices_and_opens_checkout(client):
    sku = SkuFactory(price=Decimal("1000.00"))
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    Sku.objects.filter(pk=sku.pk).update(price=Decimal("800.00"))

    response = client.post("/cart/continue/")

    assert response["Location"] == "/checkout/"
    assert CartLine.objects.get().price_rub_seen == Decimal("800.00")
