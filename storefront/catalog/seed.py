"""The demo store: categories, brands, products with variants, prices in CNY/EUR/RUB, images, customers.

Product number i is always generated the same way (its own seeded random generator), and rows are keyed by slug,
SKU code and phone, so running again creates nothing twice and `--products 100000` after the default only adds the
rest. Rows go in with COPY in batches, one transaction per batch (a batch is whole: products, SKUs, first price
history rows and images together); images are a few cards per category drawn once and shared.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import demo_data as data
from .bulk import copy_insert, ids_reserve
from .demo_plan import CARDS_PER_LEAF, FALLBACK_RATES, product_plan
from .feeds.cbr import cbr_rates_parse
from .images import demo_image_pair
from .models import Brand, Category, PriceHistory, Product, ProductImage, Sku
from .services import (
    brands_ensure,
    catalog_changed,
    category_path_refresh,
    fx_rates_store,
    price_rub_compute,
    rates_for,
)

SAMPLE_RATES = Path(__file__).resolve().parent / "fixtures" / "cbr_sample.xml"
CUSTOMERS = 20
PRODUCT_COLUMNS = (
    "id", "title", "slug", "category", "brand", "description", "attributes", "origin", "weight_grams",
    "declared_value", "declared_currency", "country_of_origin", "hs_code", "is_own_collection",
    "is_active", "popularity", "min_price_rub", "in_stock", "created_at", "updated_at",
)  # fmt: skip
SKU_COLUMNS = ("id", "product", "code", "options", "price", "currency", "price_rub", "stock", "is_active", "position")


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
        names = {data.OWN_BRAND} | {b for leaf in data.LEAVES for group in leaf.brands.values() for b in group}
        before = Brand.objects.count()
        brands = brands_ensure(names=names)
        result.brands = Brand.objects.count() - before
    images = _images_ensure()
    rates = {code: rate for code, rate in rates_for(["CNY", "EUR"]).items() if rate is not None}
    rates["RUB"] = Decimal(1)
    price_rates = {**FALLBACK_RATES, **rates}
    now = timezone.now()
    for start in range(0, products, batch_size):
        plans = [product_plan(i, now, price_rates) for i in range(start, min(products, start + batch_size))]
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
