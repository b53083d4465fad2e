import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from orders.exceptions import (
    EmptyOrder,
    ItemUnavailable,
    OrderDetailsInvalid,
    OrderError,
    OutOfStock,
    PricesChanged,
    QuantityInvalid,
)
from orders.models import Order, OrderLine, OrderStatus, OrderStatusChange
from orders.services import LineRequest, PlacingWrites, RowWrite, SkuSnapshot, order_place
from storefront.catalog.models import FxRate, Sku
from storefront.outbox.models import OutboxJob
from storefront.outbox.services import outbox_job_new
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
    # the SKUs read, then one statement (stock, order, lines, history, outbox job) in a savepoint of the test's
    # own transaction (outside a transaction it is its own)
    assert len(one_line) <= 4


def test_placing_outside_a_transaction_is_one_read_and_one_statement(transactional_db):
    sku = SkuFactory(stock=3)

    with CaptureQueriesContext(connection) as queries:
        order = place_order(skus=[sku])

    assert len(queries) == 2
    assert OrderLine.objects.get(order=order).sku_id == sku.pk
    assert OrderStatusChange.objects.filter(order=order).count() == 1


def _changing(change):
    """A with_order callback that runs `change` once: between the placing's read of the SKUs and its statement."""
    calls = []

    def with_order(order):
        calls.append(order)
        if len(calls) == 1:
            change()
        return []

    return with_order, calls


def test_a_price_changed_after_the_read_is_charged_as_it_is_now_never_as_read():
    sku = SkuFactory(price=Decimal("1000.00"), stock=5)
    with_order, calls = _changing(lambda: Sku.objects.filter(pk=sku.pk).update(price=Decimal("1500.00")))

    order = order_place(
        details=OrderDetailsFactory(), actor="guest", idempotency_key="price-moved",
        lines=[LineRequest(sku_id=sku.pk, quantity=1)], with_order=with_order,
    )  # fmt: skip

    assert len(calls) == 2  # read again after the statement found the price moved
    line = order.lines.get()
    assert (line.unit_price, line.unit_price_rub, order.subtotal) == (Decimal("1500.00"),) * 3
    sku.refresh_from_db()
    assert sku.stock == 4  # taken once


def test_stock_gone_after_the_read_is_refused_and_nothing_written():
    sku = SkuFactory(stock=2, product=ProductFactory(title="Термос"))
    with_order, _calls = _changing(lambda: Sku.objects.filter(pk=sku.pk).update(stock=0))

    with pytest.raises(OutOfStock, match="«Термос» — закончился"):
        order_place(
            details=OrderDetailsFactory(), actor="guest", idempotency_key="sold-meanwhile",
            lines=[LineRequest(sku_id=sku.pk, quantity=1)], with_order=with_order,
        )  # fmt: skip

    assert _nothing_written()
    sku.refresh_from_db()
    assert sku.stock == 0


def test_an_sku_taken_off_sale_after_the_read_is_refused():
    sku = SkuFactory(stock=2, product=ProductFactory(title="Зонт"))
    with_order, _calls = _changing(lambda: Sku.objects.filter(pk=sku.pk).update(is_active=False))

    with pytest.raises(ItemUnavailable, match="«Зонт»"):
        order_place(
            details=OrderDetailsFactory(), actor="guest", idempotency_key="off-sale",
            lines=[LineRequest(sku_id=sku.pk, quantity=1)], with_order=with_order,
        )  # fmt: skip
    assert _nothing_written()


def test_goods_that_keep_changing_give_up_with_try_again_and_write_nothing():
    sku = SkuFactory(price=Decimal("100.00"), stock=5)

    def with_order(order):  # every read finds another price by the time the statement runs
        Sku.objects.filter(pk=sku.pk).update(price=F("price") + 1)
        return []

    with pytest.raises(OrderError) as exc:
        order_place(
            details=OrderDetailsFactory(), actor="guest", idempotency_key="restless",
            lines=[LineRequest(sku_id=sku.pk, quantity=1)], with_order=with_order,
        )  # fmt: skip

    assert type(exc.value) is OrderError
    assert _nothing_written()
    sku.refresh_from_db()
    assert sku.stock == 5


class _Snapshot:
    """An order source whose SKU snapshot is what the shopper saw (the checkout's cart read)."""

    def __init__(self, sku, *, price):
        self.lines = [LineRequest(sku_id=sku.pk, quantity=1)]
        self.snapshot = {
            sku.pk: SkuSnapshot(
                id=sku.pk, code=sku.code, options=sku.options, price=price, currency=sku.currency, stock=sku.stock,
                sellable=True, product_id=sku.product_id, title=sku.product.title,
            )
        }  # fmt: skip
        self.consumed = []

    def order_lines(self):
        return self.lines

    def sku_snapshot(self):
        return self.snapshot

    def consume_sql(self, *, sku_ids):
        self.consumed.append(list(sku_ids))
        return "SELECT 1", []


def test_a_snapshot_with_the_price_the_database_has_is_placed_without_reading_again():
    sku = SkuFactory(price=Decimal("700.00"), stock=5)
    source = _Snapshot(sku, price=Decimal("700.00"))

    with CaptureQueriesContext(connection) as queries:
        order = order_place(details=OrderDetailsFactory(), actor="guest", idempotency_key="snap", cart=source)

    assert order.lines.get().unit_price == Decimal("700.00")
    assert source.consumed == [[sku.pk]]
    assert not any("FROM catalog_sku s JOIN catalog_product" in (q["sql"] or "") for q in queries)


def test_a_snapshot_with_an_old_price_is_refused_as_prices_changed():
    sku = SkuFactory(price=Decimal("900.00"), stock=5)
    source = _Snapshot(sku, price=Decimal("800.00"))  # the shopper saw 800

    with pytest.raises(PricesChanged):
        order_place(details=OrderDetailsFactory(), actor="guest", idempotency_key="stale", cart=source)

    assert _nothing_written()
    sku.refresh_from_db()
    assert sku.stock == 5


def test_another_apps_rows_and_status_are_written_with_the_order_or_not_at_all():
    sku = SkuFactory(stock=1)
    job = outbox_job_new(task="orders.tasks.order_placed_notify", kwargs={"x": 1}, key="with-the-order")

    def with_order(order):
        return [PlacingWrites(rows=[RowWrite(job)], status=OrderStatus.CONFIRMED, actor="system", reason="тест")]

    order = order_place(
        details=OrderDetailsFactory(), actor="guest", idempotency_key="together",
        lines=[LineRequest(sku_id=sku.pk, quantity=1)], with_order=with_order,
    )  # fmt: skip

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    history = list(order.status_changes.values_list("from_status", "to_status", "actor_label", "reason"))
    assert history == [("", "placed", "guest", ""), ("placed", "confirmed", "system", "тест")]
    assert OutboxJob.objects.get(key="with-the-order").kwargs == {"x": 1}

    with pytest.raises(OutOfStock):  # sold out now: neither the order nor the other app's row
        order_place(
            details=OrderDetailsFactory(), actor="guest", idempotency_key="together-2",
            lines=[LineRequest(sku_id=sku.pk, quantity=1)],
            with_order=lambda order: [PlacingWrites(rows=[RowWrite(outbox_job_new(
                task="orders.tasks.order_placed_notify", kwargs={}, key="never"))])],
        )  # fmt: skip
    assert not OutboxJob.objects.filter(key="never").exists()


def test_a_status_a_new_order_cannot_take_is_refused_before_anything_is_written():
    sku = SkuFactory(stock=1)

    with pytest.raises(ValueError, match="cannot move"):
        order_place(
            details=OrderDetailsFactory(), actor="guest", idempotency_key="shipped-at-once",
            lines=[LineRequest(sku_id=sku.pk, quantity=1)],
            with_order=lambda order: [PlacingWrites(status=OrderStatus.SHIPPED)],
        )  # fmt: skip
    assert _nothing_written()


def test_the_same_key_again_after_the_last_unit_went_to_it_returns_that_order():
    sku = SkuFactory(stock=1)

    first = place_order(skus=[sku], key="last-one")
    again = place_order(skus=[sku], key="last-one")  # sold out now, but this is the same order

    assert again.pk == first.pk


def test_a_guests_order_and_a_shoppers_share_one_prepared_statement():
    def placing_statements():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%orders_lines_current%'")
            return cursor.fetchone()[0]

    place_order()  # this line count's statement, prepared on this connection
    before = placing_statements()

    place_order(user=UserFactory())  # a user id where the guest's had none
    place_order(skus=[SkuFactory(stock=70000)])  # a large stock and id

    assert placing_statements() == before
