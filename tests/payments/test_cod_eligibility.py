"""Who may pay on delivery: the order total, excluded products/variants, shoppers with refused parcels."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.cod import cod_eligibility, cod_exclusion_add, cod_flag_clear
from payments.models import CodCustomerFlag
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProductFactory, SkuFactory
from tests.orders.factories import place_order

pytestmark = pytest.mark.django_db

PHONE = "+79161234567"


def _check(total="1500.00", skus=(), user=None, phone=PHONE):
    return cod_eligibility(order_or_cart_total=Decimal(total), sku_ids=[s.pk for s in skus], user=user, phone=phone)


def _flag(*, user=None, phone=PHONE) -> CodCustomerFlag:
    order = place_order(user=user, contact_phone=phone)
    return CodCustomerFlag.objects.create(user=user, phone=phone, order=order, reason="не выкуплен")


def test_an_ordinary_cart_may_be_paid_on_delivery():
    ok, reason = _check(skus=[SkuFactory()])

    assert ok is True
    assert reason == ""


def test_a_total_above_the_maximum_is_refused_with_the_limit_named(settings):
    settings.STORE_COD_MAX_RUB = "50000.00"

    ok, reason = _check(total="50000.01")

    assert ok is False
    assert reason == "Оплата при получении — для заказов до 50\xa0000\xa0₽. Выберите оплату онлайн."


def test_a_total_of_exactly_the_maximum_is_allowed(settings):
    settings.STORE_COD_MAX_RUB = "50000.00"

    assert _check(total="50000.00").ok is True


def test_a_product_excluded_from_cod_is_refused_with_its_title():
    sku = SkuFactory(product=ProductFactory(title="Смартфон X"))
    cod_exclusion_add(product_ids=[sku.product_id], reason="распродажа", actor="system")

    ok, reason = _check(skus=[SkuFactory(), sku])

    assert ok is False
    assert reason == "Товар «Смартфон X» можно оплатить только онлайн."


def test_an_excluded_variant_keeps_the_other_variants_of_its_product_allowed():
    excluded = SkuFactory()
    sibling = SkuFactory(product=excluded.product)
    cod_exclusion_add(sku_ids=[excluded.pk], reason="распродажа", actor="system")

    assert _check(skus=[excluded]).ok is False
    assert _check(skus=[sibling]).ok is True


def test_an_exclusion_that_has_ended_no_longer_applies():
    sku = SkuFactory()
    now = timezone.now()
    cod_exclusion_add(
        product_ids=[sku.product_id], reason="распродажа", actor="system",
        starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1),
    )  # fmt: skip

    assert _check(skus=[sku]).ok is True


def test_a_phone_with_a_refused_parcel_is_refused_whatever_its_spelling():
    _flag(phone=PHONE)

    ok, reason = _check(phone="8 (916) 123-45-67")

    assert ok is False
    assert "не был выкуплен" in reason


def test_an_account_with_a_refused_parcel_is_refused_under_another_phone():
    user = UserFactory()
    _flag(user=user)

    assert _check(user=user, phone="+79031112233").ok is False


def test_a_flag_cleared_by_support_gives_cod_back():
    flag = _flag()

    cod_flag_clear(flag_id=flag.pk, actor="system", note="оплатил возврат")

    assert _check().ok is True


def test_the_refusal_limit_is_configurable(settings):
    settings.STORE_COD_REFUSALS_LIMIT = 2
    _flag()

    assert _check().ok is True


def test_cod_switched_off_in_settings_is_refused(settings):
    settings.STORE_COD_ENABLED = False

    ok, reason = _check()

    assert ok is False
    assert reason == "Оплата при получении сейчас недоступна."
