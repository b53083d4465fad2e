from decimal import Decimal

import pytest

from storefront.core.money import Money, format_money


def test_roubles_are_grouped_by_three_with_no_break_space():
    assert format_money(Decimal("1299")) == "1\u00a0299\u00a0₽"


def test_kopecks_shown_only_when_present():
    assert format_money(Decimal("1299.5")) == "1\u00a0299,50\u00a0₽"
    assert format_money(Decimal("1000000.00")) == "1\u00a0000\u00a0000\u00a0₽"


def test_money_rounds_half_up_to_the_kopeck():
    assert Money(Decimal("0.005")).amount == Decimal("0.01")


def test_money_refuses_float():
    with pytest.raises(TypeError):
        Money(1.5)


def test_money_refuses_mixed_currencies():
    with pytest.raises(ValueError):
        Money(Decimal(1), "RUB") + Money(Decimal(1), "EUR")
