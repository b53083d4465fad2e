import datetime
from decimal import Decimal

import pytest

from logistics.customs import ShipItem, customs_rule_get, duty_eur, is_duty_free, parcel_plan, to_eur
from storefront.catalog.exceptions import FxRateMissing
from tests.catalog.factories import FxRateFactory

pytestmark = pytest.mark.django_db

OLD = datetime.date(2026, 6, 30)  # last day of "15 % of the excess over €200 / 31 kg"
NEW = datetime.date(2026, 7, 1)  # first day of the e-commerce regime


@pytest.fixture
def rates():
    for day in (OLD, NEW):
        FxRateFactory(currency="EUR", date=day, rate=Decimal("100.000000"))
        FxRateFactory(currency="CNY", date=day, rate=Decimal("12.500000"))


def eur(key, value, grams=500, qty=1, origin="EU"):
    return ShipItem(key=key, origin=origin, quantity=qty, unit_price=Decimal(value), currency="EUR",
                    rub_rate=Decimal("100"), weight_grams=grams)  # fmt: skip


def test_the_regime_in_force_is_chosen_by_date():
    assert customs_rule_get(on=OLD).duty_base == "excess"
    assert customs_rule_get(on=NEW).duty_base == "whole"
    assert customs_rule_get(on=datetime.date(2020, 1, 1)) is None


def test_exactly_200_eur_is_duty_free():
    rule = customs_rule_get(on=OLD)
    assert is_duty_free(rule=rule, value_eur=Decimal("200.00"), weight_grams=1000)
    assert duty_eur(rule=rule, value_eur=Decimal("200.00"), weight_grams=1000) == 0


def test_200_01_eur_is_over_the_threshold():
    rule = customs_rule_get(on=OLD)
    assert not is_duty_free(rule=rule, value_eur=Decimal("200.01"), weight_grams=1000)


def test_old_regime_takes_15_percent_of_the_excess():
    rule = customs_rule_get(on=OLD)
    assert duty_eur(rule=rule, value_eur=Decimal("300.00"), weight_grams=1000) == Decimal("15.00")


def test_31_kg_is_duty_free_and_31_001_kg_is_not():
    rule = customs_rule_get(on=OLD)
    assert is_duty_free(rule=rule, value_eur=Decimal("50"), weight_grams=31_000)
    assert not is_duty_free(rule=rule, value_eur=Decimal("50"), weight_grams=31_001)


def test_old_regime_charges_at_least_2_eur_per_kg_of_excess_weight():
    rule = customs_rule_get(on=OLD)
    assert duty_eur(rule=rule, value_eur=Decimal("50"), weight_grams=36_000) == Decimal("10.00")
    # value excess 15 % of 10 = 1.50 < 2 € × 5 kg
    assert duty_eur(rule=rule, value_eur=Decimal("210"), weight_grams=36_000) == Decimal("10.00")


def test_new_regime_takes_5_percent_of_the_whole_value_at_least_1_eur_per_kg():
    rule = customs_rule_get(on=NEW)
    assert duty_eur(rule=rule, value_eur=Decimal("300.00"), weight_grams=2000) == Decimal("15.00")
    assert duty_eur(rule=rule, value_eur=Decimal("210.00"), weight_grams=20_000) == Decimal("20.00")
    assert duty_eur(rule=rule, value_eur=Decimal("200.00"), weight_grams=20_000) == 0


def test_fx_conversion_goes_through_roubles_to_the_cent():
    # 1600 CNY × 12.5 ₽ / 100 ₽ per € = €200.00 exactly
    assert to_eur(amount=Decimal("1600"), rub_rate=Decimal("12.5"), eur_rate=Decimal("100")) == Decimal("200.00")
    assert to_eur(amount=Decimal("1601"), rub_rate=Decimal("12.5"), eur_rate=Decimal("100")) == Decimal("200.13")


def test_cny_goods_worth_exactly_200_eur_ship_duty_free_and_a_yuan_more_does_not(rates):
    def item(price):
        return ShipItem(key=1, origin="CN", quantity=1, unit_price=Decimal(price), currency="CNY",
                        rub_rate=Decimal("12.5"), weight_grams=800)  # fmt: skip

    assert parcel_plan(items=[item("1600")], on=OLD).duty_eur == 0
    plan = parcel_plan(items=[item("2400")], on=OLD)  # €300
    assert (plan.duty_eur, plan.duty_rub) == (Decimal("15.00"), Decimal("1500.00"))


def test_split_keeps_each_parcel_under_200_eur_where_allowed(rates):
    plan = parcel_plan(items=[eur(1, "150", qty=3)], on=OLD)
    assert [p.value_eur for p in plan.parcels] == [Decimal("150.00")] * 3
    assert plan.duty_eur == 0


def test_goods_adding_up_to_exactly_200_eur_share_one_parcel(rates):
    plan = parcel_plan(items=[eur(1, "120"), eur(2, "80")], on=OLD)
    assert len(plan.parcels) == 1 and plan.parcels[0].value_eur == Decimal("200.00")


def test_split_by_weight_keeps_each_parcel_within_31_kg(rates):
    plan = parcel_plan(items=[eur(1, "10", grams=20_000, qty=2)], on=OLD)
    assert [p.weight_grams for p in plan.parcels] == [20_000, 20_000]


def test_a_piece_over_the_threshold_on_its_own_ships_alone_with_duty(rates):
    plan = parcel_plan(items=[eur(1, "300"), eur(2, "50")], on=OLD)
    assert sorted(p.value_eur for p in plan.parcels) == [Decimal("50.00"), Decimal("300.00")]
    assert plan.duty_eur == Decimal("15.00")


def test_no_more_parcels_than_the_rule_allows(rates):
    plan = parcel_plan(items=[eur(1, "150", qty=7)], on=OLD)  # max_parcels = 5
    assert len(plan.parcels) == 5
    assert sum(p.units[1] for p in plan.parcels) == 7
    assert plan.duty_eur > 0


def test_new_regime_does_not_split_and_shows_the_duty(rates):
    plan = parcel_plan(items=[eur(1, "150", qty=3)], on=NEW)
    assert len(plan.parcels) == 1
    assert plan.duty_eur == Decimal("22.50")  # 5 % of €450


def test_goods_split_by_origin_warehouse_and_russian_stock_has_no_duty(rates):
    items = [eur(1, "100"), eur(2, "50", origin="CN"), eur(3, "5000", origin="RU")]
    plan = parcel_plan(items=items, on=OLD)
    assert sorted(p.origin for p in plan.parcels) == ["CN", "EU", "RU"]
    assert plan.duty_eur == 0


def test_cross_border_goods_without_a_eur_rate_raise():
    with pytest.raises(FxRateMissing):
        parcel_plan(items=[eur(1, "100")], on=datetime.date(2001, 1, 1))


def test_the_checkout_s_copy_of_the_regime_and_rate_lasts_its_window_and_an_admin_edit_drops_it(
    rates, settings, django_assert_num_queries
):
    from logistics.customs import customs_terms_get
    from logistics.models import CustomsRule
    from logistics.promise import rules_cache_clear

    settings.STORE_CATALOG_LOCAL_SECONDS = 60
    rules_cache_clear()
    with django_assert_num_queries(2):
        rule, rate = customs_terms_get(on=OLD, local=True)
    assert (rule.duty_base, rate) == ("excess", Decimal("100.000000"))
    CustomsRule.objects.filter(pk=rule.pk).update(threshold_eur=Decimal("150"))
    with django_assert_num_queries(0):
        assert customs_terms_get(on=OLD, local=True)[0].threshold_eur == rule.threshold_eur
    with django_assert_num_queries(2):  # writers read the database
        assert customs_terms_get(on=OLD)[0].threshold_eur == Decimal("150")
    rules_cache_clear()  # what the admin's save does
    assert customs_terms_get(on=OLD, local=True)[0].threshold_eur == Decimal("150")
    rules_cache_clear()
