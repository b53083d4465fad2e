"""Bulk actions on parcels and dispatches in the admin: through the services, for staff who may handle parcels
(ops); support sees the same lists read-only. List pages cost the same number of queries however long the page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logistics.exceptions import DispatchHandedOver
from logistics.models import Dispatch, Parcel, ParcelStatus
from logistics.services import dispatch_create, dispatch_parcels_add, order_delivery_record
from orders.models import OrderStatus, OrderStatusChange
from orders.services import order_mark_paid
from tests.accounts.factories import UserFactory
from tests.orders.factories import place_order

from .factories import ParcelFactory

pytestmark = pytest.mark.django_db
PARCELS = "/admin/logistics/parcel/"
DISPATCHES = "/admin/logistics/dispatch/"
HANDLING = {"pack_orders", "make_dispatch", "add_to_dispatch", "register_with_post"}


def staff(client, group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def _actions(client, url: str = PARCELS) -> set[str]:
    form = client.get(url).context["action_form"]  # None when the user has no action at all
    return {name for name, _label in form.fields["action"].choices if name} if form else set()


def _act(client, action: str, parcels, url: str = PARCELS, **extra):
    return client.post(url, {"action": action, "_selected_action": [p.pk for p in parcels], **extra}, follow=True)


def _paid_parcel(**fields):
    order = place_order()
    order_mark_paid(order=order)
    return ParcelFactory(order=order, **fields)


def test_support_sees_parcels_without_the_actions_that_move_them(client):
    staff(client, "support")
    assert _actions(client) & HANDLING == set()
    assert _actions(client, DISPATCHES) == set()


def test_support_cannot_post_a_handling_action(client):
    parcel = _paid_parcel()
    staff(client, "support")
    _act(client, "make_dispatch", [parcel])
    _act(client, "pack_orders", [parcel])
    parcel.refresh_from_db()
    parcel.order.refresh_from_db()
    assert (parcel.dispatch_id, parcel.order.status) == (None, OrderStatus.PAID)


def test_ops_have_the_handling_actions(client):
    staff(client, "ops")
    assert _actions(client) >= HANDLING
    assert "hand_over" in _actions(client, DISPATCHES)


def test_ops_mark_the_orders_of_selected_parcels_packed_through_the_orders_service(client):
    user = staff(client, "ops")
    paid = [_paid_parcel(), _paid_parcel()]
    unpaid = ParcelFactory()  # placed, not yet paid: not packed
    response = _act(client, "pack_orders", [*paid, unpaid])
    assert "Собрано заказов: 2." in response.content.decode()
    for parcel in paid:
        parcel.order.refresh_from_db()
        assert parcel.order.status == OrderStatus.PACKED
        change = OrderStatusChange.objects.get(order=parcel.order, to_status=OrderStatus.PACKED)
        assert change.actor == user
    unpaid.order.refresh_from_db()
    assert unpaid.order.status != OrderStatus.PACKED


def test_ops_add_parcels_to_an_open_dispatch_of_the_same_warehouse(client):
    staff(client, "ops")
    first, second, other_origin = ParcelFactory(), ParcelFactory(), ParcelFactory(origin="EU")
    dispatch = dispatch_create(parcel_ids=[first.pk], actor="system")
    response = _act(client, "add_to_dispatch", [second, other_origin], dispatch=dispatch.pk)
    assert "добавлено посылок: 1" in response.content.decode()
    assert set(dispatch.parcels.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_adding_to_a_dispatch_needs_one_chosen(client):
    staff(client, "ops")
    parcel = ParcelFactory()
    response = _act(client, "add_to_dispatch", [parcel])
    assert "Выберите отгрузку" in response.content.decode()
    parcel.refresh_from_db()
    assert parcel.dispatch_id is None


def test_a_dispatch_is_handed_over_only_when_all_its_parcels_are_registered(client):
    staff(client, "ops")
    registered = ParcelFactory(status=ParcelStatus.REGISTERED, tracking_number="RA123456785CN")
    packed = ParcelFactory()
    dispatch = dispatch_create(parcel_ids=[registered.pk, packed.pk], actor="system")
    response = _act(client, "hand_over", [dispatch], url=DISPATCHES)
    assert "Не зарегистрировано на почте посылок в отгрузке: 1" in response.content.decode()
    dispatch.refresh_from_db()
    assert dispatch.handed_over_at is None
    packed.delete()
    _act(client, "hand_over", [dispatch], url=DISPATCHES)
    dispatch.refresh_from_db()
    assert dispatch.handed_over_at is not None


def test_a_handed_over_dispatch_takes_no_more_parcels_and_leaves_the_choice(client):
    staff(client, "ops")
    registered = ParcelFactory(status=ParcelStatus.REGISTERED, tracking_number="RA123456785CN")
    dispatch = dispatch_create(parcel_ids=[registered.pk], actor="system")
    _act(client, "hand_over", [dispatch], url=DISPATCHES)
    form = client.get(PARCELS).context["action_form"]
    assert dispatch.pk not in {d.pk for d in form.fields["dispatch"].queryset}
    late = ParcelFactory()
    _act(client, "add_to_dispatch", [late], dispatch=dispatch.pk)  # from a page opened before the hand-over
    late.refresh_from_db()
    assert late.dispatch_id is None
    with pytest.raises(DispatchHandedOver):
        dispatch_parcels_add(dispatch=dispatch, parcel_ids=[late.pk], actor="system")


def test_hand_over_date_is_not_edited_by_hand(client):
    staff(client, "ops")
    dispatch = Dispatch.objects.create(origin="CN")
    form = client.get(f"{DISPATCHES}{dispatch.pk}/change/").context["adminform"].form
    assert "handed_over_at" not in form.fields


# --- query counts: a page of 100 rows costs what a page of 3 does ------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("group", ["support", "ops"])
def test_parcel_list_queries_do_not_grow_with_the_page(client, group, django_assert_max_num_queries):
    staff(client, group)
    parcels = [ParcelFactory(status=ParcelStatus.REGISTERED, tracking_number="") for _ in range(3)]
    dispatch_create(parcel_ids=[p.pk for p in parcels], actor="system")
    small = _queries(client, PARCELS)
    for _ in range(40):
        ParcelFactory(cod_amount=100)
    assert _queries(client, PARCELS) == small
    with django_assert_max_num_queries(small):
        client.get(PARCELS + "?all=")


def test_dispatch_list_queries_do_not_grow_with_the_page(client, django_assert_max_num_queries):
    staff(client, "ops")
    Dispatch.objects.create(origin="CN")
    small = _queries(client, DISPATCHES)
    for _ in range(30):
        dispatch_create(parcel_ids=[ParcelFactory().pk], actor="system")
    with django_assert_max_num_queries(small):
        client.get(DISPATCHES)


def test_making_parcels_without_a_eur_rate_names_the_order_and_goes_on_with_the_others(client):
    from orders.services import order_confirm
    from storefront.catalog.models import FxRate
    from tests.catalog.factories import ProductFactory, SkuFactory

    staff(client, "ops")
    cross, domestic = (
        place_order(skus=[SkuFactory(product=ProductFactory(origin=origin, weight_grams=500), stock=50)])
        for origin in ("CN", "RU")
    )
    for order in (cross, domestic):
        order_confirm(order=order, actor="system")
    deliveries = [order_delivery_record(order=order, actor="system") for order in (cross, domestic)]
    FxRate.objects.filter(currency="EUR").delete()
    response = _act(client, "make_parcels", deliveries, url="/admin/logistics/orderdelivery/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{cross.number}: Нет курса валюты" in page
    assert not Parcel.objects.filter(order=cross).exists()
    assert Parcel.objects.filter(order=domestic).exists()


def test_make_parcels_names_an_order_whose_cod_split_payments_refuses_and_goes_on(client):
    """A pay-on-delivery order whose collection the post already registered (a tracking number from parcels since
    cancelled): payments will not take a new split, so no parcels for it; the others are made, no error page."""
    from payments.cod import cod_payment_start
    from payments.models import CodCollection
    from tests.catalog.factories import ProductFactory, SkuFactory

    staff(client, "ops")
    stuck, fine = (
        place_order(skus=[SkuFactory(product=ProductFactory(origin="RU", weight_grams=500), stock=50)])
        for _ in range(2)
    )
    for order in (stuck, fine):
        cod_payment_start(order=order, actor="system")
    CodCollection.objects.filter(order=stuck).update(tracking_number="80082612345678")
    deliveries = [order_delivery_record(order=order, actor="system") for order in (stuck, fine)]

    response = _act(client, "make_parcels", deliveries, url="/admin/logistics/orderdelivery/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{stuck.number}: оплату при получении не удалось разделить между посылками" in page
    assert not Parcel.objects.filter(order=stuck).exists()
    assert Parcel.objects.filter(order=fine).exists()
