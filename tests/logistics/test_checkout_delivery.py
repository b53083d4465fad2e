import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from logistics.models import OrderDelivery, PickupPoint
from orders.models import Order
from tests.catalog.factories import FxRateFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
CONTACT = {"step": "contact", "contact_phone": "8 916 123-45-67", "recipient_name": "Анна Смирнова"}
ADDRESS = {"step": "address", "postcode": "101000", "city": "Москва", "street": "Мясницкая", "house": "12"}
PAYMENT = {"step": "payment", "payment_method": "cod"}


@pytest.fixture
def in_cart(client):
    FxRateFactory(currency="EUR", date=timezone.localdate() - datetime.timedelta(days=1), rate=Decimal("100"))
    sku = SkuFactory(product=ProductFactory(title="Наушники", origin="CN", weight_grams=400), price=Decimal("3000"))
    client.post("/cart/add/", {"sku": sku.pk, "quantity": 1})
    return sku


def _to_delivery(client, **address):
    client.post("/checkout/", CONTACT)
    client.post("/checkout/", {**ADDRESS, **address})
    return client.get("/checkout/").content.decode()


def _key(html: str) -> str:
    marker = 'name="idempotency_key" value="'
    start = html.index(marker) + len(marker)
    return html[start : start + 32]


def test_delivery_step_offers_both_methods_with_logistics_costs_and_the_promise(client, in_cart):
    html = _to_delivery(client)
    assert "В отделение Почты России — 299\xa0₽" in html
    assert "Курьером до двери — 499\xa0₽" in html
    assert 'id="checkout-promise"' in html and "7–10 дней" in html
    assert "Без таможенной пошлины." in html


def test_costs_follow_the_region_of_the_address(client, in_cart):
    html = _to_delivery(client, postcode="690091", city="Владивосток")
    assert "Курьером до двери — 799\xa0₽" in html and "15–20 дней" in html


def test_delivery_step_lists_pickup_points_near_the_address(client, in_cart):
    html = _to_delivery(client)
    assert 'id="pickup-q"' in html and 'hx-get="/delivery/pickup-points/"' in html
    assert 'name="pickup_point" id="pickup-' in html and "101000, Москва" in html


def test_pickup_search_without_javascript_reloads_the_step_with_results(client, in_cart):
    _to_delivery(client)
    html = client.get("/checkout/", {"step": "delivery", "pickup_q": "Казань"}).content.decode()
    assert "420012, Казань" in html and 'value="Казань"' in html


def test_the_pickup_point_nearest_to_the_address_is_preselected(client, in_cart):
    html = _to_delivery(client)
    nearest = PickupPoint.objects.get(postcode="101000")
    assert f'value="{nearest.pk}" checked' in html


def test_a_pickup_point_that_no_longer_works_is_refused(client, in_cart):
    point = PickupPoint.objects.get(postcode="101000")
    PickupPoint.objects.filter(pk=point.pk).update(is_active=False)
    _to_delivery(client)
    data = {"step": "delivery", "delivery_method": "post_pickup", "pickup_point": point.pk}
    html = client.post("/checkout/", data, **HTMX).content.decode()
    assert "Это отделение сейчас не выдаёт посылки. Выберите другое." in html


def test_without_a_chosen_point_the_order_goes_to_the_nearest_one(client, in_cart):
    _to_delivery(client, postcode="630005", city="Новосибирск")
    client.post("/checkout/", {"step": "delivery", "delivery_method": "post_pickup"})
    client.post("/checkout/", PAYMENT)
    client.post("/checkout/", {"step": "place", "idempotency_key": _key(client.get("/checkout/").content.decode())})
    delivery = OrderDelivery.objects.get()
    assert delivery.pickup_point.city == "Новосибирск"


def test_order_freezes_the_promise_the_pickup_point_and_the_cost(client, in_cart):
    point = PickupPoint.objects.get(postcode="101000")
    _to_delivery(client)
    client.post("/checkout/", {"step": "delivery", "delivery_method": "post_pickup", "pickup_point": point.pk})
    client.post("/checkout/", PAYMENT)
    review = client.get("/checkout/").content.decode()
    assert 'id="pickup-summary">101000, Москва' in review
    assert 'id="checkout-total">3\xa0299\xa0₽<' in review

    client.post("/checkout/", {"step": "place", "idempotency_key": _key(review)})

    order = Order.objects.get()
    delivery = OrderDelivery.objects.get(order=order)
    placed = timezone.localtime(order.placed_at).date()
    assert (delivery.method, delivery.pickup_point, delivery.cost) == ("post_pickup", point, Decimal("299.00"))
    assert order.delivery_cost == Decimal("299.00")
    assert ((delivery.promised_from - placed).days, (delivery.promised_by - placed).days) == (7, 10)
    assert delivery.region_subject == "Москва"
    assert delivery.promise[0]["origin"] == "CN"


def test_courier_order_is_charged_the_regional_tariff(client, in_cart):
    _to_delivery(client, postcode="690091", city="Владивосток")
    client.post("/checkout/", {"step": "delivery", "delivery_method": "courier"})
    client.post("/checkout/", PAYMENT)
    client.post("/checkout/", {"step": "place", "idempotency_key": _key(client.get("/checkout/").content.decode())})
    order = Order.objects.get()
    assert order.delivery_cost == Decimal("799.00")
    assert OrderDelivery.objects.get(order=order).pickup_point is None


def _summary(html: str) -> str:
    return html[html.index('<aside class="card checkout-summary"') : html.index("</aside>")]


def _shown(fragment: str, dd_id: str) -> list[str]:
    """The texts of the summary's choice spans in <dd id=dd_id> that are not hidden."""
    dd = fragment[fragment.index(f'id="{dd_id}"') :].split("</dd>", 1)[0]
    return [
        chunk.split(">", 1)[1].split("</span>", 1)[0]
        for chunk in dd.split('<span class="summary-choice"')[1:]
        if " hidden>" not in chunk.split(">", 1)[0] + ">"
    ]


def test_summary_on_the_delivery_step_shows_the_chosen_methods_cost_and_total(client, in_cart):
    _to_delivery(client)
    client.post("/checkout/", {"step": "delivery", "delivery_method": "courier"})

    summary = _summary(client.get("/checkout/", {"step": "delivery"}).content.decode())  # back on step 3

    assert "на шаге 3" not in summary
    assert _shown(summary, "checkout-delivery-cost") == ["499\xa0₽"]
    assert _shown(summary, "checkout-total") == ["3\xa0499\xa0₽"]
    assert 'data-delivery-method="post_pickup" hidden>299\xa0₽' in summary  # ready for the other radio


def test_summary_on_the_delivery_step_before_a_choice_asks_for_one(client, in_cart):
    summary = _summary(_to_delivery(client))

    assert "на шаге 3" not in summary
    assert _shown(summary, "checkout-delivery-cost") == []
    assert "выберите способ" in summary


def test_summary_before_the_delivery_step_says_where_the_cost_comes(client, in_cart):
    client.post("/checkout/", CONTACT)

    assert "на шаге 3" in _summary(client.get("/checkout/").content.decode())
