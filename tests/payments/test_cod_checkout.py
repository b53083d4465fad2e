"""Pay on delivery at checkout: placed orders are confirmed at once; where the rules say no, the option is shown
disabled with the reason and refused if posted anyway."""

import re
from decimal import Decimal

import pytest

from orders.models import Order, OrderStatus
from payments.cod import cod_exclusion_add
from payments.models import CodCustomerFlag, PaymentStatus
from tests.catalog.factories import ProductFactory, SkuFactory
from tests.orders.factories import place_order

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PHONE = "+79161234567"
STEPS = [
    {"step": "contact", "contact_phone": "8 916 123-45-67", "recipient_name": "Анна Смирнова"},
    {"step": "address", "postcode": "101000", "city": "Москва", "street": "Мясницкая", "house": "12"},
    {"step": "delivery", "delivery_method": "courier"},
]
COD = {"step": "payment", "payment_method": "cod"}


@pytest.fixture
def sku():
    return SkuFactory(price=Decimal("1000.00"), stock=5, product=ProductFactory(title="Чайник"))


def _fill(client, sku):
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    for step in STEPS:
        assert client.post("/checkout/", step).status_code == 302


def _key(html: str) -> str:
    marker = 'name="idempotency_key" value="'
    start = html.index(marker) + len(marker)
    return html[start : start + 32]


def test_a_cod_checkout_places_a_confirmed_order_awaiting_collection(client, sku):
    _fill(client, sku)
    assert client.post("/checkout/", COD).status_code == 302
    key = _key(client.get("/checkout/").content.decode())

    response = client.post("/checkout/", {"step": "place", "idempotency_key": key})

    order = Order.objects.get()
    assert response.status_code == 302
    assert "placed=1" in response["Location"]
    assert order.status == OrderStatus.CONFIRMED
    assert order.payments.get().status == PaymentStatus.AWAITING_COLLECTION


def test_after_a_refused_parcel_the_payment_step_shows_cod_disabled_with_the_reason(client, sku):
    CodCustomerFlag.objects.create(phone=PHONE, order=place_order(contact_phone=PHONE), reason="не выкуплен")
    _fill(client, sku)

    html = client.get("/checkout/?step=payment").content.decode()

    assert re.search(r'<input type="radio" name="payment_method" value="cod"[^>]* disabled>', html)
    assert "прошлый заказ с оплатой при получении не был выкуплен" in html


def test_cod_posted_for_an_excluded_product_is_refused_with_the_reason(client, sku):
    cod_exclusion_add(product_ids=[sku.product_id], reason="распродажа", actor="system")
    _fill(client, sku)

    response = client.post("/checkout/", COD, **HTMX)

    html = response.content.decode()
    assert "Товар «Чайник» можно оплатить только онлайн." in html
    assert 'name="step" value="payment"' in html


def test_cod_chosen_before_a_refusal_flag_is_refused_at_placement(client, sku):
    _fill(client, sku)
    client.post("/checkout/", COD)
    key = _key(client.get("/checkout/").content.decode())
    CodCustomerFlag.objects.create(phone=PHONE, order=place_order(contact_phone=PHONE), reason="не выкуплен")

    response = client.post("/checkout/", {"step": "place", "idempotency_key": key}, **HTMX)

    assert Order.objects.count() == 1  # only the flagged one from before
    assert "не был выкуплен" in response.content.decode()
