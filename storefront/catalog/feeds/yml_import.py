"""Import a YML feed into the catalog: create or update by offer id, streaming, batch by batch.

- Categories (`<categories>`) are matched to ours by `Category.external_id` and synced before the first offer.
- An offer becomes a product (`Product.external_id` = offer id) with one SKU (code = offer id). Offers sharing a
  `group_id` are variants of one product (`external_id` = "group:<group_id>"); their size/colour/memory params
  become the SKU's options (yml_offer.OPTION_PARAMS).
- Every offer is judged in full before anything is written (yml_offer.py); a bad one is reported with its line and
  every reason, and skipped. Valid offers are written 500 to a transaction: existing rows are read and locked in
  one query per table, new rows go in with COPY, changed ones with bulk UPDATEs. If the database refuses a batch
  (a concurrent writer, say), it is redone one offer per transaction so only the offending offer is lost. So an
  offer is never half-imported: its product, SKU, price history and pictures go in together.
- Pictures are remembered by URL (`ProductImage.source_url`); after the batch commits, an outbox job
  (tasks.pictures_fetch, catalog/pictures.py) downloads those without a file. A URL the product had keeps its file
  (or its failure reason): a re-import does not fetch it again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.db import DatabaseError, reset_queries, transaction
from django.db.models import F
from django.utils import timezone

from ...outbox.services import outbox_enqueue
from ..bulk import copy_insert, ids_reserve
from ..exceptions import FeedError
from ..models import Category, Currency, PriceHistory, Product, ProductImage, Sku
from ..services import (
    actor_user,
    brands_ensure,
    catalog_changed,
    category_path_refresh,
    price_rub_compute,
    product_aggregates_refresh,
    rates_for,
)
from ..slugs import slug_ru, slugs_unique
from ..tasks import PICTURES_FETCH_TASK
from .yml import YmlCategory, YmlCurrency, YmlOffer, YmlOffersStart, yml_events
from .yml_offer import CURRENCY_ALIASES, ID_RE, OfferContext, OfferRow, offer_clean

BATCH = 500
PRODUCT_COLUMNS = (
    "id", "external_id", "slug", "created_at", "updated_at", "title", "description", "category", "brand",
    "attributes", "origin", "declared_value", "declared_currency", "weight_grams", "country_of_origin",
)  # fmt: skip
SKU_COLUMNS = ("id", "product", "code", "options", "price", "currency", "price_rub", "stock")
HISTORY_COLUMNS = ("sku", "price", "currency", "changed_at", "changed_by", "source")
IMAGE_COLUMNS = ("product", "image", "thumbnail", "alt", "position", "source_url", "fetch_error")
DEFAULT_WEIGHT = 500
NO_FILE = ("", "", "")  # a picture's image, thumbnail, fetch_error before its first fetch


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    categories_created: int = 0
    categories_updated: int = 0
    fatal: str = ""


class FeedImporter:
    """One run over one feed. `report` receives a line per rejected offer or warning as they happen."""

    def __init__(
        self,
        *,
        report: Callable[[str], None],
        origin: str | None = None,
        available_stock: int = 100,
        batch_size: int = BATCH,
        actor: object = "import",
    ) -> None:
        self.report = report
        self.batch_size = batch_size
        self.actor = actor
        self.summary = ImportSummary()
        self.ctx = OfferContext(origin=origin, available_stock=available_stock)
        self._categories: list[YmlCategory] = []
        self._synced = False

    # --- driving ---------------------------------------------------------------------------------------------

    def run(self, stream: BinaryIO) -> ImportSummary:
        batch: list[OfferRow] = []
        try:
            for event in yml_events(stream):
                if isinstance(event, YmlCurrency):
                    self._currency(event)
                elif isinstance(event, YmlCategory):
                    self._categories.append(event)
                elif isinstance(event, YmlOffersStart):
                    self._categories_sync()
                elif isinstance(event, YmlOffer):
                    check = offer_clean(event, self.ctx)
                    for text in check.warnings:
                        self._warn(event.line, event.id, text)
                    if check.row is None:
                        self._reject(event.line, event.id, check.reasons)
                    else:
                        batch.append(check.row)
                    if len(batch) >= self.batch_size:
                        self._write(batch)
                        batch = []
        except FeedError as exc:
            self.summary.fatal = str(exc)
        self._write(batch)  # offers complete before a damaged place are kept
        if not self._synced and self._categories and not self.summary.fatal:
            self._categories_sync()  # a feed with categories and no offers
        return self.summary

    def _reject(self, line: int, offer_id: str, reasons: list[str]) -> None:
        self.summary.rejected += 1
        self.report(f"строка {line}, offer id=«{offer_id}»: отклонено — {'; '.join(reasons)}")

    def _warn(self, line: int, offer_id: str, text: str) -> None:
        self.summary.warnings += 1
        self.report(f"строка {line}, offer id=«{offer_id}»: предупреждение — {text}")

    # --- header ----------------------------------------------------------------------------------------------

    def _currency(self, cur: YmlCurrency) -> None:
        code = CURRENCY_ALIASES.get(cur.id.upper(), cur.id.upper())
        if code in Currency.values:
            self.ctx.currencies.add(code)
        else:
            self.summary.warnings += 1
            self.report(
                f"строка {cur.line}: валюта «{cur.id}» не поддерживается магазином — её предложения отклоняются"
            )

    def _categories_sync(self) -> None:
        """Create or update our categories from the feed's by external id (parents too), then recompute paths."""
        valid: dict[str, YmlCategory] = {}
        for cat in self._categories:
            problem = None
            if not ID_RE.match(cat.id):
                problem = f"id «{cat.id}» — нужны латинские буквы и цифры, до 64 знаков"
            elif cat.id in valid:
                problem = f"id «{cat.id}» уже был в строке {valid[cat.id].line}"
            elif not cat.name:
                problem = "нет названия"
            if problem:
                self.summary.warnings += 1
                self.report(f"строка {cat.line}: категория пропущена — {problem}")
            else:
                valid[cat.id] = cat
        for cat in valid.values():
            if cat.parent_id and (cat.parent_id not in valid or self._in_cycle(cat, valid)):
                self.summary.warnings += 1
                self.report(
                    f"строка {cat.line}: parentId «{cat.parent_id}» не найден или даёт цикл — категория в корне"
                )
                cat.parent_id = ""
        with transaction.atomic(durable=True):
            ours = {}
            for c in Category.objects.filter(external_id__in=list(valid)).order_by("pk"):
                ours.setdefault(c.external_id, c)
            missing = [cat for cat in valid.values() if cat.id not in ours]
            slugs = slugs_unique([slug_ru(f"{c.name} {c.id}", max_length=130) for c in missing], model=Category)
            for cat, slug in zip(missing, slugs, strict=True):
                ours[cat.id] = Category.objects.create(name=cat.name[:120], slug=slug, external_id=cat.id)
                self.summary.categories_created += 1
            for cat in valid.values():
                row = ours[cat.id]
                parent_id = ours[cat.parent_id].pk if cat.parent_id else None
                if row.name != cat.name[:120] or row.parent_id != parent_id:
                    if cat not in missing:
                        self.summary.categories_updated += 1
                    row.name, row.parent_id = cat.name[:120], parent_id
                    row.save(update_fields=["name", "parent"])
            category_path_refresh()
            if self.summary.categories_created or self.summary.categories_updated:
                catalog_changed(None)
        self.ctx.categories = {ext: c.pk for ext, c in ours.items()}
        self._synced = True
        for code, rate in sorted(rates_for(self.ctx.currencies - {Currency.RUB}).items()):
            if rate is None:
                self.summary.warnings += 1
                self.report(
                    f"нет курса ЦБ для {code}: товары в этой валюте загрузятся, но продаваться не будут, "
                    "пока не загружены курсы (manage.py update_fx_rates)"
                )

    @staticmethod
    def _in_cycle(cat: YmlCategory, valid: dict[str, YmlCategory]) -> bool:
        seen, current = set(), cat
        while current.parent_id and current.parent_id in valid:
            if current.id in seen:
                return True
            seen.add(current.id)
            current = valid[current.parent_id]
        return False

    def _write(self, rows: list[OfferRow]) -> None:
        if not rows:
            return
        reset_queries()  # with DEBUG on, the query log would otherwise hold thousands of big bulk statements
        try:
            outcome = _batch_apply(rows, actor=self.actor)
        except DatabaseError:
            # One offer the database refuses must not take the others down: redo one per transaction.
            outcome = {}
            for row in rows:
                try:
                    outcome.update(_batch_apply([row], actor=self.actor))
                except DatabaseError as exc:
                    outcome[row.offer_id] = f"!база данных отказала: {str(exc).splitlines()[0]}"
        for row in rows:
            status = outcome[row.offer_id]
            if status.startswith("!"):
                self._reject(row.line, row.offer_id, [status[1:]])
            else:
                setattr(self.summary, status, getattr(self.summary, status) + 1)


def _product_values(row: OfferRow, brand_id: int | None) -> dict:
    values = {
        "title": row.title,
        "description": row.description,
        "category_id": row.category_id,
        "brand_id": brand_id,
        "attributes": row.attributes,
        "origin": row.origin,
        "declared_value": row.price,
        "declared_currency": row.currency,
    }
    if row.weight_grams is not None:
        values["weight_grams"] = row.weight_grams
    if row.country is not None:
        values["country_of_origin"] = row.country
    return values


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False)


def _product_row(pk: int, key: str, slug: str, now, v: dict) -> tuple:
    """A new product's values in PRODUCT_COLUMNS order."""
    return (
        pk, key, slug, now, now, v["title"], v["description"], v["category_id"], v["brand_id"],
        _json(v["attributes"]), v["origin"], v["declared_value"], v["declared_currency"],
        v.get("weight_grams", DEFAULT_WEIGHT), v.get("country_of_origin", ""),
    )  # fmt: skip


def _batch_apply(rows: list[OfferRow], *, actor: object) -> dict[str, str]:
    """Write a batch of valid offers in one transaction; {offer id: "created" | "updated" | "unchanged" | "!why"}."""
    now = timezone.now()
    user = actor_user(actor)
    status: dict[str, str] = {}
    by_key: dict[str, list[OfferRow]] = defaultdict(list)
    for row in rows:
        by_key[row.product_key].append(row)
    with transaction.atomic(durable=True):
        products = {
            p.external_id: p
            for p in Product.objects.select_for_update(no_key=True).filter(external_id__in=list(by_key)).order_by("pk")
        }
        skus = {
            s.code: s
            for s in Sku.objects.select_for_update(no_key=True, of=("self",))
            .filter(code__in=[r.offer_id for r in rows])
            .annotate(product_key=F("product__external_id"))
            .order_by("pk")
        }
        for row in rows:
            sku = skus.get(row.offer_id)
            if sku is not None and sku.product_key is None:
                status[row.offer_id] = f"!артикул «{row.offer_id}» уже занят товаром #{sku.product_id} не из фида"
        live = {key: [r for r in group if r.offer_id not in status] for key, group in by_key.items()}
        live = {key: group for key, group in live.items() if group}
        brands = brands_ensure(names={r.vendor for r in rows})
        rates = rates_for({r.currency for r in rows})

        # Products: a group's product follows its first offer in the batch.
        product_ids = {key: p.pk for key, p in products.items()}
        touched_by: dict[str, str] = {}  # product key -> the offer that created or changed it
        new_products, changed, changed_fields = [], [], set()
        for key, group in live.items():
            first = group[0]
            values = _product_values(first, brands.get(first.vendor))
            product = products.get(key)
            if product is None:
                new_products.append((key, values))
                touched_by[key] = first.offer_id
                continue
            if first.group_id:  # variants differ in price: a group's declared value is set once, at creation
                del values["declared_value"], values["declared_currency"]
            diff = [name for name, value in values.items() if getattr(product, name) != value]
            if diff:
                for name in diff:
                    setattr(product, name, values[name])
                product.updated_at = now
                changed.append(product)
                changed_fields.update(diff)
                touched_by[key] = first.offer_id
        if new_products:
            ids = ids_reserve(Product, len(new_products))
            slugs = slugs_unique([slug_ru(f"{v['title']} {key}") for key, v in new_products], model=Product)
            rows_out = [
                _product_row(pk, key, slug, now, v) for pk, slug, (key, v) in zip(ids, slugs, new_products, strict=True)
            ]
            copy_insert(Product, PRODUCT_COLUMNS, rows_out)
            product_ids.update((key, pk) for pk, (key, _v) in zip(ids, new_products, strict=True))
        if changed:
            Product.objects.bulk_update(changed, [*sorted(changed_fields), "updated_at"])

        # SKUs, and a price history row for every new price.
        new_skus, changed_skus, sku_fields, history = [], [], set(), []
        moved_from: set[int] = set()  # products a SKU left (an offer joined a group)
        for key, group in live.items():
            for row in group:
                price_rub = price_rub_compute(row.price, row.currency, rates[row.currency])
                sku = skus.get(row.offer_id)
                if sku is None:
                    new_skus.append((row, product_ids[key], price_rub))
                    status[row.offer_id] = "created"
                    continue
                wanted = {
                    "product_id": product_ids[key],
                    "options": row.options,
                    "price": row.price,
                    "currency": row.currency,
                    "price_rub": price_rub,
                    "stock": row.stock,
                }
                diff = [name for name, value in wanted.items() if getattr(sku, name) != value]
                if "price" in diff or "currency" in diff:
                    history.append((sku.pk, row.price, row.currency))
                if "product_id" in diff:
                    moved_from.add(sku.product_id)
                for name in diff:
                    setattr(sku, name, wanted[name])
                if diff:
                    changed_skus.append(sku)
                    sku_fields.update(diff)
                status[row.offer_id] = "updated" if diff or touched_by.get(key) == row.offer_id else "unchanged"
        if new_skus:
            ids = ids_reserve(Sku, len(new_skus))
            copy_insert(
                Sku,
                SKU_COLUMNS,
                [
                    (pk, product_id, row.offer_id, _json(row.options), row.price, row.currency, price_rub, row.stock)
                    for pk, (row, product_id, price_rub) in zip(ids, new_skus, strict=True)
                ],
            )
            history += [(pk, row.price, row.currency) for pk, (row, _p, _r) in zip(ids, new_skus, strict=True)]
        if changed_skus:
            Sku.objects.bulk_update(changed_skus, sorted(sku_fields))
        copy_insert(
            PriceHistory,
            HISTORY_COLUMNS,
            [(pk, price, currency, now, getattr(user, "pk", None), "import") for pk, price, currency in history],
        )

        # Pictures by URL: a single offer's product shows exactly its pictures; a group's collects its offers'.
        have: dict[int, list[tuple[int, str]]] = defaultdict(list)
        kept: dict[tuple[int, str], tuple[str, str, str]] = {}  # (product, url) -> its file, thumbnail, failure
        existing_ids = [p.pk for p in products.values()]
        for pk, product_id, url, image, thumbnail, error in (
            ProductImage.objects.filter(product__in=existing_ids)
            .exclude(source_url="")
            .order_by("position", "pk")
            .values_list("pk", "product_id", "source_url", "image", "thumbnail", "fetch_error")
        ):
            have[product_id].append((pk, url))
            kept.setdefault((product_id, url), (image, thumbnail, error))
        stale, fresh, to_fetch = [], [], set()
        for key, group in live.items():
            product_id = product_ids[key]
            had = [url for _pk, url in have[product_id]]
            offered = [url for row in group for url in row.pictures]
            urls = list(dict.fromkeys(had + offered if key.startswith("group:") else offered))
            if any(kept.get((product_id, url), NO_FILE)[::2] == ("", "") for url in urls):
                to_fetch.add(product_id)  # a picture without a file or a failure reason (a lost job's too)
            if urls == had:
                continue
            stale += [pk for pk, _url in have[product_id]]
            alt = group[0].title[:255]
            for n, url in enumerate(urls):
                image, thumbnail, error = kept.get((product_id, url), NO_FILE)
                fresh.append((product_id, image, thumbnail, alt, n, url, error))
            first = next((r.offer_id for r in group if status[r.offer_id] == "unchanged"), None)
            if first and touched_by.get(key) is None:
                status[first] = "updated"
        if stale:
            ProductImage.objects.filter(pk__in=stale).delete()
        copy_insert(ProductImage, IMAGE_COLUMNS, fresh)
        if to_fetch:
            outbox_enqueue(task=PICTURES_FETCH_TASK, kwargs={"product_ids": sorted(to_fetch)}, queue="partners")

        touched = {product_ids[r.product_key] for r in rows if status[r.offer_id] in ("created", "updated")}
        touched |= moved_from
        product_aggregates_refresh(product_ids=touched)
        catalog_changed(touched)
    return status
