"""Catalog writes: prices (with history), stock, RUB prices after new rates, product aggregates, category paths.

Locking policy: a SKU's row is locked (`select_for_update(no_key=True)`) while its price or stock is written;
several SKUs are locked in one query in id order. Product aggregates (`min_price_rub`, `in_stock`) are recomputed
from the SKU rows by one UPDATE at the end of the same transaction. Cache versions (`cache.catalog_cache_version`)
are bumped after commit, so a page cached in between cannot outlive the change.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from storefront.core.money import KOPECK

from .cache import catalog_cache_bump
from .exceptions import CatalogError, CategoryCycle, FxRateMissing, InvalidCurrency, InvalidPrice, InvalidStock
from .images import thumbnail_make
from .models import Brand, Category, Currency, FxRate, PriceHistory, Product, ProductImage, Sku
from .selectors import FX_CACHE_KEY, fx_rate_get_uncached, fx_rates_local_clear, price_to_rub
from .selectors_listing import stock_change_is_visible
from .slugs import slug_ru, slugs_unique

logger = logging.getLogger(__name__)

PRICE_MAX = Decimal("9999999999.99")  # max_digits=12, decimal_places=2
# Above this many products one change bumps the epoch (every product page) instead of a key per product.
PRODUCT_KEYS_MAX = 100
SKU_FIELDS = ("code", "options", "price", "currency", "stock", "is_active", "position")
Actor = object  # a User, or a string such as "system" / "import" for work nobody clicked


def actor_user(actor: Actor):
    """The user behind an actor, or None for work nobody clicked ("system", "import")."""
    return actor if getattr(actor, "pk", None) is not None and getattr(actor, "is_authenticated", False) else None


# --- cache invalidation -------------------------------------------------------------------------------------


def catalog_changed(product_ids: Iterable[int] | None) -> None:
    """Invalidate the shared pages showing these products (None: everything, e.g. the category tree moved).

    Delegates to `cache.catalog_cache_bump`, which bumps the versions after commit. Past PRODUCT_KEYS_MAX products
    (repricing, an import batch) one "everything" bump is cheaper than a key per product.
    """
    ids = None if product_ids is None else list(dict.fromkeys(product_ids))
    if ids is not None and not ids:
        return
    catalog_cache_bump(product_ids=None if ids is None or len(ids) > PRODUCT_KEYS_MAX else ids)


def catalog_product_pages_changed(product_ids: Iterable[int]) -> None:
    """Invalidate only these products' own pages (product page, variant blocks), after commit: for a change that
    shows there and nowhere else, such as a SKU's "осталось N шт." count moving while it stays in stock
    (`selectors_listing.stock_change_is_visible`). Listings, search and home keep their cached pages. A change
    listings show too (a SKU sold out or back in stock, a price, a title) needs `catalog_changed`.
    """
    ids = list(dict.fromkeys(product_ids))
    if ids:
        catalog_cache_bump(product_ids=ids, listings=False)


def catalog_stock_moved(moves: dict[int, tuple[int, int]], *, product_of: dict[int, int] | None = None) -> None:
    """Stock of these SKUs moved ({sku id: (before, after)}; `product_of` {sku id: product id} when known): orders
    placed or cancelled, a stocktake.

    A SKU sold out or back in stock refreshes its product's in-stock flag and every shared page showing it; a count
    only the product page shows ("осталось N шт.") refreshes that product's own pages. Both after commit; nothing
    for a change no shopper sees: bumping the listings after every order would empty their cache at checkout rate.
    """
    flipped = {pk for pk, (before, after) in moves.items() if (before == 0) != (after == 0)}
    shown = {pk for pk, (before, after) in moves.items() if stock_change_is_visible(before=before, after=after)}
    if not shown:  # a flip is always shown
        return
    if product_of is None:
        product_of = dict(Sku.objects.filter(pk__in=shown).values_list("pk", "product_id"))
    flipped_products = {product_of[pk] for pk in flipped}
    if flipped_products:
        product_aggregates_refresh(product_ids=flipped_products)
        catalog_changed(flipped_products)
    catalog_product_pages_changed({product_of[pk] for pk in shown} - flipped_products)


# --- validation ---------------------------------------------------------------------------------------------


def price_clean(price: Decimal | int | str) -> Decimal:
    """A positive amount with at most two decimals (raise InvalidPrice). Floats are refused: money is exact."""
    if isinstance(price, float | bool):
        raise InvalidPrice()
    try:
        value = Decimal(str(price).strip())
    except (InvalidOperation, ValueError):
        raise InvalidPrice() from None
    if not value.is_finite() or value <= 0 or value > PRICE_MAX or value != value.quantize(KOPECK):
        raise InvalidPrice()
    return value.quantize(KOPECK)


def currency_clean(currency: str) -> str:
    if currency not in Currency.values:
        raise InvalidCurrency()
    return currency


def stock_clean(stock: int) -> int:
    if isinstance(stock, bool) or not isinstance(stock, int) or stock < 0:
        raise InvalidStock()
    return stock


def rates_for(currencies: Iterable[str]) -> dict[str, Decimal | None]:
    """Roubles per unit for each currency, read inside the caller's transaction; None where no rate is loaded."""
    rates: dict[str, Decimal | None] = {}
    for cur in set(currencies):
        try:
            rates[cur] = fx_rate_get_uncached(currency=cur)
        except FxRateMissing:
            rates[cur] = None
    return rates


def price_rub_compute(price: Decimal, currency: str, rate: Decimal | None) -> Decimal | None:
    """The SKU's stored rouble price; None until a rate for its currency is loaded (the SKU is not sellable)."""
    return None if rate is None else price_to_rub(amount=price, currency=currency, rate=rate)


# --- aggregates, repricing, category paths (helpers: they join the caller's transaction) ---------------------


def product_aggregates_refresh(*, product_ids: Iterable[int] | None) -> int:
    """Recompute `min_price_rub` and `in_stock` from active SKUs with one UPDATE (None: every product).

    `in_stock` means buyable: an active SKU with stock and a rouble price. Returns the number of rows changed.
    """
    sku_t, product_t = Sku._meta.db_table, Product._meta.db_table
    if product_ids is None:
        source, params = f"SELECT id FROM {product_t}", []
    else:
        ids = sorted(set(product_ids))
        if not ids:
            return 0
        source, params = "SELECT unnest(%s::bigint[]) AS id", [ids]
    sql = f"""
        UPDATE {product_t} AS p
        SET min_price_rub = a.min_price_rub, in_stock = a.in_stock
        FROM (
            SELECT ids.id,
                   MIN(s.price_rub) FILTER (WHERE s.is_active) AS min_price_rub,
                   COALESCE(BOOL_OR(s.is_active AND s.stock > 0 AND s.price_rub IS NOT NULL), false) AS in_stock
            FROM ({source}) AS ids
            LEFT JOIN {sku_t} AS s ON s.product_id = ids.id
            GROUP BY ids.id
        ) AS a
        WHERE p.id = a.id
          AND (p.min_price_rub IS DISTINCT FROM a.min_price_rub OR p.in_stock IS DISTINCT FROM a.in_stock)
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def skus_reprice_rub(*, currency: str) -> int:
    """Set every `currency` SKU's rouble price from the latest rate: one set-based UPDATE, then the aggregates.

    Uses the same rounding as `price_to_rub` (half up to the whole rouble). Returns how many SKUs' prices moved.
    """
    if currency_clean(currency) == "RUB":
        return 0  # rouble prices are the seller's own, never converted
    rate = fx_rate_get_uncached(currency=currency)
    sql = f"""
        UPDATE {Sku._meta.db_table} SET price_rub = round(price * %(rate)s, 0)
        WHERE currency = %(currency)s AND price_rub IS DISTINCT FROM round(price * %(rate)s, 0)
        RETURNING product_id
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        cur.execute(sql, {"rate": rate, "currency": currency})
        product_ids = {row[0] for row in cur.fetchall()}
        moved = cur.rowcount
        if product_ids:
            product_aggregates_refresh(product_ids=product_ids)
            catalog_changed(product_ids)
    return moved


def category_path_refresh() -> int:
    """Recompute every category's materialised path ("12/40/") from the parent links; returns rows changed."""
    table = Category._meta.db_table
    sql = f"""
        WITH RECURSIVE tree(id, path) AS (
            SELECT id, id::text || '/' FROM {table} WHERE parent_id IS NULL
            UNION ALL
            SELECT c.id, t.path || c.id::text || '/' FROM {table} c JOIN tree t ON c.parent_id = t.id
        )
        UPDATE {table} AS c SET path = tree.path FROM tree
        WHERE c.id = tree.id AND c.path IS DISTINCT FROM tree.path
    """
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        cur.execute(sql)
        return cur.rowcount


# --- SKUs ------------------------------------------------------------------------------------------------------


def _price_write(locked: Sku, *, price: Decimal, currency: str, actor: Actor, source: str) -> bool:
    """Set a locked SKU's price, its rouble price and a history row; False when nothing changed."""
    if locked.price == price and locked.currency == currency:
        return False
    locked.price, locked.currency = price, currency
    locked.price_rub = price_rub_compute(price, currency, rates_for([currency])[currency])
    locked.save(update_fields=["price", "currency", "price_rub"])
    PriceHistory.objects.create(sku=locked, price=price, currency=currency, changed_by=actor_user(actor), source=source)
    return True


def _skus_write(items: Sequence[tuple[Sku, Collection[str] | None]], *, actor: Actor, source: str) -> set[int]:
    """Create or update SKUs, writing only the fields each caller changed (stock moves under orders meanwhile)."""
    existing = [sku.pk for sku, _ in items if sku.pk is not None]
    locked = {s.pk: s for s in Sku.objects.select_for_update(no_key=True).filter(pk__in=existing).order_by("pk")}
    product_ids: set[int] = set()
    for sku, changed in items:
        price, currency = price_clean(sku.price), currency_clean(sku.currency)
        stock_clean(sku.stock)
        if sku.pk is None:
            sku.price, sku.price_rub = price, price_rub_compute(price, currency, rates_for([currency])[currency])
            sku.save()
            PriceHistory.objects.create(
                sku=sku, price=price, currency=currency, changed_by=actor_user(actor), source=source
            )
            product_ids.add(sku.product_id)
            continue
        row = locked[sku.pk]
        fields = set(SKU_FIELDS if changed is None else changed) & set(SKU_FIELDS)
        moved = False
        if fields & {"price", "currency"}:
            moved = _price_write(row, price=price, currency=currency, actor=actor, source=source)
        others = sorted(fields - {"price", "currency"})
        for name in others:
            setattr(row, name, getattr(sku, name))
        if others:
            row.save(update_fields=others)
        if moved or others:
            product_ids.add(row.product_id)
        for name in ("price", "currency", "price_rub", "stock"):
            setattr(sku, name, getattr(row, name))
    return product_ids


def sku_price_set(*, sku: Sku, price: Decimal, currency: str, actor: Actor, source: str = "admin") -> Sku:
    """Set a SKU's price in the seller's currency: history row, rouble price, product aggregates, caches."""
    price, currency = price_clean(price), currency_clean(currency)
    with transaction.atomic(durable=True):
        locked = Sku.objects.select_for_update(no_key=True).get(pk=sku.pk)
        if _price_write(locked, price=price, currency=currency, actor=actor, source=source):
            product_aggregates_refresh(product_ids=[locked.product_id])
            catalog_changed([locked.product_id])
    return locked


def sku_stock_set(*, sku: Sku, stock: int, actor: Actor, reason: str = "") -> Sku:
    """Set a SKU's stock to a counted figure (stocktake, admin). Orders move stock with their own services."""
    stock = stock_clean(stock)
    with transaction.atomic(durable=True):
        locked = Sku.objects.select_for_update(no_key=True).get(pk=sku.pk)
        before = locked.stock
        if before != stock:
            locked.stock = stock
            locked.save(update_fields=["stock"])
            catalog_stock_moved({locked.pk: (before, stock)}, product_of={locked.pk: locked.product_id})
            # the product page's quantity field stops at the stock: a counted change redraws it even when the words
            # ("в наличии") stay; orders moving stock at checkout rate do not (the cart refuses more than there is)
            catalog_product_pages_changed([locked.product_id])
            logger.info(
                "sku stock set",
                extra={"sku": locked.pk, "from": before, "to": stock, "actor": str(actor), "reason": reason},
            )
    return locked


def sku_save(*, sku: Sku, changed_fields: Collection[str] | None = None, actor: Actor, source: str = "admin") -> Sku:
    """Create a SKU or write the fields the caller changed (None: all), with price history and aggregates."""
    with transaction.atomic(durable=True):
        product_ids = _skus_write([(sku, changed_fields)], actor=actor, source=source)
        product_aggregates_refresh(product_ids=product_ids)
        catalog_changed(product_ids)
    return sku


# --- products and categories ----------------------------------------------------------------------------------


def product_save(
    *,
    product: Product,
    changed_fields: Collection[str] | None = None,
    skus: Sequence[tuple[Sku, Collection[str] | None]] = (),
    images: Sequence[tuple[ProductImage, Collection[str] | None]] = (),
    images_deleted: Sequence[ProductImage] = (),
    actor: Actor,
    source: str = "admin",
) -> Product:
    """Save a product with its SKUs and images in one transaction (the admin's change form is one call).

    Each SKU/image comes with the names of the fields the caller changed (None: all); only those are written.
    New and replaced images get a thumbnail.
    """
    with transaction.atomic(durable=True):
        if product.pk is None or changed_fields is None:
            product.save()
        elif changed_fields:
            product.save(update_fields=[*set(changed_fields), "updated_at"])
        for sku, _changed in skus:
            sku.product = product
        _skus_write(skus, actor=actor, source=source)
        for image, changed in images:
            image.product = product
            image.save()
            if image.image and (not image.thumbnail or changed is None or "image" in changed):
                thumb = thumbnail_make(image.image)
                image.thumbnail.save(thumb.name, thumb, save=False)
                image.save(update_fields=["thumbnail"])
        for image in images_deleted:
            image.delete()
        product_aggregates_refresh(product_ids=[product.pk])
        catalog_changed([product.pk])
    return product


def brands_ensure(*, names: Iterable[str]) -> dict[str, int]:
    """{name: id} for these brand names, creating the missing ones (joins the caller's transaction)."""
    names = {n for n in names if n}
    have = dict(Brand.objects.filter(name__in=names).values_list("name", "id"))
    missing = sorted(names - set(have))
    if missing:
        slugs = slugs_unique([slug_ru(n, max_length=120) or "brand" for n in missing], model=Brand)
        new = [Brand(name=n, slug=slug) for n, slug in zip(missing, slugs, strict=True)]
        # a concurrent import may have created the same name: ignore it here and read every id back below
        Brand.objects.bulk_create(new, ignore_conflicts=True)
        have.update(Brand.objects.filter(name__in=missing).values_list("name", "id"))
    return have


def brand_save(*, brand: Brand, actor: Actor) -> Brand:
    """Save a brand; its name shows on product pages and in search, so every page is invalidated."""
    with transaction.atomic(durable=True):
        brand.save()
        catalog_changed(None)
    return brand


def products_activate(*, product_ids: Collection[int], active: bool, actor: Actor) -> int:
    """Put products on sale or take them off (the admin's bulk actions); returns how many changed."""
    with transaction.atomic(durable=True):
        ids = list(Product.objects.filter(pk__in=product_ids).exclude(is_active=active).values_list("pk", flat=True))
        Product.objects.filter(pk__in=ids).update(is_active=active, updated_at=timezone.now())
        catalog_changed(ids)
    logger.info("products activated", extra={"ids": ids[:100], "active": active, "actor": str(actor)})
    return len(ids)


def category_save(*, category: Category, actor: Actor) -> Category:
    """Save a category and recompute the tree's paths; refuses to put a category inside its own subtree."""
    with transaction.atomic(durable=True):
        if category.pk is not None and category.parent_id is not None:
            own = Category.objects.filter(pk=category.pk).values_list("path", flat=True).first() or ""
            parent_path = Category.objects.filter(pk=category.parent_id).values_list("path", flat=True).first()
            if category.parent_id == category.pk or (own and (parent_path or "").startswith(own)):
                raise CategoryCycle()
        category.save()
        category_path_refresh()
        category.refresh_from_db(fields=["path"])
        catalog_changed(None)
    return category


# --- FX rates -------------------------------------------------------------------------------------------------


@dataclass
class FxLoadResult:
    date: datetime.date
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repriced: dict[str, int] = field(default_factory=dict)


def fx_rates_store(
    *, on: datetime.date, rates: Mapping[str, tuple[Decimal, int]], actor: Actor = "system"
) -> FxLoadResult:
    """Upsert the Central Bank rates of one date ({"CNY": (value, nominal)}) and reprice SKUs in our currencies.

    All or nothing: one transaction. Values are validated by the caller's parser and again here.
    """
    result = FxLoadResult(date=on)
    for code, (value, nominal) in rates.items():
        if not (isinstance(value, Decimal) and value > 0 and isinstance(nominal, int) and nominal > 0):
            raise CatalogError(f"{code}: курс и номинал должны быть положительными")
    with transaction.atomic(durable=True):
        existing = {r.currency: r for r in FxRate.objects.select_for_update().filter(date=on, currency__in=rates)}
        now = timezone.now()
        for code, (value, nominal) in sorted(rates.items()):
            row = existing.get(code)
            if row is None:
                FxRate.objects.create(currency=code, date=on, rate=value, nominal=nominal, loaded_at=now)
                result.created.append(code)
            elif row.rate != value or row.nominal != nominal:
                row.rate, row.nominal, row.loaded_at = value, nominal, now
                row.save(update_fields=["rate", "nominal", "loaded_at"])
                result.updated.append(code)
            else:
                result.unchanged.append(code)
        ours = sorted(set(rates) & (set(Currency.values) - {Currency.RUB}))
        for code in ours:
            result.repriced[code] = skus_reprice_rub(currency=code)
        for code in ours:
            transaction.on_commit(partial(cache.delete, FX_CACHE_KEY.format(currency=code)), robust=True)
        transaction.on_commit(fx_rates_local_clear)  # this process's copy (other processes: within a second)
    logger.info("fx rates stored", extra={"date": on.isoformat(), "actor": str(actor), "repriced": result.repriced})
    return result
