"""Reads behind the shopper's pages: home, category listing with filters, product page.

Every function here runs a fixed number of queries whatever the page size (select_related, one Subquery for the
card picture, Prefetch for the product page) and filters the way the indexes are built: category ids of the
subtree (one prefix match on Category.path) + is_active, ordered by popularity / min_price_rub / created_at with
the id as tiebreak.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.db import models
from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from .models import Category, Product, ProductImage, Sku

PAGE_SIZE = 24
COUNT_CAP = 10_000  # counting further than this on every cache miss costs more than the number is worth
LOW_STOCK = 5
HOME_CATEGORIES = 12
HOME_PRODUCTS = 8


class Sort(models.TextChoices):
    POPULAR = "popular", _("Сначала популярные")
    PRICE_ASC = "price", _("Сначала дешевле")
    PRICE_DESC = "-price", _("Сначала дороже")
    NEW = "new", _("Новинки")


_ORDERING = {
    Sort.POPULAR: (F("popularity").desc(), F("id").desc()),
    Sort.PRICE_ASC: (F("min_price_rub").asc(nulls_last=True), F("id").asc()),
    Sort.PRICE_DESC: (F("min_price_rub").desc(nulls_last=True), F("id").desc()),
    Sort.NEW: (F("created_at").desc(), F("id").desc()),
}


@dataclass(frozen=True)
class ListingFilters:
    """A shopper's validated choice on a listing; hashable, so it makes the cache key."""

    brands: tuple[str, ...] = ()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    origins: tuple[str, ...] = ()
    in_stock: bool = False
    options: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (("Размер", ("L", "M")),)
    sort: str = Sort.POPULAR
    page: int = 1

    @property
    def option_pairs(self) -> set[str]:
        return {f"{key}:{value}" for key, values in self.options for value in values}

    @property
    def is_filtered(self) -> bool:
        return bool(self.brands or self.origins or self.in_stock or self.options or self.min_price or self.max_price)

    @property
    def active_count(self) -> int:
        """How many filters are on (the price range counts once), for the tag on the folded "Фильтры" header."""
        price = self.min_price is not None or self.max_price is not None
        return len(self.brands) + len(self.origins) + bool(self.in_stock) + len(self.option_pairs) + price

    def query(self, *, page: int | None = None) -> str:
        """The canonical query string, without defaults (page 1, popular sort)."""
        items: list[tuple[str, str]] = [("brand", b) for b in self.brands]
        if self.min_price is not None:
            items.append(("min_price", str(self.min_price)))
        if self.max_price is not None:
            items.append(("max_price", str(self.max_price)))
        items += [("origin", o) for o in self.origins]
        if self.in_stock:
            items.append(("in_stock", "1"))
        items += [("opt", f"{key}:{value}") for key, values in self.options for value in values]
        if self.sort != Sort.POPULAR:
            items.append(("sort", self.sort))
        page = self.page if page is None else page
        if page > 1:
            items.append(("page", str(page)))
        return urlencode(items)


@dataclass
class ListingPage:
    products: list[Product]
    number: int
    num_pages: int
    total: int  # at most COUNT_CAP
    capped: bool  # there are more than COUNT_CAP
    page_links: list[int | None] = field(default_factory=list)  # None is a gap "…"


@dataclass
class Facets:
    brands: list[dict]  # {"slug", "name", "count"}
    options: list[tuple[str, list[str]]]  # [("Размер", ["S", "M", "L"])]


# --- categories


def category_get(*, slug: str) -> Category | None:
    return Category.objects.filter(slug=slug, is_active=True).first()


def category_subtree_ids(*, category: Category) -> list[int]:
    return list(Category.objects.filter(path__startswith=category.path, is_active=True).values_list("id", flat=True))


def category_trail(*, category: Category) -> list[Category]:
    """The category and its ancestors, root first, from the materialised path (one query)."""
    ids = [int(part) for part in category.path.split("/") if part.isdigit()]
    by_id = {c.id: c for c in Category.objects.filter(id__in=ids).only("id", "name", "slug", "path")}
    return [by_id[i] for i in ids if i in by_id] or [category]


def category_children(*, category: Category) -> list[Category]:
    return list(Category.objects.filter(parent=category, is_active=True).only("id", "name", "slug"))


# --- product cards


def _picture_subquery(products_ref: str = "pk"):
    return Subquery(
        ProductImage.objects.filter(product=OuterRef(products_ref))
        .exclude(image="")  # a feed's <picture> is remembered by URL only: no file to show
        .order_by("position", "id")
        .annotate(pic=Coalesce(NullIf("thumbnail", Value("")), "image", output_field=CharField()))
        .values("pic")[:1]
    )


def _with_picture_urls(items: Iterable, attr: str = "picture") -> list:
    items = list(items)
    for item in items:
        name = getattr(item, attr, None)
        item.picture_url = default_storage.url(name) if name else ""
    return items


def product_cards():
    """Active products with what a card shows: brand, first picture, price, stock, origin."""
    return (
        Product.objects.filter(is_active=True)
        .select_related("brand")
        .only(
            "id",
            "title",
            "slug",
            "origin",
            "min_price_rub",
            "in_stock",
            "popularity",
            "created_at",
            "brand__name",
            "brand__slug",
        )
        .annotate(picture=_picture_subquery())
    )


def _filtered(qs, filters: ListingFilters):
    if filters.brands:
        qs = qs.filter(brand__slug__in=filters.brands)
    if filters.min_price is not None:
        qs = qs.filter(min_price_rub__gte=filters.min_price)
    if filters.max_price is not None:
        qs = qs.filter(min_price_rub__lte=filters.max_price)
    if filters.origins:
        qs = qs.filter(origin__in=filters.origins)
    if filters.in_stock:
        qs = qs.filter(in_stock=True)
    if filters.options:
        # One SKU has to match every chosen option (any of the chosen values per option), and be in stock when asked.
        skus = Sku.objects.filter(product=OuterRef("pk"), is_active=True)
        for key, values in filters.options:
            any_value = Q()
            for value in values:
                any_value |= Q(options__contains={key: value})
            skus = skus.filter(any_value)
        if filters.in_stock:
            skus = skus.filter(stock__gt=0)
        qs = qs.filter(Exists(skus))
    return qs


def _page_links(number: int, num_pages: int) -> list[int | None]:
    wanted = {1, num_pages, *range(number - 2, number + 3)}
    links: list[int | None] = []
    for n in sorted(p for p in wanted if 1 <= p <= num_pages):
        if links and links[-1] is not None and n - links[-1] > 1:
            links.append(None)
        links.append(n)
    return links


def product_count(*, category_ids: list[int], filters: ListingFilters) -> int:
    """Products matching a listing's filters, counted up to COUNT_CAP + 1 (more: "over COUNT_CAP")."""
    qs = _filtered(Product.objects.filter(category_id__in=category_ids, is_active=True), filters)
    return qs.order_by().values("id")[: COUNT_CAP + 1].count()


# The listing orders as Python sort keys, for merging the per-category heads of a subtree (_page_ids_merged).
_SORT_FIELDS = {
    Sort.POPULAR: ("popularity", lambda pop, pk: (-pop, -pk)),
    Sort.PRICE_ASC: ("min_price_rub", lambda price, pk: (price is None, price or 0, pk)),
    Sort.PRICE_DESC: ("min_price_rub", lambda price, pk: (price is None, -(price or 0), -pk)),
    Sort.NEW: ("created_at", lambda at, pk: (-at.timestamp(), -pk)),
}


def _page_ids_merged(category_ids: list[int], filters: ListingFilters, start: int) -> list[int]:
    """Ids of one page of a subtree's listing: the first `start + PAGE_SIZE` of each category in the listing order
    (each walks its own category's index: product_cat_pop, product_cat_price…), merged in one UNION ALL query.

    `category_id IN (…)` with ORDER BY … LIMIT makes PostgreSQL walk the catalog-wide index of that order until it
    has met enough products of the subtree: 100+ ms when the subtree's prices sit at the far end of the catalog's.
    """
    field_name, key = _SORT_FIELDS[filters.sort]
    ordering = _ORDERING[filters.sort]
    heads = [
        _filtered(Product.objects.filter(category_id=cid, is_active=True), filters)
        .order_by(*ordering)
        .values_list(field_name, "id")[: start + PAGE_SIZE]
        for cid in category_ids
    ]
    rows = heads[0].union(*heads[1:], all=True) if len(heads) > 1 else heads[0]
    return [pk for _value, pk in sorted(rows, key=lambda row: key(*row))[start : start + PAGE_SIZE]]


def product_list(*, category_ids: list[int], filters: ListingFilters, counted: int | None = None) -> ListingPage:
    """One page of a category listing: a capped count (unless the caller knows it: `counted`) and the page itself."""
    if counted is None:
        counted = product_count(category_ids=category_ids, filters=filters)
    total = min(counted, COUNT_CAP)
    num_pages = max(1, -(-total // PAGE_SIZE))
    number = min(filters.page, num_pages)
    start = (number - 1) * PAGE_SIZE
    if len(category_ids) > 1:
        ids = _page_ids_merged(category_ids, filters, start)
        by_id = {p.pk: p for p in product_cards().filter(pk__in=ids)}
        products = _with_picture_urls(by_id[pk] for pk in ids if pk in by_id)
    else:
        page_qs = _filtered(product_cards().filter(category_id__in=category_ids), filters)
        products = _with_picture_urls(page_qs.order_by(*_ORDERING[filters.sort])[start : start + PAGE_SIZE])
    return ListingPage(
        products=products,
        number=number,
        num_pages=num_pages,
        total=total,
        capped=counted > COUNT_CAP,
        page_links=_page_links(number, num_pages),
    )


# --- facets

_SIZE_ORDER = ["XXXS", "XXS", "XS", "S", "M", "L", "XL", "XXL", "2XL", "XXXL", "3XL", "4XL", "5XL"]
_LEADING_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?")


_OPTION_KEY_ORDER = ["Размер", "Цвет", "Память"]  # what shoppers pick first; the rest alphabetically


def _option_key_order(key: str) -> tuple:
    return (_OPTION_KEY_ORDER.index(key), "") if key in _OPTION_KEY_ORDER else (len(_OPTION_KEY_ORDER), key.casefold())


def _option_value_key(value: str) -> tuple:
    upper = value.upper()
    if upper in _SIZE_ORDER:
        return (0, _SIZE_ORDER.index(upper), "")
    number = _LEADING_NUMBER.match(value)
    if number:
        return (1, float(number.group().replace(",", ".")), value)  # ordering only, never money
    return (2, 0, value.casefold())


def listing_facets(*, category_ids: list[int]) -> Facets:
    """What can be filtered on in these categories: brands with counts, variant options."""
    products = Product.objects.filter(category_id__in=category_ids, is_active=True)
    brands = list(
        products.filter(brand__isnull=False)
        .values("brand__slug", "brand__name")
        .annotate(count=Count("id"))
        .order_by("brand__name")
    )
    option_sets = (
        Sku.objects.filter(product__category_id__in=category_ids, product__is_active=True, is_active=True)
        .order_by()
        .values_list("options", flat=True)
        .distinct()
    )
    values_by_key: dict[str, set[str]] = {}
    for options in option_sets:
        if isinstance(options, dict):
            for key, value in options.items():
                if value not in (None, ""):
                    values_by_key.setdefault(str(key), set()).add(str(value))
    return Facets(
        brands=[{"slug": b["brand__slug"], "name": b["brand__name"], "count": b["count"]} for b in brands],
        options=[
            (key, sorted(values_by_key[key], key=_option_value_key))
            for key in sorted(values_by_key, key=_option_key_order)
        ],
    )


# --- home


def home_categories(*, limit: int = HOME_CATEGORIES) -> list[Category]:
    """Top-level categories, each with the picture of its most popular product (one query)."""
    picture = Subquery(
        ProductImage.objects.filter(product__is_active=True, product__category__path__startswith=OuterRef("path"))
        .exclude(image="")
        .order_by("-product__popularity", "product_id", "position")
        .annotate(pic=Coalesce(NullIf("thumbnail", Value("")), "image", output_field=CharField()))
        .values("pic")[:1]
    )
    qs = Category.objects.filter(parent__isnull=True, is_active=True).annotate(picture=picture)
    return _with_picture_urls(qs.only("id", "name", "slug", "path")[:limit])


def home_popular_products(*, limit: int = HOME_PRODUCTS) -> list[Product]:
    return _with_picture_urls(product_cards().filter(in_stock=True).order_by(*_ORDERING[Sort.POPULAR])[:limit])


# --- product page


def product_id_by_slug(*, slug: str) -> int | None:
    return Product.objects.filter(slug=slug).values_list("id", flat=True).first()


def product_page_get(*, product_id: int) -> Product | None:
    """An active product with brand, category, pictures and its active SKUs (four queries)."""
    product = (
        Product.objects.filter(id=product_id, is_active=True)
        .select_related("brand", "category")
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.exclude(image="").order_by("position", "id")),
            Prefetch(
                "skus", queryset=Sku.objects.filter(is_active=True).order_by("position", "id"), to_attr="live_skus"
            ),
        )
        .first()
    )
    return product


def sku_pick(
    *, skus: list[Sku], sku_id: int | None = None, options: dict[str, str] | None = None, changed: str | None = None
) -> Sku | None:
    """The SKU chosen by options (the picker) or by id (a link); else the first one in stock; else the first one."""
    if options:
        known = {k: v for k, v in options.items() if any(k in s.options for s in skus)}
        matching = [s for s in skus if known and all(str(s.options.get(k)) == v for k, v in known.items())]
        if not matching and len(known) > 1:
            # no such combination (a colour made in other sizes only): keep the option the shopper just changed
            keep = changed if changed in known else list(known)[-1]
            matching = [s for s in skus if str(s.options.get(keep)) == known[keep]]
        if matching:
            return next((s for s in matching if s.stock > 0), matching[0])
    if sku_id is not None:
        for sku in skus:
            if sku.id == sku_id:
                return sku
    return next((s for s in skus if s.stock > 0), skus[0] if skus else None)


@dataclass
class OptionChoice:
    value: str
    checked: bool
    available: bool  # some SKU in stock has this value together with the other chosen options


@dataclass
class VariantAxis:
    key: str
    choices: list[OptionChoice]


def variant_axes(*, skus: list[Sku], selected: Sku | None) -> list[VariantAxis]:
    """The option pickers ("Размер", "Цвет") with what is chosen and what is in stock."""
    keys: list[str] = []
    values: dict[str, set[str]] = {}
    for sku in skus:
        for key, value in sku.options.items():
            if key not in values:
                keys.append(key)
                values[key] = set()
            values[key].add(str(value))
    chosen = {k: str(v) for k, v in selected.options.items()} if selected else {}
    keys.sort(key=_option_key_order)
    axes = []
    for key in keys:
        choices = []
        for value in sorted(values[key], key=_option_value_key):
            wanted = {**chosen, key: value}
            available = any(
                s.stock > 0 and all(str(s.options.get(k)) == v for k, v in wanted.items() if k in s.options)
                for s in skus
                if str(s.options.get(key)) == value
            )
            choices.append(OptionChoice(value=value, checked=chosen.get(key) == value, available=available))
        axes.append(VariantAxis(key=key, choices=choices))
    return axes


@dataclass(frozen=True)
class StockState:
    code: str  # "in", "low", "out"
    label: str


def stock_state(*, sku: Sku | None) -> StockState:
    if sku is None or sku.stock <= 0:
        return StockState("out", _("нет в наличии"))
    if sku.stock <= LOW_STOCK:
        return StockState("low", _("осталось %(count)s шт.") % {"count": sku.stock})
    return StockState("in", _("в наличии"))


def stock_change_is_visible(*, before: int, after: int) -> bool:
    """Whether shoppers' pages show this stock change: they say "в наличии" above LOW_STOCK, the count from there
    down, "нет в наличии" at zero. Whoever moves stock often (orders) bumps the catalog cache only when it is.
    """
    return min(before, LOW_STOCK + 1) != min(after, LOW_STOCK + 1)


def product_service_promises(*, product: Product) -> list[str]:
    """The store's service standards that apply to this product.

    The windows here are the published ones; aftersales will take them over as dated policy data.
    """
    promises = []
    if product.is_own_collection:
        promises.append(_("Возврат в течение 30 дней — собственная коллекция магазина"))
    else:
        promises.append(_("Возврат в течение 7 дней без объяснения причин"))
    promises.append(_("Оплата при получении"))
    return promises


_COUNTRY_NAMES = {
    "CN": _("Китай"),
    "RU": _("Россия"),
    "DE": _("Германия"),
    "IT": _("Италия"),
    "FR": _("Франция"),
    "PL": _("Польша"),
    "ES": _("Испания"),
    "NL": _("Нидерланды"),
    "TR": _("Турция"),
    "VN": _("Вьетнам"),
    "KR": _("Южная Корея"),
    "JP": _("Япония"),
    "US": _("США"),
    "BY": _("Беларусь"),
    "KZ": _("Казахстан"),
}


def product_attribute_rows(*, product: Product) -> list[tuple[str, str]]:
    """The attributes table: the feed's parameters, then brand, country and weight."""
    rows = [(str(k), ", ".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in product.attributes.items()]
    if product.brand_id:
        rows.append((str(_("Бренд")), product.brand.name))
    if product.country_of_origin:
        code = product.country_of_origin
        rows.append((str(_("Страна производства")), str(_COUNTRY_NAMES.get(code, code))))
    rows.append((str(_("Вес")), _("%(grams)s г") % {"grams": product.weight_grams}))
    return rows
