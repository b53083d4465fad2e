"""Seed data shipped with the project: the region table, promise rules, cut-offs, tariffs, customs regimes and a
sample of pickup points. The data migrations call these with historical models (`apps.get_model`), so the
functions take model classes and never import logistics.models.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
REGIONS_CSV = DATA / "regions.csv"
PICKUP_CITIES_CSV = DATA / "pickup_cities.csv"


def region_rows() -> Iterator[dict]:
    with REGIONS_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            yield {
                "prefix": row["prefix"],
                "subject": row["subject"],
                "federal_district": row["federal_district"],
                "part": row["part"],
                "is_central": row["is_central"] == "1",
            }


def regions_load(Region) -> int:
    """Insert the prefixes the table lacks (rows ops corrected stay as they are)."""
    have = set(Region.objects.values_list("prefix", flat=True))
    new = [Region(**row) for row in region_rows() if row["prefix"] not in have]
    Region.objects.bulk_create(new)
    return len(new)


DOMAIN = "DOMAIN.md §0"
ESTIMATE = "Оценка для склада в Москве; сверяйте с отчётом «обещано/доставлено»"

PROMISE_RULES = [
    # origin, scope, min, max, priority, note
    ("CN", {"is_central": True}, 7, 10, 10, f"{DOMAIN}: 7–10 дней до центральной России"),
    ("CN", {}, 15, 20, 0, f"{DOMAIN}: 15–20 дней в остальные регионы"),
    ("EU", {"part": "europe"}, 3, 7, 10, f"{DOMAIN}: до недели в европейскую часть, быстрее всего 3 дня"),
    ("EU", {"part": "asia"}, 3, 14, 10, f"{DOMAIN}: до двух недель в азиатскую часть"),
    ("EU", {}, 3, 14, 0, "Индекс не найден в таблице регионов: самый долгий срок"),
    ("RU", {"subject": "Москва"}, 0, 0, 30, f"{DOMAIN}: «2-11» — до 11:00 сегодня, до 23:00 завтра"),
    ("RU", {"subject": "Московская область"}, 0, 1, 30, ESTIMATE),
    ("RU", {"federal_district": "central"}, 1, 2, 20, ESTIMATE),
    ("RU", {"federal_district": "northwest"}, 2, 3, 20, ESTIMATE),
    ("RU", {"federal_district": "volga"}, 2, 4, 20, ESTIMATE),
    ("RU", {"federal_district": "south"}, 3, 5, 20, ESTIMATE),
    ("RU", {"federal_district": "north_caucasus"}, 4, 6, 20, ESTIMATE),
    ("RU", {"federal_district": "ural"}, 3, 5, 20, ESTIMATE),
    ("RU", {"federal_district": "siberia"}, 5, 8, 20, ESTIMATE),
    ("RU", {"federal_district": "far_east"}, 7, 12, 20, ESTIMATE),
    ("RU", {}, 3, 10, 0, "Индекс не найден в таблице регионов"),
]
CUTOFFS = [("RU", datetime.time(11, 0), 0), ("RU", datetime.time(23, 0), 1)]
TARIFFS = [
    # method, scope, base, per kg over the first, priority
    ("post_pickup", {}, "299.00", "40.00", 0),
    ("post_pickup", {"federal_district": "far_east"}, "399.00", "60.00", 10),
    ("courier", {}, "499.00", "60.00", 0),
    ("courier", {"federal_district": "siberia"}, "699.00", "80.00", 10),
    ("courier", {"federal_district": "far_east"}, "799.00", "90.00", 10),
]
CUSTOMS_RULES = [
    {
        "name": "Беспошлинно до 200 € и 31 кг, 15 % с превышения",
        "valid_from": datetime.date(2024, 4, 1),
        "valid_until": datetime.date(2026, 6, 30),
        "threshold_eur": Decimal("200.00"),
        "threshold_kg": Decimal("31.000"),
        "rate": Decimal("0.1500"),
        "duty_base": "excess",
        "min_eur_per_kg": Decimal("2.00"),
        "min_per_kg_base": "excess",
        "split_allowed": True,
        "max_parcels": 5,
        "notes": (
            "Решение Совета ЕЭК от 20.12.2017 № 107: порог на одну посылку (не в месяц); 15 % с превышения, "
            "не менее 2 € за кг превышения веса. Источники в DOMAIN.md §4."
        ),
    },
    {
        "name": "Режим для товаров с иностранных площадок (e-commerce) с 1 июля 2026",
        "valid_from": datetime.date(2026, 7, 1),
        "valid_until": None,
        "threshold_eur": Decimal("200.00"),
        "threshold_kg": Decimal("31.000"),
        "rate": Decimal("0.0500"),
        "duty_base": "whole",
        "min_eur_per_kg": Decimal("1.00"),
        "min_per_kg_base": "whole",
        "split_allowed": False,
        "max_parcels": 5,
        "notes": (
            "Принято: порог 200 € (может быть пересмотрен), выше — 5 % со всей стоимости покупки, не менее 1 € за кг "
            "(interfax.ru 12.01.2026, 24.kg 13.01.2026). НЕ ПРОВЕРЕНО: точный текст решения, как пошлина сочетается "
            "с НДС, сохраняется ли порог 31 кг, можно ли делить заказ на посылки (считаем, что нельзя: порог "
            "на покупку), минимум за кг всего веса или превышения."
        ),
    },
]


def rules_seed(*, PromiseRule, DispatchCutoff, DeliveryTariff, CustomsRule) -> None:
    """The published rules, once: a table that already has rows is left to ops."""
    if not PromiseRule.objects.exists():
        PromiseRule.objects.bulk_create(
            PromiseRule(origin=o, min_days=lo, max_days=hi, priority=prio, note=note, **scope)
            for o, scope, lo, hi, prio, note in PROMISE_RULES
        )
    if not DispatchCutoff.objects.exists():
        DispatchCutoff.objects.bulk_create(DispatchCutoff(origin=o, before=t, dispatch_days=d) for o, t, d in CUTOFFS)
    if not DeliveryTariff.objects.exists():
        DeliveryTariff.objects.bulk_create(
            DeliveryTariff(method=m, base_rub=Decimal(base), per_kg_rub=Decimal(kg), priority=prio, **scope)
            for m, scope, base, kg, prio in TARIFFS
        )
    if not CustomsRule.objects.exists():
        CustomsRule.objects.bulk_create(CustomsRule(**rule) for rule in CUSTOMS_RULES)


HOURS = [
    "Пн–Пт 08:00–20:00, Сб 09:00–18:00, Вс выходной",
    "Пн–Сб 08:00–20:00, Вс 09:00–18:00",
    "Пн–Пт 09:00–19:00, Сб 10:00–16:00, Вс выходной",
    "Пн–Вс 08:00–20:00",
]
PARCEL_CENTRE_HOURS = "Ежедневно 08:00–22:00"


def pickup_point_rows() -> Iterator[dict]:
    """~200 post offices and parcel centres in 25 big cities, generated deterministically from
    data/pickup_cities.csv (city centre, its offices' indexes, main streets). Fields as import_pickup_points reads."""
    seen: set[str] = set()
    with PICKUP_CITIES_CSV.open(encoding="utf-8", newline="") as f:
        for city in csv.DictReader(f):
            bases = city["postcodes"].split()
            streets = city["streets"].split(";")
            lat0, lon0 = Decimal(city["latitude"]), Decimal(city["longitude"])
            for i in range(int(city["points"])):
                postcode = _postcode(bases[i % len(bases)], i // len(bases), seen)
                centre = int(city["points"]) >= 8 and i % 7 == 3
                yield {
                    "postcode": postcode,
                    "kind": "parcel_centre" if centre else "post_office",
                    "name": (
                        f"Посылочный центр {city['city']} {postcode}" if centre else f"Отделение связи {postcode}"
                    ),
                    "city": city["city"],
                    "address": f"{streets[(i * 5) % len(streets)]}, д. {1 + (i * 37) % 120}",
                    "hours": PARCEL_CENTRE_HOURS if centre else HOURS[i % len(HOURS)],
                    "latitude": (lat0 + Decimal((i * 7919) % 200 - 100) / 1000).quantize(Decimal("0.000001")),
                    "longitude": (lon0 + Decimal((i * 104729) % 300 - 150) / 1000).quantize(Decimal("0.000001")),
                    "has_parcel_window": centre or i % 3 == 0,
                }


def _postcode(base: str, round_: int, seen: set[str]) -> str:
    """The base office index, or for further rounds another office with the same first three digits."""
    last = int(base[3:])
    step = 0
    while True:
        code = f"{base[:3]}{(last + 111 * round_ + step) % 1000:03d}"
        if code not in seen:
            seen.add(code)
            return code
        step += 1


def pickup_points_seed(PickupPoint) -> int:
    have = set(PickupPoint.objects.values_list("postcode", flat=True))
    new = [PickupPoint(**row) for row in pickup_point_rows() if row["postcode"] not in have]
    PickupPoint.objects.bulk_create(new)
    return len(new)
