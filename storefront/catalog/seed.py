"""The demo store: categories, brands, products with variants, prices in CNY/EUR/RUB, images, customers.

Product number i is always generated the same way (its own seeded random generator), and rows are keyed by slug,
SKU code and phone, so running again creates nothing twice and `--products 100000` after the default only adds the
rest. Rows go in with COPY in batches, one transaction per batch (a batch is whole: products, SKUs, first price
history rows and images together); images are a few cards per category drawn once and shared.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import demo_data as data
from .bulk import copy_insert, ids_reserve
from .feeds.cbr import cbr_rates_parse
from .images import demo_image_pair
from .models import Brand, Category, PriceHistory, Product, ProductImage, Sku
from .services import catalog_changed, category_path_refresh, fx_rates_store, price_rub_compute, rates_for

SAMPLE_RATES = Path(__file__).resolve().parent / "fixtures" / "cbr_sample.xml"
CURRENCY_OF = {"CN": "CNY", "EU": "EUR", "RU": "RUB"}
FALLBACK_RATES = {"CNY": Decimal("11.2345"), "EUR": Decimal("94.1587"), "RUB": Decimal(1)}
CARDS_PER_LEAF = 3
CUSTOMERS = 20
TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
PRODUCT_COLUMNS = (
    "id", "title", "slug", "category", "brand", "description", "attributes", "origin", "weight_grams",
    "declared_value", "declared_currency", "country_of_origin", "hs_code", "is_own_collection",
    "is_active", "popularity", "min_price_rub", "in_stock", "created_at", "updated_at",
)  # fmt: skip
SKU_COLUMNS = ("id", "product", "code", "options", "price", "currency", "price_rub", "stock", "is_active", "position")
ORIGIN_TEXT = {
    "CN": "Отправка напрямую из Китая: 7–10 дней до центральной России.",
    "EU": "Отправка с таможенного склада в ЕС: до недели в европейскую часть России.",
    "RU": "Отправка со склада в России.",
}


def slug_ru(text: str) -> str:
    """ASCII slug of Russian/Latin text: "Умные часы Amazfit" -> "umnye-chasy-amazfit"."""
    out = "".join(TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", out).strip("-")


@dataclass
class SeedResult:
    categories: int = 0
    brands: int = 0
    products: int = 0
    products_existing: int = 0
    skus: int = 0
    images: int = 0
    customers: int = 0
    fx: str = ""


@dataclass
class _Plan:
    """One product and its rows, before ids are known."""

    product: dict
    skus: list[dict] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)


def _seller_price(rub: float, currency: str, rates: dict[str, Decimal]) -> Decimal:
    """A shop-looking price: 12 299 ₽, 1 099 ¥, 49.99 €."""
    amount = Decimal(str(rub)) / rates[currency]
    if currency == "EUR":
        return max(Decimal("4.99"), amount.quantize(Decimal(1), ROUND_HALF_UP) - Decimal("0.01"))
    step = 100 if currency == "RUB" and amount >= 1000 else 10
    return max(Decimal(step - 1), (amount / step).quantize(Decimal(1), ROUND_HALF_UP) * step - 1)


def _plan(i: int, now, rates: dict[str, Decimal]) -> _Plan:
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
    plan = _Plan(
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
                    "price": _seller_price(base_rub * factor, currency, rates),
                    "stock": stock,
                }
            )
    card = rng.randrange(CARDS_PER_LEAF)
    plan.images = [(leaf.slug, card), (leaf.slug, (card + 1) % CARDS_PER_LEAF)]
    return plan


def _fx_load() -> str:
    parsed = cbr_rates_parse(SAMPLE_RATES.read_bytes())
    result = fx_rates_store(on=parsed.date, rates=parsed.as_mapping(), actor="seed_demo")
    return f"курсы ЦБ на {parsed.date:%d.%m.%Y}: новых {len(result.created)}, изменилось {len(result.updated)}"


def _tree_ensure() -> tuple[dict[str, int], int]:
    """Categories by slug (created when missing, paths recomputed); returns ({slug: id}, created)."""
    wanted = [(slug, name, None) for slug, name in data.PARENTS] + [
        (leaf.slug, leaf.name, leaf.parent) for leaf in data.LEAVES
    ]
    have = dict(Category.objects.filter(slug__in=[w[0] for w in wanted]).values_list("slug", "id"))
    created = 0
    for position, (slug, name, parent) in enumerate(wanted):
        if slug not in have:
            cat = Category.objects.create(slug=slug, name=name, parent_id=have.get(parent), position=position)
            have[slug] = cat.pk
            created += 1
    category_path_refresh()
    return have, created


def _brands_ensure() -> tuple[dict[str, int], int]:
    names = {data.OWN_BRAND} | {b for leaf in data.LEAVES for group in leaf.brands.values() for b in group}
    have = dict(Brand.objects.filter(name__in=names).values_list("name", "id"))
    missing = sorted(names - set(have))
    taken = set(Brand.objects.values_list("slug", flat=True))
    new = []
    for name in missing:
        slug = slug_ru(name) or "brand"
        while slug in taken:
            slug += "-1"
        taken.add(slug)
        new.append(Brand(name=name, slug=slug))
    for brand in Brand.objects.bulk_create(new):
        have[brand.name] = brand.pk
    return have, len(new)


def _images_ensure() -> dict[tuple[str, int], tuple[str, str]]:
    pairs = {}
    for leaf in data.LEAVES:
        for c in range(CARDS_PER_LEAF):
            colour = data.CARD_COLOURS[(data.LEAVES.index(leaf) + c) % len(data.CARD_COLOURS)]
            pairs[(leaf.slug, c)] = demo_image_pair(
                key=f"{leaf.slug}-{c}", title=leaf.name, caption=leaf.name, colour=colour
            )
    return pairs


def _batch_write(plans, *, categories, brands, images, rates, now) -> tuple[int, int, int]:
    """COPY one batch of new products with their SKUs, first price history rows and images."""
    product_ids = ids_reserve(Product, len(plans))
    sku_ids = ids_reserve(Sku, sum(len(p.skus) for p in plans))
    products, skus, history, pictures = [], [], [], []
    next_sku = iter(sku_ids)
    for pid, plan in zip(product_ids, plans, strict=True):
        p = plan.product
        prices_rub, buyable = [], False
        for position, s in enumerate(plan.skus):
            sid = next(next_sku)
            price_rub = price_rub_compute(s["price"], p["currency"], rates.get(p["currency"]))
            if price_rub is not None:
                prices_rub.append(price_rub)
                buyable = buyable or s["stock"] > 0
            options = json.dumps(s["options"], ensure_ascii=False)
            skus.append(
                (sid, pid, s["code"], options, s["price"], p["currency"], price_rub, s["stock"], True, position)
            )
            history.append((sid, s["price"], p["currency"], now, "seed"))
        products.append(
            (
                pid,
                p["title"],
                p["slug"],
                categories[p["leaf"]],
                brands[p["brand"]],
                p["description"],
                json.dumps(p["attributes"], ensure_ascii=False),
                p["origin"],
                p["weight_grams"],
                plan.skus[0]["price"],
                p["currency"],
                p["country_of_origin"],
                p["hs_code"],
                p["is_own_collection"],
                True,
                p["popularity"],
                min(prices_rub, default=None),
                buyable,
                p["created_at"],
                now,
            )
        )
        for position, key in enumerate(plan.images):
            image, thumb = images[key]
            pictures.append((pid, image, thumb, p["title"], position, ""))
    copy_insert(Product, PRODUCT_COLUMNS, products)
    copy_insert(Sku, SKU_COLUMNS, skus)
    copy_insert(PriceHistory, ["sku", "price", "currency", "changed_at", "source"], history)
    copy_insert(ProductImage, ["product", "image", "thumbnail", "alt", "position", "source_url"], pictures)
    return len(products), len(skus), len(pictures)


def _customers_ensure(count: int) -> int:
    User = get_user_model()
    phones = [f"+7999000{n:04d}" for n in range(1, count + 1)]
    have = set(User.objects.filter(phone__in=phones).values_list("phone", flat=True))
    created = 0
    for n, phone in enumerate(phones):
        if phone in have:
            continue
        User.objects.create_user(
            phone,
            first_name=data.FIRST_NAMES[n % len(data.FIRST_NAMES)],
            last_name=data.LAST_NAMES[(n * 3) % len(data.LAST_NAMES)],
            email=f"demo{n + 1}@example.ru",
        )
        created += 1
    return created


def demo_store_seed(
    *, products: int, customers: int = CUSTOMERS, batch_size: int = 5000, say: Callable[[str], None] = print
) -> SeedResult:
    """Fill (or top up) the demo store to `products` demo products. Safe to run again: nothing is duplicated."""
    result = SeedResult()
    result.fx = _fx_load()
    say(result.fx)
    with transaction.atomic(durable=True):
        categories, result.categories = _tree_ensure()
        brands, result.brands = _brands_ensure()
    images = _images_ensure()
    rates = {code: rate for code, rate in rates_for(["CNY", "EUR"]).items() if rate is not None}
    rates["RUB"] = Decimal(1)
    price_rates = {**FALLBACK_RATES, **rates}
    now = timezone.now()
    for start in range(0, products, batch_size):
        plans = [_plan(i, now, price_rates) for i in range(start, min(products, start + batch_size))]
        with transaction.atomic(durable=True):
            existing = set(
                Product.objects.filter(slug__in=[p.product["slug"] for p in plans]).values_list("slug", flat=True)
            )
            new = [p for p in plans if p.product["slug"] not in existing]
            result.products_existing += len(plans) - len(new)
            if new:
                made, skus, pictures = _batch_write(
                    new, categories=categories, brands=brands, images=images, rates=rates, now=now
                )
                result.products += made
                result.skus += skus
                result.images += pictures
        if products > batch_size:
            say(f"товары: {min(products, start + batch_size)} из {products}")
    with transaction.atomic(durable=True):
        result.customers = _customers_ensure(customers)
        if result.products or result.categories or result.brands:
            catalog_changed(None)
    return result
