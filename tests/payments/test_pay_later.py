"""Pay later: who may use it, and a schedule whose parts add up to the kopeck."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template

from payments.pay_later import pay_later_eligible, pay_later_schedule


@pytest.mark.parametrize(
    "total", ["1000.00", "1000.01", "1000.03", "3000.00", "7999.99", "149999.97", "150000.00", "1234.56"]
)
def test_schedule_parts_add_up_to_the_total_to_the_kopeck(total):
    schedule = pay_later_schedule(Decimal(total))

    assert len(schedule.parts) == 4
    assert sum(p.amount for p in schedule.parts) == Decimal(total)
    assert max(p.amount for p in schedule.parts) - min(p.amount for p in schedule.parts) < Decimal("0.04")


def test_first_part_takes_the_remainder():
    schedule = pay_later_schedule(Decimal("1000.01"))

    assert [p.amount for p in schedule.parts] == [
        Decimal("250.01"),
        Decimal("250.00"),
        Decimal("250.00"),
        Decimal("250.00"),
    ]


def test_parts_fall_due_today_and_every_two_weeks():
    schedule = pay_later_schedule(Decimal("3000"), start=date(2026, 11, 23))

    assert [p.due for p in schedule.parts] == [
        date(2026, 11, 23),
        date(2026, 12, 7),
        date(2026, 12, 21),
        date(2027, 1, 4),
    ]
    assert [p.today for p in schedule.parts] == [True, False, False, False]
    assert schedule.part == Decimal("750.00")


@pytest.mark.parametrize(
    ("total", "eligible"),
    [("999.99", False), ("1000.00", True), ("75000", True), ("150000.00", True), ("150000.01", False), (None, False)],
)
def test_pay_later_is_offered_only_inside_the_configured_range(total, eligible):
    assert pay_later_eligible(total=Decimal(total) if total else None) is eligible


def test_pay_later_range_is_configurable(settings):
    settings.STORE_PAY_LATER_MIN_RUB = "5000"

    assert pay_later_eligible(total=Decimal("4000")) is False


def test_pay_later_is_never_offered_for_another_currency():
    assert pay_later_eligible(total=Decimal("3000"), currency="EUR") is False


def test_pay_later_can_be_switched_off(settings):
    settings.STORE_PAY_LATER_ENABLED = False

    assert pay_later_eligible(total=Decimal("3000")) is False


def test_offer_shows_four_parts_and_the_schedule():
    html = Template("{% load payments %}{% pay_later_offer amount %}").render(Context({"amount": Decimal("3000")}))

    assert "4 платежа по <strong>" not in html  # the amount sits inside the bold part
    assert "4 платежа по 750\u00a0₽" in html
    assert html.count("<li>") == 4


def test_offer_is_empty_where_pay_later_does_not_fit():
    html = Template("{% load payments %}{% pay_later_offer amount %}").render(Context({"amount": Decimal("500")}))

    assert html.strip() == ""


def test_checkout_choice_shows_the_schedule_as_markup_not_as_escaped_text():
    from storefront.cart.forms import PaymentForm

    html = str(PaymentForm(total=Decimal("3000"))["payment_method"])

    assert '<small class="choice-help">4 платежа по 750\u00a0₽: сегодня, ' in html


def test_a_total_pay_later_does_not_fit_has_no_such_choice():
    from payments.selectors import checkout_payment_choices

    assert "pay_later" not in dict(checkout_payment_choices(total=Decimal("999999")))
