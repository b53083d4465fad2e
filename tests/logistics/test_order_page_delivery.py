"""The order page shows the delivery as the shopper chose it (pickup office or courier address), the promise frozen
at placing and, once parcels are made, each parcel with its tracking link and stage — for the account and the
guest link alike (logistics' block, `{% order_delivery_panel order %}`)."""

import datetime

import pytest

from logistics.models import ParcelStatus, PickupPoint
from logistics.services import order_delivery_record
from orders.models import DeliveryMethod
from orders.selectors import order_guest_token_make
from storefront.catalog.models import Origin
from tests.accounts.factories import UserFactory
from tests.orders.factories import place_order
from tests.postal.factories import barcode

from .factories import ParcelFactory

pytestmark = pytest.mark.django_db


def _page(client, order, *, guest: bool) -> str:
    if guest:
        return client.get(f"/orders/guest/{order_guest_token_make(order=order)}/").content.decode()
    client.force_login(order.user)
    return client.get(f"/orders/{order.number}/").content.decode()


@pytest.mark.parametrize("guest", [False, True])
def test_post_office_order_shows_the_chosen_office_with_hours_and_the_promise(client, guest):
    office = PickupPoint.objects.filter(city="Москва").order_by("postcode")[3]
    order = place_order(user=None if guest else UserFactory(), delivery_method=DeliveryMethod.POST_PICKUP)
    delivery = order_delivery_record(order=order, pickup_point=office, actor="system")

    html = _page(client, order, guest=guest)

    assert "В отделение Почты России" in html
    assert office.title in html
    assert f"{office.postcode}, {office.city}, {office.address}" in html
    assert office.hours in html
    assert "ул. Тверская, 7, кв. 12" not in html  # the pickup office, not the shopper's home address
    assert "Обещанный срок доставки" in html
    assert f"{delivery.promised_by.day} " in html.split('id="order-promise"')[1].split("</div>")[0]


def test_courier_order_shows_the_delivery_address(client):
    order = place_order(user=UserFactory(), delivery_method=DeliveryMethod.COURIER)
    order_delivery_record(order=order, actor="system")

    html = _page(client, order, guest=False)

    assert "Курьером до двери" in html
    assert "101000, Москва, ул. Тверская, 7, кв. 12" in html
    assert 'id="order-pickup"' not in html


def test_promise_dates_read_as_a_range(client):
    order = place_order(user=UserFactory())
    delivery = order_delivery_record(order=order, actor="system")
    delivery.promise = [{"origin": "CN", "from": "2026-11-28", "by": "2026-12-03"}]
    delivery.save(update_fields=["promise"])  # a fixed promise to read back (the record is frozen otherwise)

    html = _page(client, order, guest=False)

    assert "28 ноября – 3 декабря" in html


@pytest.mark.parametrize("guest", [False, True])
def test_parcels_link_to_their_tracking_page_with_their_stage(client, guest):
    order = place_order(user=None if guest else UserFactory())
    order_delivery_record(order=order, actor="system")
    travelling = ParcelFactory(
        order=order, origin=Origin.CHINA, tracking_number=barcode(), status=ParcelStatus.IN_TRANSIT
    )
    waiting = ParcelFactory(
        order=order,
        origin=Origin.RUSSIA,
        tracking_number=barcode("RU"),
        status=ParcelStatus.ARRIVED,
        storage_deadline=datetime.date(2026, 12, 5),
    )
    ParcelFactory(order=order, origin=Origin.EU, status=ParcelStatus.CREATED)  # not with the post yet

    html = _page(client, order, guest=guest)
    parcels = html.split('id="order-parcels"')[1].split("</ul>")[0]

    assert f'href="/track/{travelling.tracking_number}/"' in parcels
    assert f'href="/track/{waiting.tracking_number}/"' in parcels
    assert parcels.index(travelling.tracking_number) < parcels.index("В пути") < parcels.index(waiting.tracking_number)
    assert "Ждёт в пункте выдачи" in parcels and "заберите до 5 декабря" in parcels
    assert "Трек-номер появится, когда посылку передадут почте" in parcels
    assert "Посылка 3" in parcels


def test_no_parcels_block_before_parcels_are_made(client):
    order = place_order(user=UserFactory())
    order_delivery_record(order=order, actor="system")

    assert 'id="order-parcels"' not in _page(client, order, guest=False)


def test_delivery_block_costs_two_queries_however_many_parcels(client, django_assert_num_queries):
    from django.template import Context, Template

    order = place_order(user=UserFactory())
    order_delivery_record(order=order, actor="system")
    for _ in range(4):
        ParcelFactory(order=order, tracking_number=barcode(), status=ParcelStatus.IN_TRANSIT)
    template = Template("{% load logistics %}{% order_delivery_panel order %}")

    with django_assert_num_queries(2):
        html = template.render(Context({"order": order}))

    assert html.count('href="/track/') == 4
