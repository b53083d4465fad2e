import pytest

from orders.demo import STATUS_PATHS, order_walk_to
from orders.exceptions import InvalidTransition, ReasonRequired
from orders.models import ALLOWED_TRANSITIONS, OrderStatus, OrderStatusChange
from orders.services import (
    order_cancel,
    order_complete,
    order_confirm,
    order_deliver,
    order_mark_returned,
    order_pack,
    order_ship,
)
from orders.services.status import _transition
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SkuFactory

from .factories import place_order

pytestmark = pytest.mark.django_db

ALL_PAIRS = [(a, b) for a in OrderStatus.values for b in OrderStatus.values]


def test_placed_order_starts_with_one_history_row():
    order = place_order()

    assert order.status == OrderStatus.PLACED
    change = order.status_changes.get()
    assert (change.from_status, change.to_status, change.actor_label) == ("", OrderStatus.PLACED, "guest")


def test_pay_on_delivery_order_goes_all_the_way_to_completed_with_history():
    staff = UserFactory(is_staff=True)
    order = place_order()

    order_confirm(order=order, actor=staff, reason="подтвердил по телефону")
    order_pack(order=order, actor=staff)
    order_ship(order=order)
    order_deliver(order=order)
    order_complete(order=order)

    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    history = list(order.status_changes.values_list("from_status", "to_status", "actor_label"))
    assert history == [
        ("", "placed", "guest"),
        ("placed", "confirmed", "staff"),
        ("confirmed", "packed", "staff"),
        ("packed", "shipped", "system"),
        ("shipped", "delivered", "system"),
        ("delivered", "completed", "system"),
    ]
    assert order.status_changes.get(to_status="confirmed").actor == staff
    assert order.status_changes.get(to_status="confirmed").reason == "подтвердил по телефону"


@pytest.mark.parametrize(("from_status", "to_status"), ALL_PAIRS)
def test_transition_allowed_exactly_when_the_table_says_so(from_status, to_status):
    order = order_walk_to(order=place_order(), status=from_status)
    before = OrderStatusChange.objects.filter(order=order).count()

    if to_status in ALLOWED_TRANSITIONS[from_status]:
        _transition(order=order, to=to_status, actor="system", reason="тест")
        order.refresh_from_db()
        assert order.status == to_status
        assert OrderStatusChange.objects.filter(order=order).count() == before + 1
    else:
        with pytest.raises(InvalidTransition):
            _transition(order=order, to=to_status, actor="system", reason="тест")
        order.refresh_from_db()
        assert order.status == from_status
        assert OrderStatusChange.objects.filter(order=order).count() == before


def test_invalid_transition_message_names_order_and_both_statuses():
    order = place_order()

    with pytest.raises(InvalidTransition) as exc:
        order_ship(order=order)

    assert str(exc.value) == f"Заказ {order.number} нельзя перевести из статуса «Оформлен» в «Передан в доставку»."


def test_every_status_is_reachable_through_services():
    for status in OrderStatus.values:
        assert order_walk_to(order=place_order(), status=status).status == status
    assert set(STATUS_PATHS) == set(OrderStatus.values)


def test_cancel_requires_a_reason():
    order = place_order()

    with pytest.raises(ReasonRequired):
        order_cancel(order=order, actor="system", reason="  ")

    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_cancel_releases_reserved_stock():
    sku = SkuFactory(stock=5)
    order = place_order(skus=[sku], quantity=3)
    sku.refresh_from_db()
    assert sku.stock == 2

    order_cancel(order=order, actor="system", reason="покупатель передумал")

    sku.refresh_from_db()
    assert sku.stock == 5


def test_cancel_of_packed_order_releases_stock_of_every_line():
    a, b = SkuFactory(stock=2), SkuFactory(stock=4)
    order = order_walk_to(order=place_order(skus=[a, b], quantity=2), status=OrderStatus.PACKED)

    order_cancel(order=order, actor="system", reason="нет на складе")

    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.stock, b.stock) == (2, 4)


def test_shipped_order_cannot_be_cancelled_and_keeps_stock():
    sku = SkuFactory(stock=3)
    order = order_walk_to(order=place_order(skus=[sku]), status=OrderStatus.SHIPPED)

    with pytest.raises(InvalidTransition):
        order_cancel(order=order, actor="system", reason="поздно")

    sku.refresh_from_db()
    assert sku.stock == 2


def test_returned_parcel_does_not_restock_automatically():
    sku = SkuFactory(stock=3)
    order = order_walk_to(order=place_order(skus=[sku]), status=OrderStatus.SHIPPED)

    order_mark_returned(order=order, reason="не забрали")

    sku.refresh_from_db()
    assert sku.stock == 2
