"""cart_view_read: the cart placing reads in one statement is the cart the pages read."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefront.cart.selectors import cart_view_get, cart_view_read
from storefront.catalog.models import Product, Sku
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProductFactory, SkuFactory

from .factories import cart_with

pytestmark = pytest.mark.django_db


def _seen(view):
    return [
        (v.line.pk, v.sku.pk, v.sku.code, v.sku.options, v.line.quantity, v.price_rub, v.available, v.short,
         v.unavailable, v.price_changed, v.sku.product.title, v.sku.product.origin, v.sku.product.weight_grams)
        for v in view.lines
    ]  # fmt: skip


def test_a_guest_cart_reads_as_the_pages_read_it_in_one_statement():
    skus = [
        SkuFactory(price=Decimal("990.00"), stock=5, options={"Размер": "M"}),
        SkuFactory(price=Decimal("120.00"), stock=9),
        SkuFactory(stock=4, product=ProductFactory()),
    ]
    cart = cart_with(skus=skus, quantity=2)
    Sku.objects.filter(pk=skus[0].pk).update(stock=1)  # short now
    Sku.objects.filter(pk=skus[1].pk).update(price=Decimal("150.00"))  # dearer than when added
    Product.objects.filter(pk=skus[2].product_id).update(is_active=False)  # no longer sold

    with CaptureQueriesContext(connection) as queries:
        read = cart_view_read(user=None, cart_id=cart.pk)

    assert len(queries) == 1
    pages = cart_view_get(cart=cart, images=False)
    assert read.cart == cart
    assert _seen(read) == _seen(pages)
    assert (read.subtotal, read.has_stock_problems, read.has_price_changes) == (
        pages.subtotal, pages.has_stock_problems, pages.has_price_changes
    )  # fmt: skip


def test_a_shoppers_cart_is_found_by_the_shopper_and_not_by_its_id_from_someone_elses_session():
    user = UserFactory()
    cart = cart_with(user=user)

    assert cart_view_read(user=user, cart_id=None).cart == cart
    assert cart_view_read(user=None, cart_id=cart.pk).cart is None  # a guest session naming an account's cart


def test_an_empty_cart_and_no_cart():
    empty = cart_with()
    empty.lines.all().delete()

    assert cart_view_read(user=None, cart_id=empty.pk).cart == empty
    assert cart_view_read(user=None, cart_id=empty.pk).is_empty
    assert cart_view_read(user=None, cart_id=None).cart is None
