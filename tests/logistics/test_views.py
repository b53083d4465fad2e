import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from logistics.postcode import COOKIE
from tests.catalog.factories import FxRateFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def eur():
    FxRateFactory(currency="EUR", date=timezone.localdate() - datetime.timedelta(days=1), rate=Decimal("100"))


@pytest.fixture
def china_sku():
    product = ProductFactory(title="Наушники", slug="naushniki", origin="CN", weight_grams=300)
    return SkuFactory(product=product, price=Decimal("5000.00"), stock=5)


def test_product_page_loads_the_promise_block_from_logistics(client, china_sku):
    html = client.get("/p/naushniki/").content.decode()
    assert f'hx-get="/delivery/promise/?product={china_sku.product_id}"' in html
    assert 'hx-include="#variant-block [name=sku]"' in html


def test_promise_block_without_a_postcode_asks_for_one(client, china_sku):
    html = client.get(f"/delivery/promise/?product={china_sku.product_id}", **HTMX).content.decode()
    assert "Укажите индекс, чтобы узнать срок доставки" in html
    assert "7–10 дней до центральной России" in html


def test_promise_block_for_the_remembered_postcode(client, china_sku):
    client.cookies[COOKIE] = "101000"
    html = client.get(f"/delivery/promise/?product={china_sku.product_id}", **HTMX).content.decode()
    assert "7–10 дней" in html and "Москва" in html and 'id="promise-result"' in html


def test_posting_a_postcode_remembers_it_and_answers_with_the_new_promise(client, china_sku):
    response = client.post("/delivery/postcode/", {"postcode": "630 004", "product": china_sku.product_id}, **HTMX)
    html = response.content.decode()
    assert "15–20 дней" in html and "Новосибирская область" in html
    assert response.cookies[COOKIE].value == "630004"
    again = client.get(f"/delivery/promise/?product={china_sku.product_id}", **HTMX).content.decode()
    assert "15–20 дней" in again


def test_a_bad_postcode_gets_a_clear_message_and_is_not_remembered(client, china_sku):
    response = client.post("/delivery/postcode/", {"postcode": "01234", "product": china_sku.product_id}, **HTMX)
    assert "Индекс — 6 цифр и не начинается с 0, например 101000." in response.content.decode()
    assert COOKIE not in response.cookies


def test_without_javascript_the_postcode_form_redirects_back(client, china_sku):
    response = client.post("/delivery/postcode/", {"postcode": "101000", "next": "/p/naushniki/"})
    assert response["Location"] == "/p/naushniki/"
    response = client.post("/delivery/postcode/", {"postcode": "101000", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_promise_page_without_javascript_is_a_whole_page(client, china_sku):
    html = client.get(f"/delivery/promise/?product={china_sku.product_id}").content.decode()
    assert "<html" in html and 'id="delivery-promise"' in html


def test_duty_free_goods_say_so(client, china_sku, eur):
    html = client.get(f"/delivery/promise/?product={china_sku.product_id}", **HTMX).content.decode()
    assert "Без пошлины: до 200 € и 31 кг в посылке." in html


def test_duty_is_shown_in_roubles_for_the_chosen_variant(client, china_sku, eur):
    dear = SkuFactory(product=china_sku.product, price=Decimal("30000.00"), stock=1)  # €300
    html = client.get(f"/delivery/promise/?product={china_sku.product_id}&sku={dear.pk}", **HTMX).content.decode()
    assert 'class="duty duty-due"' in html
    assert "1\u00a0500\u00a0₽" in html  # 5 % of €300 (regime in force from 1 July 2026) at 100 ₽


def test_russian_stock_shows_the_next_cutoff(client):
    product = ProductFactory(slug="chainik", origin="RU")
    SkuFactory(product=product)
    client.cookies[COOKIE] = "101000"
    html = client.get(f"/delivery/promise/?product={product.pk}", **HTMX).content.decode()
    assert "со склада в России" in html
    assert "пошлин" not in html


def test_unknown_product_is_404(client):
    assert client.get("/delivery/promise/?product=999999", **HTMX).status_code == 404
    assert client.get("/delivery/promise/?product=abc", **HTMX).status_code == 404


def test_pickup_search_partial_lists_points_and_keeps_the_choice_first(client):
    html = client.get("/delivery/pickup-points/", {"q": "Казань"}).content.decode()
    assert html.count('name="pickup_point"') >= 5 and "Казань" in html
    from logistics.models import PickupPoint

    chosen = PickupPoint.objects.get(postcode="101000")
    html = client.get("/delivery/pickup-points/", {"q": "Казань", "pickup_point": chosen.pk}).content.decode()
    assert html.index("101000") < html.index("Казань")
    assert f'value="{chosen.pk}" checked' in html


def test_pickup_search_with_no_match_says_so(client):
    html = client.get("/delivery/pickup-points/", {"q": "Атлантида"}).content.decode()
    assert "отделений не нашлось" in html


def test_cart_shows_delivery_promise_and_duty_for_the_remembered_postcode(client, china_sku, eur):
    client.post("/cart/add/", {"sku": china_sku.pk, "quantity": 1})
    client.cookies[COOKIE] = "101000"
    html = client.get("/delivery/cart/").content.decode()
    assert "Из Китая" in html and "7–10 дней" in html
    assert "Без таможенной пошлины." in html
