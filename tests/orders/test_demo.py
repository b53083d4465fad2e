import pytest

from orders.demo import demo_orders_seed
from orders.models import Order, OrderStatus
from tests.catalog.factories import SkuFactory

pytestmark = pytest.mark.django_db


def test_demo_orders_cover_every_status_and_a_second_run_adds_nothing():
    for _ in range(6):
        SkuFactory(stock=50)

    first = demo_orders_seed()
    count = Order.objects.count()
    second = demo_orders_seed()

    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert Order.objects.filter(user__isnull=True).exists()
    assert Order.objects.count() == count == len(first) == len(second)
    assert {o.pk for o in first} == {o.pk for o in second}
