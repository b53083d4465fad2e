import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.exceptions import EmptyOrder, ItemUnavailable, OrderDetailsInvalid, OutOfStock, QuantityInvalid
from orders.models import Order, OrderLine, OrderStatusChange
from orders.services import LineRequest, order_place
from storefront.catalog.models import FxRate, Sku
from tests.accounts.factories import UserFactory
from tests.catalog.factories import FxRateFactory, ProductFactory, SkuFactory

from .factories import OrderDetailsFactory, place_order

pytestmark = pytest.mark.django_db


def _nothing_written():
    return not Order.objects.exists() and not OrderLine.objects.exists() and not OrderStatusChange.objects.exists()


def test_order_number_is_prefix_month_and_sequence():
    order = place_order()

    assert re.fullmatch(r"MS-\d{4}-\d{6}", order.number)


def test_line_freezes_seller_price_currency_and_fx_rate():
    FxRateFactory(currency="CNY", rate=Decimal("12.500000"))
    sku = SkuFactory(price=Decimal("99.90"), currency="CNY", stock=5)

    order = place_order(skus=[sku], quantity=2)

    line = order.lines.get()
    assert (line.unit_price, line.currency, line.fx_rate) == (Decimal("99.90"), "CNY", Decimal("12.500000"))
    assert line.unit_price_rub == Decimal("1249")  # 1 248,75 in whole roubles
    assert line.line_total_rub == Decimal("2498")
    assert (line.sku_code, line.product_title) == (sku.code, sku.product.title)


def test_later_price_and_rate_changes_do_not_touch_placed_lines():
    FxRateFactory(currency="CNY", rate=Decimal("12.500000"))
    sku = SkuFactory(price=Decimal("100.00"), currency="CNY")
    order = place_order(skus=[sku])

    Sku.objects.filter(pk=sku.pk).update(price=Decimal("300.00"))
    FxRate.objects.filter(currency="CNY").update(rate=Decimal("15"))

    line = OrderLine.objects.get(order=order)
    assert (line.unit_price, line.fx_rate, line.unit_price_rub) == (Decimal("100.00"), Decimal("12.5"), Decimal(1250))


def test_totals_are_lines_plus_flat_delivery_cost_of_the_method(settings):
    settings.STORE_DELIVERY_COSTS_RUB = {"post_pickup": "250.00", "courier": "590.00"}
    a = SkuFactory(price=Decimal("1000.00"))
    b = SkuFactory(price=Decimal("299.50"))

    order = place_order(skus=[a, b], quantity=2, delivery_method="courier")

    assert order.subtotal == Decimal("2599.00")
    assert order.delivery_cost == Decimal("590.00")
    assert order.total == Decimal("3189.00")
    assert order.currency == "RUB"


def test_placing_takes_the_stock():
    sku = SkuFactory(stock=5)

    place_order(skus=[sku], quantity=3)

    sku.refresh_from_db()
    assert sku.stock == 2


def test_out_of_stock_names_the_item_and_writes_nothing():
    plenty = SkuFactory(stock=10)
    short = SkuFactory(stock=1, product=ProductFactory(title="Кеды"), options={"Размер": "42"})

    with pytest.raises(OutOfStock) as exc:
        place_order(skus=[plenty, short], quantity=2)

    assert "«Кеды (42)» — осталось 1 шт." in str(exc.value)
    assert _nothing_written()
    plenty.refresh_from_db()
    short.refresh_from_db()
    assert (plenty.stock, short.stock) == (10, 1)


def test_sold_out_item_is_named_as_finished():
    sku = SkuFactory(stock=0, product=ProductFactory(title="Рюкзак"))

    with pytest.raises(OutOfStock, match="«Рюкзак» — закончился"):
        place_order(skus=[sku])


def test_unknown_sku_is_refused():
    with pytest.raises(ItemUnavailable, match="Такого товара нет"):
        order_place(
            details=OrderDetailsFactory(),
            actor="guest",
            idempotency_key="k1",
            lines=[LineRequest(sku_id=987654321, quantity=1)],
        )
    assert _nothing_written()


def test_sku_no_longer_sold_is_refused():
    sku = SkuFactory(is_active=False, product=ProductFactory(title="Чайник"))

    with pytest.raises(ItemUnavailable, match="«Чайник»"):
        place_order(skus=[sku])
    assert _nothing_written()


def test_sku_in_a_currency_without_rate_is_refused():
    FxRateFactory(currency="EUR", rate=Decimal("100"))
    sku = SkuFactory(currency="EUR", price=Decimal("10.00"))
    FxRate.objects.filter(currency="EUR").delete()  # the rate is gone (a bad load): the price cannot be trusted
    cache.clear()

    with pytest.raises(ItemUnavailable):
        place_order(skus=[sku])
    assert _nothing_written()


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_bad_quantity_is_refused(quantity):
    sku = SkuFactory(stock=500)

    with pytest.raises(QuantityInvalid):
        place_order(skus=[sku], quantity=quantity)
    assert _nothing_written()


def test_no_lines_is_refused():
    with pytest.raises(EmptyOrder):
        order_place(details=OrderDetailsFactory(), actor="guest", idempotency_key="k2", lines=[])


@pytest.mark.parametrize(
    ("field", "value"),
    [("postcode", "012345"), ("postcode", "12345"), ("postcode", "1234567"), ("contact_phone", "12"), ("house", "")],
)
def test_bad_details_are_refused_naming_the_field(field, value):
    with pytest.raises(OrderDetailsInvalid) as exc:
        place_order(**{field: value})

    assert exc.value.field == field
    assert _nothing_written()


def test_phone_is_normalised_and_email_lowercased():
    order = place_order(contact_phone="8 (916) 123-45-67", contact_email=" Anna@Example.RU ")

    assert (order.contact_phone, order.contact_email) == ("+79161234567", "anna@example.ru")


def test_same_sku_named_twice_becomes_one_line():
    sku = SkuFactory(stock=5)

    order = order_place(
        details=OrderDetailsFactory(),
        actor="guest",
        idempotency_key="k3",
        lines=[LineRequest(sku_id=sku.pk, quantity=1), LineRequest(sku_id=sku.pk, quantity=2)],
    )

    assert order.lines.get().quantity == 3


def test_repeated_key_returns_the_first_order_and_takes_stock_once():
    sku = SkuFactory(stock=5)

    first = place_order(skus=[sku], key="double-submit")
    second = place_order(skus=[sku], key="double-submit")

    assert first.pk == second.pk
    assert Order.objects.count() == 1
    sku.refresh_from_db()
    assert sku.stock == 4


def test_shopper_order_belongs_to_them_and_guest_order_to_nobody():
    user = UserFactory()

    mine = place_order(user=user)
    guest = place_order()

    assert (mine.user, mine.is_guest) == (user, False)
    assert (guest.user, guest.is_guest) == (None, True)
    assert mine.status_changes.get().actor == user


def test_query_count_does_not_grow_with_the_number_of_lines():
    few = [SkuFactory()]
    many = [SkuFactory() for _ in range(10)]

    with CaptureQueriesContext(connection) as one_line:
        place_order(skus=few)
    with CaptureQueriesContext(connection) as ten_lines:
        place_order(skus=many)

    assert len(ten_lines) == len(one_line)
    # SKUs, order number, order, stock, lines, history; the outbox job (savepoint, insert, release);
    # and the savepoint pair the test's own transaction turns the durable block into.
    assert len(one_line) <= 11
