"""What each staff role may do in the admin, checked on the request (not only by what the page shows)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from logistics.services import dispatch_create
from tests.catalog.factories import ProductFactory
from tests.logistics.test_manifest import parcels  # noqa: F401 - the fixture
from tests.orders.factories import place_order

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _staff(client, *groups: str):
    user = UserFactory(is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=groups))
    client.force_login(user)
    return user


def test_support_cannot_change_a_product(client):
    _staff(client, "support")
    product = ProductFactory()
    url = reverse("admin:catalog_product_change", args=[product.pk])

    assert client.get(url).status_code == 200  # read-only page
    assert client.post(url, {"title": "Другое"}).status_code == 403
    assert client.post(reverse("admin:catalog_product_changelist"), {
        "action": "take_off_sale", "_selected_action": [product.pk]
    }).status_code == 200  # fmt: skip
    product.refresh_from_db()
    assert product.is_active and product.title != "Другое"


def test_support_cannot_change_a_delivery_tariff_or_pickup_point(client):
    _staff(client, "support")

    assert client.get(reverse("admin:logistics_deliverytariff_add")).status_code == 403
    assert client.get(reverse("admin:logistics_pickuppoint_add")).status_code == 403


def test_ops_cannot_cancel_an_order(client):
    _staff(client, "ops")
    order = place_order()

    response = client.post(reverse("admin:orders_order_cancel", args=[order.pk]), {"apply": "1", "reason": "x"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status != "cancelled"


def test_ops_cannot_open_payments_where_refunds_are_made(client):
    _staff(client, "ops")

    response = client.get(reverse("admin:payments_payment_changelist"))

    assert response.status_code == 403  # ops do not see payments at all


@pytest.mark.parametrize("group", [None, "ops"])
def test_staff_outside_support_cannot_open_the_drop_off_report(client, group):
    _staff(client, *([group] if group else []))

    assert client.get(reverse("admin:payments_payment_dropoff")).status_code == 403


def test_staff_without_logistics_access_cannot_download_a_manifest_or_open_the_delivery_report(client, parcels):  # noqa: F811
    dispatch = dispatch_create(parcel_ids=[p.pk for p in parcels], actor="ops")
    _staff(client)

    assert client.get(reverse("admin:logistics_dispatch_manifest", args=[dispatch.pk, "csv"])).status_code == 404
    assert client.get(reverse("admin:logistics_parcel_report")).status_code == 404


def test_support_downloads_the_manifest_and_opens_the_delivery_report(client, parcels):  # noqa: F811
    dispatch = dispatch_create(parcel_ids=[p.pk for p in parcels], actor="ops")
    _staff(client, "support")

    assert client.get(reverse("admin:logistics_dispatch_manifest", args=[dispatch.pk, "csv"])).status_code == 200
    assert client.get(reverse("admin:logistics_parcel_report")).status_code == 200
