import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from logistics.customs import customs_rule_get
from logistics.models import CustomsDeclaration, CustomsRule, OrderDelivery, Parcel, ParcelStatus
from logistics.services import order_delivery_record, parcels_create_for_order, parcels_sync
from orders.services import order_cancel, order_confirm
from payments.cod import cod_payment_start
from tests.catalog.factories import FxRateFactory, ProductFactory, SkuFactory
from tests.orders.factories import place_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eur_rate():
    FxRateFactory(currency="EUR", date=timezone.localdate() - datetime.timedelta(days=1), rate=Decimal("100"))


def sku(origin="CN", price="1000.00", grams=500, **kw):
    return SkuFactory(product=ProductFactory(origin=origin, weight_grams=grams, **kw), price=Decimal(price), stock=50)


def test_a_placed_order_gets_no_parcels_until_it_is_confirmed_or_paid():
    order = place_order(skus=[sku()])
    assert parcels_create_for_order(order=order, actor="system") == []
    assert not Parcel.objects.filter(order=order).exists()


def test_a_confirmed_order_becomes_one_parcel_per_origin_with_its_lines():
    order = place_order(skus=[sku("CN"), sku("RU"), sku("CN")], quantity=2)
    order_confirm(order=order, actor="system")
    parcels = parcels_create_for_order(order=order, actor="system")
    assert sorted(p.origin for p in parcels) == ["CN", "RU"]
    cn = next(p for p in parcels if p.origin == "CN")
    assert sorted(line.quantity for line in cn.lines.all()) == [2, 2]
    assert (cn.reference, cn.status, cn.weight_grams) == (f"{order.number}-1", ParcelStatus.CREATED, 2000)
    assert cn.status_changes.get().to_status == ParcelStatus.CREATED


def test_parcels_are_made_once():
    order = place_order(skus=[sku()])
    order_confirm(order=order, actor="system")
    first = parcels_create_for_order(order=order, actor="system")
    again = parcels_create_for_order(order=order, actor="system")
    assert [p.pk for p in first] == [p.pk for p in again]


def splitting_allowed_today():
    """The regime in force on the machine's date, with splitting allowed (rules are data)."""
    rule = customs_rule_get(on=timezone.localdate())
    CustomsRule.objects.filter(pk=rule.pk).update(split_allowed=True)


def test_cross_border_goods_are_split_under_200_eur_and_get_cn23():
    splitting_allowed_today()
    # 15 000 ₽ = €150 each: three pieces cannot share a parcel under €200
    order = place_order(skus=[sku("EU", price="15000.00", hs_code="640411", country_of_origin="IT")], quantity=3)
    order_confirm(order=order, actor="system")
    parcels = parcels_create_for_order(order=order, actor="system")
    assert len(parcels) == 3
    declaration = CustomsDeclaration.objects.get(parcel=parcels[0])
    line = declaration.lines.get()
    assert (declaration.total_value, declaration.currency, declaration.duty_eur) == (Decimal("150.00"), "EUR", 0)
    assert declaration.customs_rule.valid_from <= timezone.localdate()
    assert (line.hs_code, line.country_of_origin, line.quantity, line.net_weight_grams) == ("640411", "IT", 1, 500)
    assert line.description_en.endswith("Textile footwear, sneakers")
    assert line.description_ru.startswith("Товар")


def test_russian_parcels_carry_no_customs_declaration():
    order = place_order(skus=[sku("RU")])
    order_confirm(order=order, actor="system")
    (parcel,) = parcels_create_for_order(order=order, actor="system")
    assert not CustomsDeclaration.objects.filter(parcel=parcel).exists()


def test_cod_amounts_of_the_parcels_add_up_to_what_payments_collects():
    splitting_allowed_today()
    order = place_order(skus=[sku("EU", price="15000.00"), sku("RU", price="999.99")], quantity=2)
    payment = cod_payment_start(order=order)
    parcels = parcels_create_for_order(order=order, actor="system")
    assert len(parcels) == 3
    assert sum(p.cod_amount for p in parcels) == payment.amount == order.total


def test_prepaid_orders_have_nothing_to_collect():
    order = place_order(skus=[sku()], payment_method="card")
    from orders.services import order_mark_paid

    order_mark_paid(order=order)
    (parcel,) = parcels_create_for_order(order=order, actor="system")
    assert parcel.cod_amount == 0


def test_parcels_carry_the_promise_frozen_at_placement():
    order = place_order(skus=[sku("CN")], postcode="101000")
    delivery = order_delivery_record(order=order, actor="system")
    order_confirm(order=order, actor="system")
    (parcel,) = parcels_create_for_order(order=order, actor="system")
    assert parcel.promised_by == delivery.promised_by
    placed = timezone.localtime(order.placed_at).date()
    assert (delivery.promised_by - placed).days == 10


def test_pickup_orders_are_addressed_to_the_pickup_point():
    order = place_order(skus=[sku("RU")], postcode="101000", delivery_method="post_pickup")
    delivery = order_delivery_record(order=order, actor="system")
    order_confirm(order=order, actor="system")
    (parcel,) = parcels_create_for_order(order=order, actor="system")
    assert delivery.pickup_point is not None
    assert (parcel.postcode, parcel.city) == (delivery.pickup_point.postcode, delivery.pickup_point.city)


def test_sync_makes_parcels_for_confirmed_orders_and_cancels_those_of_cancelled_orders():
    confirmed = place_order(skus=[sku()])
    order_confirm(order=confirmed, actor="system")
    waiting = place_order(skus=[sku()])
    assert parcels_sync() == (1, 0)
    assert Parcel.objects.filter(order=confirmed).count() == 1
    assert not Parcel.objects.filter(order=waiting).exists()
    order_cancel(order=confirmed, actor="system", reason="передумал")
    assert parcels_sync() == (0, 1)
    assert Parcel.objects.get(order=confirmed).status == ParcelStatus.CANCELLED
    assert parcels_sync() == (0, 0)


def test_sync_waits_for_a_eur_rate_and_goes_on_with_other_orders():
    from storefront.catalog.models import FxRate

    FxRate.objects.filter(currency="EUR").delete()
    cross = place_order(skus=[sku("CN")])
    domestic = place_order(skus=[sku("RU")])
    for order in (cross, domestic):
        order_confirm(order=order, actor="system")
    assert parcels_sync() == (1, 0)
    assert Parcel.objects.filter(order=domestic).exists()
    assert not Parcel.objects.filter(order=cross).exists()
    FxRateFactory(currency="EUR", rate=Decimal("100"))
    assert parcels_sync() == (1, 0)
    assert Parcel.objects.filter(order=cross).exists()


def test_an_unsplittable_regime_ships_one_parcel_with_the_duty_on_the_whole_value():
    rule = customs_rule_get(on=timezone.localdate())
    CustomsRule.objects.filter(pk=rule.pk).update(split_allowed=False, duty_base="whole", rate=Decimal("0.05"))
    order = place_order(skus=[sku("EU", price="15000.00")], quantity=3)
    order_confirm(order=order, actor="system")
    (parcel,) = parcels_create_for_order(order=order, actor="system")
    assert parcel.customs.duty_eur == Decimal("22.50")
    assert OrderDelivery.objects.get(order=order).duty_rub == Decimal("2250.00")
