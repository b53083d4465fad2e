"""Delivery promises: from an origin to a postcode, for an order placed at a given moment (Moscow time).

dispatch day = the order day moved by the origin's cut-offs ("before 11:00 → same day, before 23:00 → next day";
after the last cut-off the order counts as placed at 00:00 the next day); arrival = dispatch day + the transit
days of the most specific active PromiseRule for the region (highest priority wins). Calendar days: the post
works every day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from storefront.core.local_copy import LocalCopy

from .models import DeliveryTariff, DispatchCutoff, PromiseRule, Region

MOSCOW = ZoneInfo("Europe/Moscow")
RULES_CACHE_KEY = "logistics:rules:v1"
RULES_CACHE_SECONDS = 60  # admin edits drop the cache at once (rules_cache_clear); other writers wait this long


@dataclass(frozen=True)
class RuleBook:
    regions: dict[str, Region]
    promise_rules: dict[str, list[PromiseRule]]  # origin -> active rules, highest priority first
    cutoffs: dict[str, list[tuple[datetime.time, int]]]  # origin -> [(before, dispatch days)] by time
    tariffs: dict[str, list[DeliveryTariff]]  # method -> active tariffs, highest priority first

    def region(self, postcode: str) -> Region | None:
        return self.regions.get((postcode or "")[:3])


# This process's copy of the book (storefront.core.local_copy): unpickling the book from Redis (~1,000 model
# instances) costs ~4 ms, and a checkout reads it a dozen times per request; rules_cache_clear drops it at once.
_local: LocalCopy[RuleBook] = LocalCopy(max_keys=1)


def rule_book_get() -> RuleBook:
    """Every region, promise rule, cut-off and tariff (a few hundred rows) in one cached object."""
    return _local.get(None, _rule_book_load)


def _rule_book_load() -> RuleBook:
    book = cache.get(RULES_CACHE_KEY)
    if book is None:
        rules: dict[str, list[PromiseRule]] = {}
        for rule in PromiseRule.objects.filter(is_active=True).order_by("-priority", "id"):
            rules.setdefault(rule.origin, []).append(rule)
        cutoffs: dict[str, list[tuple[datetime.time, int]]] = {}
        for c in DispatchCutoff.objects.filter(is_active=True).order_by("before"):
            cutoffs.setdefault(c.origin, []).append((c.before, c.dispatch_days))
        tariffs: dict[str, list[DeliveryTariff]] = {}
        for tariff in DeliveryTariff.objects.filter(is_active=True).order_by("-priority", "id"):
            tariffs.setdefault(tariff.method, []).append(tariff)
        book = RuleBook(
            regions={r.prefix: r for r in Region.objects.all()},
            promise_rules=rules,
            cutoffs=cutoffs,
            tariffs=tariffs,
        )
        cache.set(RULES_CACHE_KEY, book, RULES_CACHE_SECONDS)
    return book


def rules_cache_clear() -> None:
    from .customs import customs_terms_clear  # customs' process-local copy of the regime and EUR rate

    _local.clear()
    cache.delete(RULES_CACHE_KEY)
    customs_terms_clear()


def days_word(n: int) -> str:
    """«день» for n in the shopper's language: 1 день, 2 дня, 5 дней, 11 дней, 21 день (the ru catalog's plural
    forms); 1 day, 21 days in English."""
    return ngettext("день", "дней", n)


@dataclass(frozen=True)
class DeliveryPromise:
    origin: str
    postcode: str
    region: Region | None
    order_date: datetime.date  # Moscow date of the order moment
    dispatch_date: datetime.date
    date_from: datetime.date
    date_to: datetime.date
    rule_id: int | None

    @property
    def min_days(self) -> int:
        return (self.date_from - self.order_date).days

    @property
    def max_days(self) -> int:
        return (self.date_to - self.order_date).days

    @property
    def days_text(self) -> str:
        """ "7–10 дней", "3 дня", "сегодня", "завтра"."""
        lo, hi = self.min_days, self.max_days
        if hi == 0:
            return gettext("сегодня")
        if hi == 1 and lo >= 1:
            return gettext("завтра")
        if lo == hi:
            return f"{hi} {days_word(hi)}"
        return f"{lo}–{hi} {days_word(hi)}"

    @property
    def date_text(self) -> str:
        """ "к 3 декабря" (the latest promised day)."""
        return gettext("к %(date)s") % {"date": date_format(self.date_to, "j E")}

    def as_json(self) -> dict:
        return {
            "origin": self.origin,
            "min_days": self.min_days,
            "max_days": self.max_days,
            "dispatch": self.dispatch_date.isoformat(),
            "from": self.date_from.isoformat(),
            "by": self.date_to.isoformat(),
            "rule": self.rule_id,
        }


def dispatch_date_get(*, origin: str, at: datetime.datetime, book: RuleBook | None = None) -> datetime.date:
    """The day an order placed at `at` leaves the warehouse, by the origin's cut-offs in Moscow time."""
    book = book or rule_book_get()
    local = timezone.localtime(at, MOSCOW)
    cutoffs = book.cutoffs.get(origin)
    if not cutoffs:
        return local.date()
    for before, days in cutoffs:
        if local.time() < before:
            return local.date() + datetime.timedelta(days=days)
    # after the day's last cut-off: as if placed at 00:00 tomorrow
    tomorrow = local.date() + datetime.timedelta(days=1)
    days = next((days for before, days in cutoffs if before > datetime.time(0, 0)), 0)
    return tomorrow + datetime.timedelta(days=days)


def next_cutoff_get(*, origin: str, at: datetime.datetime) -> dict | None:
    """The origin's cut-off still ahead on the day of `at` (Moscow time): {"before": time, "days": n}, or None."""
    local = timezone.localtime(at, MOSCOW)
    for before, days in rule_book_get().cutoffs.get(origin, []):
        if local.time() < before:
            return {"before": before, "days": days}
    return None


def promise_rule_for(*, origin: str, region: Region | None, book: RuleBook) -> PromiseRule | None:
    return next((r for r in book.promise_rules.get(origin, []) if r.matches(region)), None)


def delivery_promise(*, origin: str, postcode: str, at: datetime.datetime | None = None) -> DeliveryPromise | None:
    """When goods from `origin` ordered at `at` (now by default) reach `postcode`; None when no rule applies."""
    at = at or timezone.now()
    book = rule_book_get()
    region = book.region(postcode)
    rule = promise_rule_for(origin=origin, region=region, book=book)
    if rule is None:
        return None
    dispatch = dispatch_date_get(origin=origin, at=at, book=book)
    return DeliveryPromise(
        origin=origin,
        postcode=postcode,
        region=region,
        order_date=timezone.localtime(at, MOSCOW).date(),
        dispatch_date=dispatch,
        date_from=dispatch + datetime.timedelta(days=rule.min_days),
        date_to=dispatch + datetime.timedelta(days=rule.max_days),
        rule_id=rule.pk,
    )
