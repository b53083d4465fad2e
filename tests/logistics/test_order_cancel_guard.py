"""An order whose parcel has left our warehouse cannot be cancelled, even while its status still says "packed"."""

import pytest
from django.contrib.auth.models import Group

from logistics.models import ParcelStatus
from logistics.services import parcel_status_change
from logistics.services.dispatches import dispatch_create, dispatch_hand_over
from orders.exceptions import CancelRefused
from orders.models import OrderStatus
from orders.services import order_cancel
from payments.cod import cod_refused
from storefront.outbox.models import OutboxJob
from tests.accounts.factories import UserFactory
from tests.postal.factories import registered_parcel

pytestmark = pytest.mark.django_db


def _cancel_refused(order) -> str:
    jobs = OutboxJob.objects.count()
    with pytest.raises(CancelRefused) as refused:
        order_cancel(order=order, actor="system", reason="Покупатель передумал")
    assert order.status == OrderStatus.PACKED  # the caller's object too
    order.refresh_from_db()
    assert order.status == OrderStatus.PACKED
    assert OutboxJob.objects.count() == jobs  # nothing announced: payments keep the money and the hold
    return refused.value.message


def test_a_packed_order_not_yet_handed_over_is_cancelled():
    parcel = registered_parcel()
    order_cancel(order=parcel.order, actor="system", reason="Покупатель передумал")
    parcel.order.refresh_from_db()
    assert parcel.order.status == OrderStatus.CANCELLED


def test_handed_over_dispatch_refuses_cancellation_with_the_tracking_number():
    parcel = registered_parcel()
    dispatch = dispatch_create(parcel_ids=[parcel.pk], actor="system")
    dispatch_hand_over(dispatch=dispatch, actor="system")
    message = _cancel_refused(parcel.order)
    assert parcel.tracking_number in message
    assert "уже передан почте" in message


def test_parcel_the_post_reports_moving_refuses_cancellation():
    parcel = registered_parcel()
    parcel_status_change(parcel=parcel, to=ParcelStatus.IN_TRANSIT, actor="postal")
    _cancel_refused(parcel.order)


def test_support_gets_the_reason_in_the_admin_not_an_error_page(client):
    parcel = registered_parcel()
    parcel_status_change(parcel=parcel, to=ParcelStatus.IN_TRANSIT, actor="postal")
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="support"))
    client.force_login(user)
    response = client.post(
        "/admin/orders/order/",
        {"action": "cancel_orders", "_selected_action": [parcel.order.pk], "apply": "1", "reason": "Дубль"},
        follow=True,
    )
    assert response.status_code == 200
    assert "уже передан почте" in response.content.decode()
    parcel.order.refresh_from_db()
    assert parcel.order.status == OrderStatus.PACKED


def test_cod_parcel_refused_while_the_order_still_says_packed_is_returned_with_stock_back():
    parcel = registered_parcel(cod=True)
    order = parcel.order
    line = order.lines.select_related("sku").first()
    stock_before = line.sku.stock
    parcel_status_change(parcel=parcel, to=ParcelStatus.IN_TRANSIT, actor="postal")
    parcel_status_change(parcel=parcel, to=ParcelStatus.RETURNING, actor="postal")

    cod_refused(tracking_number=parcel.tracking_number, reason="Отказ от получения")

    order.refresh_from_db()
    line.sku.refresh_from_db()
    assert order.status == OrderStatus.RETURNED  # it shipped and came back, not "cancelled before shipping"
    assert line.sku.stock == stock_before + line.quantity
