"""Demo product number i, always the same: its title, attributes, variants, prices and picture keys.

Pure Python (no database), shared by `seed_demo` and the YML feed generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from . import demo_data as data
from .slugs import slug_ru

CARDS_PER_LEAF = 3  # picture cards drawn per leaf category, shared by its products
CURRENCY_OF = {"CN": "CNY", "EU": "EUR", "RU": "RUB"}
FALLBACK_RATES = {"CNY": Decimal("11.2345"), "EUR": Decimal("94.1587"), "RUB": Decimal(1)}

ORIGIN_TEXT = {
    "CN": "Отправка напрямую из Китая: 7–10 дней до центральной России.",
    "EU": "Отправка с таможенного склада в ЕС: до недели в европейскую часть России.",
    "RU": "Отправка со склада в России.",
}


@dataclass
class ProductPlan:
    """One product and its rows, before ids are known."""

    product: dict
    skus: list[dict] = field(default_factory=list)
    images: list[tuple[str, int]] = field(default_factory=list)  # (leaf slug, card number)


def seller_price(rub: float, currency: str, rates: dict[str, Decimal]) -> Decimal:
    """A shop-looking price: 12 299 ₽, 1 099 ¥, 49.99 €."""
    amount = Decimal(str(rub)) / rates[currency]
    if currency == "EUR":
        return max(Decimal("4.99"), amount.quantize(Decimal(1), ROUND_HALF_UP) - Decimal("0.01"))
    step = 100 if currency == "RUB" and amount >= 1000 else 10
    return max(Decimal(step - 1), (amount / step).quantize(Decimal(1), ROUND_HALF_UP) * step - 1)


def product_plan(i: int, now, rates: dict[str, Decimal]) -> ProductPlan:
    rng = random.Random(i)
    leaf = data.LEAVES[i % len(data.LEAVES)]
    kind = rng.choice(leaf.kinds)
    own = rng.random() < leaf.own
    origin = "RU" if own else rng.choice(leaf.origins)
    brand = data.OWN_BRAND if own else rng.choice(leaf.brands[origin])
    model = f"{rng.choice(leaf.lines)} {rng.randint(2, 19)}"
    title = f"{kind.noun} {brand} {model}"
    currency = CURRENCY_OF[origin]
    base_rub = rng.randint(*kind.price)
    attrs = {name: rng.choice(values) for name, values in kind.attrs.items()}
    details = "; ".join(f"{name.lower()}: {value}" for name, value in attrs.items())
    description = " ".join(
        filter(
            None,
            [
                f"{title}. {kind.about}",
                f"Характеристики: {details}." if details else "",
                ORIGIN_TEXT[origin],
                "Собственная коллекция магазина: расширенный срок возврата." if own else "",
            ],
        )
    )
    if origin == "CN":
        country = "CN"
    elif origin == "EU":
        country = rng.choice(data.EU_COUNTRIES)
    else:
        country = rng.choice(("RU", "CN"))
    plan = ProductPlan(
        product={
            "title": title,
            "slug": f"{slug_ru(kind.noun)}-{slug_ru(brand)}-{slug_ru(model)}-{i + 1}",
            "leaf": leaf.slug,
            "brand": brand,
            "description": description,
            "attributes": attrs,
            "origin": origin,
            "weight_grams": rng.randint(*kind.weight),
            "currency": currency,
            "country_of_origin": country,
            "hs_code": kind.hs,
            "is_own_collection": own,
            "popularity": min(50_000, int(rng.paretovariate(1.1) * 10)),
            "created_at": now - timedelta(days=rng.uniform(0, 180)),
        }
    )
    colours = rng.sample(data.COLOURS, rng.randint(1, kind.colours)) if kind.colours else [None]
    sizes = list(enumerate(kind.axis.values)) if kind.axis else [(0, None)]
    sold_out = rng.random() < 0.06
    for index, size in sizes:
        for colour in colours:
            options = {}
            if size is not None:
                options[kind.axis.name] = size
            if colour is not None:
                options["Цвет"] = colour
            factor = kind.axis.factor(index) if kind.axis else 1.0
            stock = 0 if sold_out or rng.random() < 0.12 else rng.randint(1, 60)
            plan.skus.append(
                {
                    "code": f"DEMO-{i + 1:06d}-{len(plan.skus) + 1:02d}",
                    "options": options,
                    "price": seller_price(base_rub * factor, currency, rates),
                    "stock": stock,
                }
            )
    card = rng.randrange(CARDS_PER_LEAF)
    plan.images = [(leaf.slug, card), (leaf.slug, (card + 1) % CARDS_PER_LEAF)]
    return plan
