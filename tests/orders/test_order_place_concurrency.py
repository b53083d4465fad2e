"""Concurrent checkouts against real PostgreSQL: real threads, each with its own connection."""

import threading

import pytest
from django.db import connection

from orders.exceptions import OutOfStock
from orders.models import Order, OrderLine
from orders.services import order_place
from storefront.cart.models import CartLine
from storefront.cart.selectors import cart_view_read
from storefront.cart.services import CartOrderSource
from storefront.catalog.models import Sku
from tests.cart.factories import cart_with
from tests.catalog.factories import SkuFactory

from .factories import OrderDetailsFactory, place_order

pytestmark = pytest.mark.django_db(transaction=True)


def _run_in_threads(n: int, work) -> list:
    """Start n threads at once (a barrier), each calling work(i); returns each result or exception."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_twenty_shoppers_racing_for_the_last_five_units_never_oversell():
    sku = SkuFactory(stock=5)

    results = _run_in_threads(20, lambda i: place_order(skus=[sku], quantity=1))

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    assert (len(placed), len(refused)) == (5, 15)
    assert Sku.objects.get(pk=sku.pk).stock == 0
    assert Order.objects.count() == 5
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 5


def test_orders_sharing_skus_in_opposite_order_do_not_deadlock():
    a, b, c = SkuFactory(stock=100), SkuFactory(stock=100), SkuFactory(stock=100)
    baskets = [[a, b, c], [c, b, a], [b, c, a], [c, a, b]]

    results = _run_in_threads(16, lambda i: place_order(skus=baskets[i % 4], quantity=2))

    assert all(isinstance(r, Order) for r in results), results
    assert list(Sku.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("stock", flat=True)) == [68, 68, 68]


def test_double_submit_from_two_threads_places_one_order():
    sku = SkuFactory(stock=10)

    results = _run_in_threads(2, lambda i: place_order(skus=[sku], quantity=1, key="same-form-twice"))

    assert all(isinstance(r, Order) for r in results), results
    assert results[0].pk == results[1].pk
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 9


def test_checkouts_that_all_saw_the_last_units_in_their_carts_never_oversell():
    """The checkout hands order_place the cart as it read it (stock 5 for everyone); the placing statement decides
    under its lock: five orders, the others told it is sold out, their carts untouched."""
    sku = SkuFactory(stock=5)
    carts = [cart_with(skus=[sku]) for _ in range(12)]
    views = [cart_view_read(user=None, cart_id=cart.pk) for cart in carts]  # read before anyone places

    def checkout(i: int):
        return order_place(
            details=OrderDetailsFactory(), actor="guest", idempotency_key=f"cart-{i}",
            cart=CartOrderSource(carts[i], view=views[i]),
        )  # fmt: skip

    results = _run_in_threads(12, checkout)

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    assert (len(placed), len(refused)) == (5, 7), results
    assert Sku.objects.get(pk=sku.pk).stock == 0
    assert CartLine.objects.filter(cart__in=carts).count() == 7  # only the placed carts were emptied


def test_double_submit_for_the_last_unit_gets_the_order_not_sold_out():
    """The second click's statement finds the stock the first one took: it answers with that order."""
    sku = SkuFactory(stock=1)

    results = _run_in_threads(2, lambda i: place_order(skus=[sku], quantity=1, key="last-unit-twice"))

    assert all(isinstance(r, Order) for r in results), results
    assert results[0].pk == results[1].pk
    assert Sku.objects.get(pk=sku.pk).stock == 0
