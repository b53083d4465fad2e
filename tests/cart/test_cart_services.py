from decimal import Decimal

import pytest
from django.core.cache import cache

from storefront.cart.exceptions import LineNotFound, NotEnoughStock, QuantityInvalid, SkuNotFound, SkuUnavailable
from storefront.cart.models import Cart, CartLine
from storefront.cart.selectors import cart_view_get
from storefront.cart.services import cart_line_add, cart_line_remove, cart_line_update, cart_prices_accept
from storefront.catalog.models import FxRate, Sku
from tests.accounts.factories import UserFactory
from tests.catalog.factories import FxRateFactory, ProductFactory, SkuFactory

from .factories import cart_with

pytestmark = pytest.mark.django_db


def test_first_add_creates_a_guest_cart_with_the_price_seen():
    sku = SkuFactory(price=Decimal("1299.00"))

    cart = cart_line_add(cart=None, user=None, sku_id=sku.pk, quantity=2)

    line = CartLine.objects.get(cart=cart)
    assert (cart.user, line.sku, line.quantity, line.price_rub_seen) == (None, sku, 2, Decimal("1299.00"))


def test_signed_in_shopper_adds_to_their_account_cart():
    user = UserFactory()

    cart = cart_with(user=user)

    assert Cart.objects.get(user=user) == cart


def test_adding_the_same_sku_again_adds_to_its_line():
    sku = SkuFactory(stock=10)
    cart = cart_with(skus=[sku], quantity=2)

    cart_line_add(cart=cart, user=None, sku_id=sku.pk, quantity=3)

    assert CartLine.objects.get(cart=cart).quantity == 5


def test_seller_currency_price_is_seen_in_roubles():
    FxRateFactory(currency="CNY", rate=Decimal("12.5"))
    sku = SkuFactory(price=Decimal("10.00"), currency="CNY")

    cart = cart_with(skus=[sku])

    assert CartLine.objects.get(cart=cart).price_rub_seen == Decimal("125.00")


@pytest.mark.parametrize("quantity", [0, -1, 100, True])
def test_bad_quantity_is_refused_and_nothing_written(quantity):
    sku = SkuFactory(stock=500)

    with pytest.raises(QuantityInvalid):
        cart_line_add(cart=None, user=None, sku_id=sku.pk, quantity=quantity)

    assert not Cart.objects.exists()


def test_more_than_in_stock_is_refused_and_nothing_written():
    sku = SkuFactory(stock=3)

    with pytest.raises(NotEnoughStock, match="осталось только 3 шт"):
        cart_line_add(cart=None, user=None, sku_id=sku.pk, quantity=4)

    assert not Cart.objects.exists()


def test_adding_past_the_stock_counts_what_is_already_in_the_cart():
    sku = SkuFactory(stock=3)
    cart = cart_with(skus=[sku], quantity=2)

    with pytest.raises(NotEnoughStock, match="2 уже в корзине"):
        cart_line_add(cart=cart, user=None, sku_id=sku.pk, quantity=2)

    assert CartLine.objects.get(cart=cart).quantity == 2


def test_line_cannot_grow_past_99():
    sku = SkuFactory(stock=500)
    cart = cart_with(skus=[sku], quantity=60)

    with pytest.raises(QuantityInvalid):
        cart_line_add(cart=cart, user=None, sku_id=sku.pk, quantity=40)

    assert CartLine.objects.get(cart=cart).quantity == 60


def test_unknown_sku_is_refused():
    with pytest.raises(SkuNotFound):
        cart_line_add(cart=None, user=None, sku_id=999999, quantity=1)
    assert not Cart.objects.exists()


def test_sku_no_longer_sold_is_refused():
    sku = SkuFactory(product=ProductFactory(is_active=False))

    with pytest.raises(SkuUnavailable):
        cart_line_add(cart=None, user=None, sku_id=sku.pk, quantity=1)


def test_quantity_can_be_changed():
    cart = cart_with(skus=[SkuFactory(stock=10)])
    line = CartLine.objects.get(cart=cart)

    cart_line_update(cart=cart, line_id=line.pk, quantity=4)

    line.refresh_from_db()
    assert line.quantity == 4


def test_quantity_above_stock_is_refused_on_change():
    cart = cart_with(skus=[SkuFactory(stock=3)])
    line = CartLine.objects.get(cart=cart)

    with pytest.raises(NotEnoughStock):
        cart_line_update(cart=cart, line_id=line.pk, quantity=4)

    line.refresh_from_db()
    assert line.quantity == 1


def test_a_line_of_another_cart_cannot_be_changed_or_removed():
    mine = cart_with()
    theirs = cart_with()
    their_line = CartLine.objects.get(cart=theirs)

    with pytest.raises(LineNotFound):
        cart_line_update(cart=mine, line_id=their_line.pk, quantity=2)
    with pytest.raises(LineNotFound):
        cart_line_remove(cart=mine, line_id=their_line.pk)

    assert CartLine.objects.get(pk=their_line.pk).quantity == 1


def test_line_can_be_removed():
    cart = cart_with()

    cart_line_remove(cart=cart, line_id=CartLine.objects.get(cart=cart).pk)

    assert not CartLine.objects.filter(cart=cart).exists()


def test_price_change_since_adding_is_flagged_with_today_price():
    sku = SkuFactory(price=Decimal("1000.00"))
    cart = cart_with(skus=[sku])
    Sku.objects.filter(pk=sku.pk).update(price=Decimal("1200.00"))

    line = cart_view_get(cart=cart).lines[0]

    assert (line.price_changed, line.price_went_up) == (True, True)
    assert (line.line.price_rub_seen, line.price_rub, line.total_rub) == (Decimal(1000), Decimal(1200), Decimal(1200))


def test_new_fx_rate_flags_a_seller_currency_price():
    FxRateFactory(currency="EUR", rate=Decimal("100"))
    cart = cart_with(skus=[SkuFactory(price=Decimal("10.00"), currency="EUR")])
    FxRate.objects.filter(currency="EUR").update(rate=Decimal("90"))
    cache.clear()  # the loader of new rates clears the cached rate

    line = cart_view_get(cart=cart).lines[0]
    assert (line.price_changed, line.price_went_up, line.price_rub) == (True, False, Decimal("900.00"))


def test_sold_out_item_is_flagged_and_not_counted_in_the_total():
    sku = SkuFactory(stock=5, price=Decimal("500.00"))
    cart = cart_with(skus=[sku, SkuFactory(price=Decimal("100.00"))])
    Sku.objects.filter(pk=sku.pk).update(stock=0)

    view = cart_view_get(cart=cart)

    assert [v.unavailable for v in view.lines] == [True, False]
    assert view.subtotal == Decimal("100.00")
    assert view.has_stock_problems


def test_line_above_what_is_left_is_flagged_short():
    sku = SkuFactory(stock=5)
    cart = cart_with(skus=[sku], quantity=4)
    Sku.objects.filter(pk=sku.pk).update(stock=2)

    line = cart_view_get(cart=cart).lines[0]

    assert (line.short, line.available, line.unavailable) == (True, 2, False)


def test_accepting_prices_makes_today_price_the_seen_one():
    sku = SkuFactory(price=Decimal("1000.00"))
    cart = cart_with(skus=[sku])
    Sku.objects.filter(pk=sku.pk).update(price=Decimal("900.00"))

    cart_prices_accept(cart=cart)

    assert not cart_view_get(cart=cart).has_price_changes
    assert CartLine.objects.get(cart=cart).price_rub_seen == Decimal("900.00")
