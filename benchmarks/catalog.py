"""Catalog scenarios of `make bench` (listing, product, search) and the cold search pass.

    # the search queries: generated from the bench database, committed as benchmarks/data/search_queries.txt
    DATABASE_URL=… .venv/bin/python -m benchmarks.catalog queries [--write]
    # cold pass: every query once through the search service, nothing cached; per-query latency
    DATABASE_URL=… REDIS_URL=… .venv/bin/python -m benchmarks.catalog cold [--repeats 1]

Paths are drawn with a fixed seed from the database `seed_demo --products 100000` fills, so two runs on the same
data request the same URLs. The path functions are called by benchmarks/run.py with Django set up.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

QUERIES_FILE = Path(__file__).resolve().parent / "data" / "search_queries.txt"
SEED = 20261124

LISTING_PATHS = 3000
PRODUCT_PATHS = 5000


# --- listing: the realistic mix of a category's URLs ---------------------------------------------------------------


def listing_paths(count: int = LISTING_PATHS) -> list[str]:
    """Category listing URLs as shoppers click them: mostly first pages, some deeper pages, sorts and filters.

    Per URL: a category (leaf or parent, all active ones), then one of
    45% page 1 in one of the four sorts (popular twice as often), 20% pages 2–10 (a few up to 40),
    15% a brand or two of that category, 10% a price range, 5% an origin (+ in stock), 5% a variant option.
    """
    from storefront.catalog.models import Category, Product, Sku
    from storefront.catalog.selectors_listing import Sort

    rnd = random.Random(SEED)
    categories = list(Category.objects.filter(is_active=True).order_by("path").values_list("id", "slug", "path"))
    brands: dict[int, list[str]] = {}
    for category_id, brand_slug in (
        Product.objects.filter(is_active=True, brand__isnull=False)
        .values_list("category_id", "brand__slug")
        .distinct()
        .order_by("category_id", "brand__slug")
    ):
        brands.setdefault(category_id, []).append(brand_slug)
    options: dict[int, list[str]] = {}
    for category_id, opts in (
        Sku.objects.filter(is_active=True)
        .values_list("product__category_id", "options")
        .distinct()
        .order_by("product__category_id")[:20000]
    ):
        for key, value in (opts or {}).items():
            pair = f"{key}:{value}"
            if pair not in options.setdefault(category_id, []):
                options[category_id].append(pair)
    sorts = ["", "", Sort.PRICE_ASC.value, Sort.PRICE_DESC.value, Sort.NEW.value]
    origins = ["CN", "EU", "RU"]
    prices = [(None, 1000), (None, 3000), (1000, 5000), (3000, 10000), (5000, None), (10000, None), (2000, 20000)]

    def subtree(path: str) -> list[int]:
        return [cid for cid, _slug, p in categories if p.startswith(path)]

    found: set[str] = set()
    attempts = 0
    while len(found) < count and attempts < count * 20:
        attempts += 1
        _cid, slug, path = rnd.choice(categories)
        ids = subtree(path)
        params: list[tuple[str, object]] = []
        roll = rnd.random()
        if roll < 0.45:
            pass
        elif roll < 0.65:
            params.append(("page", rnd.randint(2, 10) if rnd.random() < 0.9 else rnd.randint(11, 40)))
        elif roll < 0.80:
            pool = sorted({b for cid in ids for b in brands.get(cid, [])})
            if pool:
                params += [("brand", b) for b in sorted(rnd.sample(pool, min(len(pool), rnd.choice((1, 1, 1, 2)))))]
        elif roll < 0.90:
            low, high = rnd.choice(prices)
            if low is not None:
                params.append(("min_price", low))
            if high is not None:
                params.append(("max_price", high))
        elif roll < 0.95:
            params.append(("origin", rnd.choice(origins)))
            if rnd.random() < 0.5:
                params.append(("in_stock", 1))
        else:
            pool = sorted({o for cid in ids for o in options.get(cid, [])})
            if pool:
                params.append(("opt", rnd.choice(pool)))
        sort = rnd.choice(sorts)
        if sort:
            params.insert(len([p for p in params if p[0] != "page"]), ("sort", sort))
        if roll >= 0.65 and rnd.random() < 0.15:  # a filtered result's next page
            params.append(("page", 2))
        query = urlencode(params)
        found.add(f"/c/{slug}/" + (f"?{query}" if query else ""))
    return sorted(found)


# --- product pages ----------------------------------------------------------------------------------------------


def product_paths(count: int = PRODUCT_PATHS) -> list[str]:
    """Product pages of `count` active products spread over the whole catalog (every n-th by id)."""
    from storefront.catalog.models import Product

    slugs = list(Product.objects.filter(is_active=True).order_by("id").values_list("slug", flat=True))
    step = max(1, len(slugs) // count)
    return [f"/p/{slug}/" for slug in slugs[::step][:count]]


# --- search queries --------------------------------------------------------------------------------------------------

_LATIN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."
_CYRILLIC_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю"
TO_LATIN = str.maketrans(dict(zip(_CYRILLIC_KEYS, _LATIN_KEYS, strict=True)))
TO_CYRILLIC = str.maketrans(dict(zip(_LATIN_KEYS, _CYRILLIC_KEYS, strict=True)))
_RU = "абвгдежзийклмнопрстуфхцчшщыьэюя"
_NONSENSE = [
    "квазитрон",
    "телепортатор",
    "гравицапа",
    "пепелац",
    "хронометр марсианский",
    "антигравитационный ботинок",
    "лунный трактор",
    "эликсир бессмертия",
    "вечный двигатель",
    "шапка невидимка",
    "zzqx",
    "qwpx flux",
    "ыыыыы",
    "1234567",
    "синхрофазотрон",
    "дирижабль",
    "подводная лодка",
    "паровоз",
    "арфа",
    "бегемот",
]


def _word_forms(word: str) -> list[str]:
    """A few Russian inflections of a dictionary word (plural, cases): what shoppers type, not what titles say."""
    if not all(ch in _RU for ch in word) or len(word) < 4:
        return []
    if word.endswith(("ый", "ий", "ой")):
        stem = word[:-2]
        return [stem + "ые", stem + "ая", stem + "ого", stem + "ую"]
    if word.endswith(("ая", "яя")):
        stem = word[:-2]
        return [stem + "ые", stem + "ую", stem + "ой"]
    if word.endswith(("ые", "ие")):
        stem = word[:-2]
        return [stem + "ый", stem + "ых"]
    if word.endswith("а"):
        return [word[:-1] + "и", word[:-1] + "у", word[:-1] + "ой"]
    if word.endswith("я"):
        return [word[:-1] + "и", word[:-1] + "ю"]
    if word.endswith("ь"):
        return [word[:-1] + "и", word[:-1] + "ей"]
    if word.endswith(("о", "е")):
        return [word[:-1] + "а"]
    if word[-1] in "бвгджзклмнпрстфхцчшщ":
        return [word + "ы" if word[-1] not in "гкхжшчщ" else word + "и", word + "ов", word + "а", word + "ом"]
    return []


def _typo(word: str, rnd: random.Random) -> str:
    """One edit a hurried thumb makes: a letter dropped, doubled, swapped with its neighbour or replaced."""
    i = rnd.randrange(1, len(word) - 1)
    kind = rnd.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    alphabet = _RU if word[i] in _RU else "abcdefghijklmnopqrstuvwxyz"
    return word[:i] + rnd.choice(alphabet) + word[i + 1 :]


def search_queries_generate() -> list[str]:
    """At least 1,000 distinct queries from the catalog's own words, in a fixed order for a given database.

    Mix (before de-duplication): ~25% dictionary words (title, brand, category words), ~20% other word forms
    (plural, cases), ~20% two- and three-word phrases from real titles (some with a word form), ~5% whole titles,
    ~15% one typo, ~10% typed on the wrong keyboard layout (either way), ~5% things the store does not sell.
    """
    from storefront.catalog.models import Product
    from storefront.catalog.search_models import SearchWord

    rnd = random.Random(SEED)
    words = sorted(w for w in SearchWord.objects.filter(ndoc__gt=0).values_list("word", flat=True) if len(w) >= 3)
    titles = list(Product.objects.filter(is_active=True).order_by("id").values_list("title", flat=True)[::97])
    long_words = [w for w in words if len(w) >= 5]
    cyrillic = [w for w in words if all(ch in _RU for ch in w)]
    latin = [w for w in words if w.isascii() and w.isalpha()]

    def phrase() -> str:
        tokens = [t.lower() for t in rnd.choice(titles).replace("-", " ").split() if not t.isdigit()]
        size = min(len(tokens), rnd.choice((2, 2, 3)))
        start = rnd.randrange(0, len(tokens) - size + 1)
        part = tokens[start : start + size]
        if rnd.random() < 0.3:
            j = rnd.randrange(len(part))
            part[j] = rnd.choice(_word_forms(part[j]) or [part[j]])
        return " ".join(part)

    generators = [
        (25, lambda: rnd.choice(words)),
        (20, lambda: rnd.choice(_word_forms(rnd.choice(cyrillic)) or [rnd.choice(words)])),
        (20, phrase),
        (5, lambda: rnd.choice(titles).lower()),
        (15, lambda: _typo(rnd.choice(long_words), rnd)),
        (7, lambda: rnd.choice(cyrillic).translate(TO_LATIN)),
        (3, lambda: rnd.choice(latin).translate(TO_CYRILLIC)),
        (5, lambda: rnd.choice(_NONSENSE) if rnd.random() < 0.4 else "".join(rnd.sample(_RU, rnd.randint(5, 9)))),
    ]
    weights = [w for w, _ in generators]
    found: dict[str, None] = {}
    while len(found) < 1200:
        make = rnd.choices([g for _, g in generators], weights)[0]
        query = " ".join(make().split())
        if query:
            found.setdefault(query, None)
    return list(found)


def search_queries() -> list[str]:
    return [q for q in QUERIES_FILE.read_text(encoding="utf-8").split("\n") if q]


def search_paths() -> list[str]:
    return [f"/search/?{urlencode({'q': q})}" for q in search_queries()]


# --- cold pass -------------------------------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def cold_pass(repeats: int = 1) -> dict:
    """Each query once through the search service as the page calls it (search + cards), nothing cached."""
    from storefront.catalog.search import product_search, products_for_cards, search_normalize

    queries = search_queries()
    rows = []
    for _ in range(repeats):
        for query in queries:
            start = time.perf_counter()
            result = product_search(query=search_normalize(query))
            products_for_cards(result.product_ids)
            rows.append((time.perf_counter() - start, query, result.total, result.corrected))
    times = [r[0] * 1000 for r in rows]
    summary = {
        "queries": len(queries),
        "p50_ms": statistics.median(times),
        "p95_ms": _percentile(times, 0.95),
        "p99_ms": _percentile(times, 0.99),
        "max_ms": max(times),
        "mean_ms": statistics.fmean(times),
        "no_result": sum(1 for r in rows if r[2] == 0) // repeats,
        "corrected": sum(1 for r in rows if r[3]) // repeats,
        "slowest": [(round(t * 1000, 1), q, n) for t, q, n, _c in sorted(rows, reverse=True)[:10]],
    }
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.catalog")
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("queries", help="generate the search queries from the bench database")
    q.add_argument("--write", action="store_true", help=f"write them to {QUERIES_FILE}")
    c = sub.add_parser("cold", help="time every query once through the search service")
    c.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is required (the bench database, e.g. store_bench_catalog)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    if args.command == "queries":
        queries = search_queries_generate()
        if args.write:
            QUERIES_FILE.parent.mkdir(exist_ok=True)
            QUERIES_FILE.write_text("\n".join(queries) + "\n", encoding="utf-8")
            print(f"{QUERIES_FILE}: {len(queries)} queries")
        else:
            print("\n".join(queries))
        return 0
    summary = cold_pass(args.repeats)
    for key, value in summary.items():
        print(f"{key}: {value if not isinstance(value, float) else round(value, 1)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
