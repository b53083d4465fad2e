import datetime
from zoneinfo import ZoneInfo

import pytest

from logistics.models import PromiseRule
from logistics.promise import days_word, delivery_promise, next_cutoff_get, rules_cache_clear

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")


def msk(y, m, d, hh=12, mm=0):
    return datetime.datetime(y, m, d, hh, mm, tzinfo=MSK)


def test_china_to_central_russia_is_7_to_10_days():
    p = delivery_promise(origin="CN", postcode="101000", at=msk(2026, 11, 23))
    assert (p.min_days, p.max_days) == (7, 10)
    assert p.days_text == "7–10 дней"
    assert p.date_text == "к 3 декабря"


def test_china_to_a_region_outside_central_russia_is_15_to_20_days():
    p = delivery_promise(origin="CN", postcode="630004", at=msk(2026, 11, 23))
    assert (p.min_days, p.max_days) == (15, 20)


def test_china_to_st_petersburg_is_not_central():
    p = delivery_promise(origin="CN", postcode="190000", at=msk(2026, 11, 23))
    assert p.max_days == 20


def test_eu_warehouse_to_the_european_part_is_up_to_a_week_and_3_days_at_the_fastest():
    p = delivery_promise(origin="EU", postcode="420012", at=msk(2026, 11, 23))
    assert (p.min_days, p.max_days) == (3, 7)


def test_eu_warehouse_to_the_asian_part_is_up_to_two_weeks():
    p = delivery_promise(origin="EU", postcode="664003", at=msk(2026, 11, 23))
    assert (p.min_days, p.max_days) == (3, 14)


def test_chelyabinsk_counts_as_asian_part():
    assert delivery_promise(origin="EU", postcode="454000", at=msk(2026, 11, 23)).max_days == 14


def test_unknown_postcode_gets_the_fallback_rule():
    p = delivery_promise(origin="CN", postcode="999999", at=msk(2026, 11, 23))
    assert (p.min_days, p.max_days, p.region) == (15, 20, None)


@pytest.mark.parametrize(
    ("hh", "mm", "dispatch_day", "text"),
    [(0, 5, 23, "сегодня"), (10, 59, 23, "сегодня"), (11, 0, 24, "завтра"), (22, 59, 24, "завтра"),
     (23, 0, 24, "завтра"), (23, 59, 24, "завтра")],
)  # fmt: skip
def test_russian_warehouse_cutoffs_at_11_and_23_moscow_time(hh, mm, dispatch_day, text):
    p = delivery_promise(origin="RU", postcode="101000", at=msk(2026, 11, 23, hh, mm))
    assert p.dispatch_date == datetime.date(2026, 11, dispatch_day)
    assert p.days_text == text


def test_cutoff_is_read_in_moscow_time_whatever_the_input_zone():
    at_utc = datetime.datetime(2026, 11, 23, 7, 30, tzinfo=datetime.UTC)  # 10:30 in Moscow
    assert delivery_promise(origin="RU", postcode="101000", at=at_utc).days_text == "сегодня"
    at_utc = datetime.datetime(2026, 11, 23, 8, 30, tzinfo=datetime.UTC)  # 11:30 in Moscow
    assert delivery_promise(origin="RU", postcode="101000", at=at_utc).days_text == "завтра"


def test_russian_warehouse_transit_days_per_region_add_to_the_dispatch_day():
    p = delivery_promise(origin="RU", postcode="690091", at=msk(2026, 11, 23, 10))  # Far East: 7–12 days
    assert (p.dispatch_date, p.min_days, p.max_days) == (datetime.date(2026, 11, 23), 7, 12)
    late = delivery_promise(origin="RU", postcode="690091", at=msk(2026, 11, 23, 15))
    assert (late.min_days, late.max_days) == (8, 13)


def test_rules_are_data_an_edited_rule_changes_the_promise():
    PromiseRule.objects.filter(origin="CN", is_central=True).update(min_days=5, max_days=8)
    rules_cache_clear()
    assert delivery_promise(origin="CN", postcode="101000", at=msk(2026, 11, 23)).max_days == 8


def test_an_inactive_rule_is_skipped():
    PromiseRule.objects.filter(origin="CN", is_central=True).update(is_active=False)
    rules_cache_clear()
    assert delivery_promise(origin="CN", postcode="101000", at=msk(2026, 11, 23)).max_days == 20


@pytest.mark.parametrize(
    ("n", "word"), [(1, "день"), (2, "дня"), (4, "дня"), (5, "дней"), (11, "дней"), (12, "дней"), (21, "день"),
                    (22, "дня"), (20, "дней")],
)  # fmt: skip
def test_days_word_follows_russian_plural_rules(n, word):
    assert days_word(n) == word


@pytest.mark.parametrize(
    ("hh", "mm", "before", "days"), [(9, 0, "11:00", 0), (11, 0, "23:00", 1), (22, 59, "23:00", 1), (23, 0, None, None)]
)
def test_next_cutoff_shown_on_the_product_page(hh, mm, before, days):
    cutoff = next_cutoff_get(origin="RU", at=msk(2026, 11, 23, hh, mm))
    if before is None:
        assert cutoff is None
    else:
        assert (f"{cutoff['before']:%H:%M}", cutoff["days"]) == (before, days)


def test_origins_without_cutoffs_have_none():
    assert next_cutoff_get(origin="CN", at=msk(2026, 11, 23, 9)) is None
