"""Write a realistic YML feed of any size, for benchmarks and manual tests of `manage.py import_catalog`.

    python -m storefront.catalog.feeds.generate var/feed-100k.yml 100000

Offers are the demo store's products (demo_plan.py), one offer per variant; variants of one product share a
`group_id`. The same n always gives the same file. Offer ids ("Y00000101") never clash with seeded SKU codes.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .. import demo_data as data
from ..demo_plan import FALLBACK_RATES, product_plan

FEED_CURRENCY = {"RUB": "RUR", "CNY": "CNY", "EUR": "EUR"}
COUNTRY_NAMES = {
    "CN": "Китай", "RU": "Россия", "DE": "Германия", "IT": "Италия", "FR": "Франция", "PL": "Польша",
    "ES": "Испания", "CZ": "Чехия", "NL": "Нидерланды",
}  # fmt: skip


def _categories() -> tuple[list[str], dict[str, int]]:
    ids: dict[str, int] = {}
    lines = []
    for slug, name in data.PARENTS:
        ids[slug] = len(ids) + 1
        lines.append(f'      <category id="{ids[slug]}">{escape(name)}</category>')
    for leaf in data.LEAVES:
        ids[leaf.slug] = len(ids) + 1
        parent = f' parentId="{ids[leaf.parent]}"' if leaf.parent else ""
        lines.append(f'      <category id="{ids[leaf.slug]}"{parent}>{escape(leaf.name)}</category>')
    return lines, ids


def _offers(n: int, category_ids: dict[str, int], now: datetime):
    i = written = 0
    while written < n:
        plan = product_plan(i, now, FALLBACK_RATES)
        p = plan.product
        grouped = len(plan.skus) > 1
        for j, sku in enumerate(plan.skus):
            if written >= n:
                return
            offer_id = f"Y{i + 1:06d}{j + 1:02d}"
            group = f' group_id="{i + 1}"' if grouped else ""
            available = "true" if sku["stock"] > 0 else "false"
            url = f"https://shop.example.ru/p/{p['slug']}"
            parts = [
                f'      <offer id="{offer_id}" available="{available}"{group}>',
                f"        <url>{url}</url>",
                f"        <price>{sku['price']}</price>",
                f"        <currencyId>{FEED_CURRENCY[p['currency']]}</currencyId>",
                f"        <categoryId>{category_ids[p['leaf']]}</categoryId>",
                f"        <picture>https://cdn.example.ru/img/{p['slug']}/1.jpg</picture>",
                f"        <picture>https://cdn.example.ru/img/{p['slug']}/2.jpg</picture>",
                f"        <name>{escape(p['title'])}</name>",
                f"        <vendor>{escape(p['brand'])}</vendor>",
                f"        <description><![CDATA[<p>{p['description']}</p>]]></description>",
            ]
            parts += [
                f"        <param name={quoteattr(k)}>{escape(v)}</param>"
                for k, v in [*sku["options"].items(), *p["attributes"].items()]
            ]
            parts += [
                f"        <weight>{Decimal(p['weight_grams']) / 1000}</weight>",
                f"        <country_of_origin>{COUNTRY_NAMES[p['country_of_origin']]}</country_of_origin>",
                f"        <count>{sku['stock']}</count>",
                "      </offer>",
            ]
            written += 1
            yield "\n".join(parts) + "\n"
        i += 1


def feed_generate(path: str | Path, n: int) -> Path:
    """Write a YML feed with `n` offers to `path` (streamed: memory does not grow with n)."""
    path = Path(path)
    now = datetime(2026, 11, 1, tzinfo=UTC)  # fixed, so the same n gives the same file
    categories, category_ids = _categories()
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<yml_catalog date="{now:%Y-%m-%dT%H:%M}+03:00">\n  <shop>\n')
        out.write("    <name>Мост</name>\n    <company>ООО «Мост»</company>\n    <url>https://shop.example.ru/</url>\n")
        out.write('    <currencies>\n      <currency id="RUR" rate="1"/>\n')
        out.write('      <currency id="CNY" rate="CBRF"/>\n      <currency id="EUR" rate="CBRF"/>\n    </currencies>\n')
        out.write("    <categories>\n" + "\n".join(categories) + "\n    </categories>\n    <offers>\n")
        for offer in _offers(n, category_ids, now):
            out.write(offer)
        out.write("    </offers>\n  </shop>\n</yml_catalog>\n")
    return path


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python -m storefront.catalog.feeds.generate PATH N", file=sys.stderr)
        return 2
    path = feed_generate(argv[0], int(argv[1]))
    print(f"{path}: {int(argv[1])} offers, {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
