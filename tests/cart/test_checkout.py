from decimal import Decimal

import pytest

from orders.models import Order, OrderLine
from storefront.cart.models import CartLine
from storefront.cart.session import SESSION_CART_COUNT
from storefront.catalog.models import Sku
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProductFactory, SkuFactory
from tests.orders.factories import place_order

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CONTACT = {"step": "contact", "contact_phone": "8 916 123-45-67", "recipient_name": "Анна Смирнова"}
ADDRESS = {"step": "address", "postcode": "101000", "city": "Москва", "street": "Мясницкая", "house": "12", "flat": "5"}
DELIVERY = {"step": "delivery", "delivery_method": "courier"}
PAYMENT = {"step": "payment", "payment_method": "cod"}


def _key(html: str) -> str:
    marker = 'name="idempotency_key" value="'
    start = html.index(marker) + len(marker)
    return html[start : start + 32]


def _to_review(client) -> str:
    """Fill every step; returns the review page's one-time key."""
    for step in (CONTACT, ADDRESS, DELIVERY, PAYMENT):
        assert client.post("/checkout/", step).status_code == 302
    return _key(client.get("/checkout/").content.decode())


@pytest.fixture
def sku():
    return SkuFactory(price=Decimal("1000.00"), stock=5, product=ProductFactory(title="Чайник"))


@pytest.fixture
def in_cart(client, sku):
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 2})
    return sku


def test_checkout_with_an_empty_cart_sends_back_to_the_cart(client):
    response = client.get("/checkout/")

    assert response["Location"] == "/cart/"


def test_steps_come_in_order_and_the_review_shows_the_total(client, in_cart, settings):
    settings.STORE_DELIVERY_COSTS_RUB = {"post_pickup": "299.00", "courier": "499.00"}
    html = client.get("/checkout/").content.decode()
    assert 'name="step" value="contact"' in html
    assert 'id="checkout-form"' in html

    _to_review(client)
    html = client.get("/checkout/").content.decode()

    assert 'id="place-order"' in html
    assert 'id="checkout-total">2\xa0499\xa0₽<' in html
    assert "Курьером до двери" in html


def test_a_later_step_cannot_be_opened_before_the_earlier_ones(client, in_cart):
    html = client.get("/checkout/?step=payment").content.decode()

    assert 'name="step" value="contact"' in html


@pytest.mark.parametrize("postcode", ["012345", "12345", "1234567", "10100A"])
def test_bad_postcode_gets_a_clear_message_and_nothing_is_written(client, in_cart, postcode):
    client.post("/checkout/", CONTACT)

    response = client.post("/checkout/", {**ADDRESS, "postcode": postcode}, **HTMX)

    html = response.content.decode()
    assert "Индекс — 6 цифр и не начинается с 0, например 101000." in html
    assert 'name="step" value="address"' in html
    assert not Order.objects.exists()


def test_postcode_with_a_space_is_accepted(client, in_cart):
    client.post("/checkout/", CONTACT)

    assert client.post("/checkout/", {**ADDRESS, "postcode": "101 000"}).status_code == 302


def test_bad_phone_gets_a_clear_message(client, in_cart):
    html = client.post("/checkout/", {**CONTACT, "contact_phone": "12345"}).content.decode()

    assert "Введите номер телефона полностью" in html
    assert not Order.objects.exists()


def test_missing_address_fields_are_named(client, in_cart):
    client.post("/checkout/", CONTACT)

    html = client.post("/checkout/", {"step": "address", "postcode": "101000"}).content.decode()

    assert "Укажите город или населённый пункт." in html
    assert "Укажите улицу." in html
    assert "Укажите номер дома." in html


def test_htmx_step_answers_with_the_checkout_partial(client, in_cart):
    response = client.post("/checkout/", CONTACT, **HTMX)

    html = response.content.decode()
    assert html.startswith('<div id="checkout"')
    assert 'name="step" value="address"' in html


def test_guest_places_an_order_and_lands_on_the_signed_link(client, in_cart):
    key = _to_review(client)

    response = client.post("/checkout/", {"step": "place", "idempotency_key": key})

    order = Order.objects.get()
    assert response["Location"].startswith("/orders/guest/")
    assert (order.user, order.is_guest, order.contact_phone, order.total) == (None, True, "+79161234567", Decimal(2499))
    page = client.get(response["Location"]).content.decode()
    assert "Спасибо! Заказ оформлен" in page and order.number in page
    assert not CartLine.objects.exists()
    assert client.session[SESSION_CART_COUNT] == 0
    in_cart.refresh_from_db()
    assert in_cart.stock == 3


def test_htmx_placement_redirects_the_browser(client, in_cart):
    key = _to_review(client)

    response = client.post("/checkout/", {"step": "place", "idempotency_key": key}, **HTMX)

    assert response["HX-Redirect"].startswith("/orders/guest/")


def test_tampered_price_and_quantity_in_the_form_change_nothing(client, in_cart):
    key = _to_review(client)

    client.post(
        "/checkout/",
        {
            "step": "place",
            "idempotency_key": key,
            "price": "1.00",
            "unit_price_rub": "1.00",
            "quantity": "50",
            "total": "1.00",
            "subtotal": "1.00",
            "delivery_cost": "0",
            "sku": str(SkuFactory(price=Decimal("1.00")).pk),
        },
    )

    order = Order.objects.get()
    line = OrderLine.objects.get(order=order)
    assert (line.sku_id, line.quantity, line.unit_price_rub) == (in_cart.pk, 2, Decimal("1000.00"))
    assert (order.subtotal, order.delivery_cost) == (Decimal("2000.00"), Decimal("499.00"))


def _both_lead_to_the_one_order(*responses) -> None:
    """Each response redirects to the one order's guest link (signed with a timestamp: signatures may differ)."""
    number = Order.objects.get().number
    for response in responses:
        assert response["Location"].startswith(f"/orders/guest/{number}:")


def test_same_form_submitted_twice_places_one_order(client, in_cart):
    key = _to_review(client)

    first = client.post("/checkout/", {"step": "place", "idempotency_key": key})
    second = client.post("/checkout/", {"step": "place", "idempotency_key": key})

    assert Order.objects.count() == 1
    _both_lead_to_the_one_order(first, second)


def test_a_second_submit_with_the_session_as_it_was_before_the_first_finds_that_order(client, in_cart):
    """Two submits of one form in flight: the second one read the session before the first one saved it."""
    key = _to_review(client)
    before = dict(client.session.items())

    first = client.post("/checkout/", {"step": "place", "idempotency_key": key})
    session = client.session
    session.clear()
    session.update(before)  # the draft without the placed key: what the second request loaded
    session.save()
    second = client.post("/checkout/", {"step": "place", "idempotency_key": key})

    assert Order.objects.count() == 1
    _both_lead_to_the_one_order(first, second)


def test_a_key_this_session_was_never_given_places_nothing(client, in_cart):
    _to_review(client)

    html = client.post("/checkout/", {"step": "place", "idempotency_key": "f" * 32}).content.decode()

    assert "Страница устарела" in html
    assert not Order.objects.exists()


def test_someone_elses_key_does_not_open_their_order(client, in_cart):
    theirs = place_order(key="a" * 32)
    _to_review(client)

    response = client.post("/checkout/", {"step": "place", "idempotency_key": "a" * 32})

    assert theirs.number not in response.content.decode()
    assert Order.objects.count() == 1


def test_item_sold_out_before_placing_is_named_and_nothing_written(client, in_cart):
    key = _to_review(client)
    Sku.objects.filter(pk=in_cart.pk).update(stock=1)

    html = client.post("/checkout/", {"step": "place", "idempotency_key": key}).content.decode()

    assert "Не хватает товара на складе: «Чайник»" in html
    assert not Order.objects.exists()
    assert CartLine.objects.get().quantity == 2


def test_price_change_before_placing_asks_to_confirm_again(client, in_cart):
    key = _to_review(client)
    Sku.objects.filter(pk=in_cart.pk).update(price=Decimal("1500.00"))

    html = client.post("/checkout/", {"step": "place", "idempotency_key": key}).content.decode()

    assert "Цены изменились. Проверьте сумму и подтвердите заказ ещё раз." in html
    assert not Order.objects.exists()
    client.post("/checkout/", {"step": "place", "idempotency_key": _key(html)})
    assert Order.objects.get().subtotal == Decimal("3000.00")


def test_price_change_while_the_order_is_being_placed_asks_to_confirm_again(client, in_cart, monkeypatch):
    """The price moves after the place request has read the cart (the shopper's confirmed prices) and before the
    placing statement locks the goods: the shopper is shown the new total, nothing is charged at either price."""
    from storefront.cart import checkout

    read = checkout.cart_view_for_request

    def read_then_price_moves(request):
        view = read(request)
        Sku.objects.filter(pk=in_cart.pk).update(price=Decimal("1200.00"))
        return view

    key = _to_review(client)
    monkeypatch.setattr(checkout, "cart_view_for_request", read_then_price_moves)

    html = client.post("/checkout/", {"step": "place", "idempotency_key": key}).content.decode()

    assert "Цены изменились. Проверьте сумму и подтвердите заказ ещё раз." in html
    assert not Order.objects.exists()
    assert Sku.objects.get(pk=in_cart.pk).stock == 5
    monkeypatch.setattr(checkout, "cart_view_for_request", read)
    client.post("/checkout/", {"step": "place", "idempotency_key": _key(html)})
    assert Order.objects.get().subtotal == Decimal("2400.00")


def test_signed_in_shopper_starts_from_their_details_and_finds_the_order_in_history(client):
    user = UserFactory(first_name="Мария", last_name="Иванова", email="maria@example.ru")
    place_order(user=user, postcode="630099", city="Новосибирск", recipient_name="Мария Иванова")
    client.force_login(user)
    client.post("/cart/add/", {"sku": SkuFactory().pk, "quantity": 1})

    contact = client.get("/checkout/").content.decode()
    assert f'value="{user.phone}"' in contact and 'value="Мария Иванова"' in contact
    client.post("/checkout/", CONTACT)
    assert 'value="630099"' in client.get("/checkout/").content.decode()
    key = _to_review(client)
    response = client.post("/checkout/", {"step": "place", "idempotency_key": key})

    order = Order.objects.filter(user=user).order_by("-id").first()
    assert response["Location"] == f"/orders/{order.number}/?placed=1"
    assert order.number in client.get("/orders/").content.decode()


def test_a_checkout_page_reads_the_cart_once(client, in_cart):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for step in (CONTACT, ADDRESS):
        client.post("/checkout/", step)
    for request in (lambda: client.get("/checkout/"), lambda: client.post("/checkout/", DELIVERY, **HTMX)):
        with CaptureQueriesContext(connection) as queries:
            assert request().status_code == 200
        cart_reads = [q["sql"] for q in queries if 'FROM "cart_cartline"' in q["sql"]]
        assert len(cart_reads) == 1, cart_reads
