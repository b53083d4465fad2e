"""Product search (reads): PostgreSQL full-text search with the `russian` configuration.

- `search_normalize` cleans what the shopper typed (length cap, whitespace); `websearch_to_tsquery` makes any text
  a safe query (quotes, `-word`, `or`; stray `&|!:*()` are ignored), so no input can raise a tsquery syntax error.
- `product_search` ranks by `ts_rank_cd` over the weighted vector (title A > brand B > category C > description D),
  then popularity; other sorts: price, new, popularity. Counting stops at SEARCH_COUNT_CAP matches.
- Nothing found (or very little): the query is retried as typed on the other keyboard layout, then with typos
  corrected against the word dictionary (search_typos.py); the first that finds more wins.
- `search_suggest` (as-you-type) and `popular_categories` (the helpful page for empty or fruitless queries).

Product.search_vector is kept current by database triggers (migration 0002_search), whatever writes the products.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from .models import Category, Product
from .search_typos import WORD_RE, layout_swap, query_correct
from .selectors_listing import _with_picture_urls as with_picture_urls
from .selectors_listing import product_cards

QUERY_MAX_CHARS = 200
PAGE_SIZE = 24
SEARCH_COUNT_CAP = 500  # "more than 500 found" (21 pages): never count or rank every match of a common word
FEW_RESULTS = 3  # fewer than this: offer a corrected query ("did you mean")
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A


class Sort:
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NEW = "new"
    POPULAR = "popular"


# Each order can walk an index and stop early when a common word matches most of the catalog.
ORDER_BY = {
    Sort.RELEVANCE: "c.rank DESC, c.popularity DESC, c.id",  # over the candidates, see _page
    Sort.PRICE_ASC: "p.min_price_rub ASC NULLS LAST, p.popularity DESC, p.id",  # index product_price
    Sort.PRICE_DESC: "p.min_price_rub DESC NULLS LAST, p.popularity DESC, p.id",  # index product_price_desc
    Sort.NEW: "p.created_at DESC, p.id DESC",
    Sort.POPULAR: "p.popularity DESC, p.id",
}

_SPACES = re.compile(r"\s+")


def search_normalize(raw: str | None) -> str:
    """What we search for: control characters and repeated spaces removed, at most QUERY_MAX_CHARS characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in (raw or ""))
    text = _SPACES.sub(" ", text).strip()
    return text[:QUERY_MAX_CHARS].strip()


def search_term_key(text: str) -> str:
    """One spelling per term for cache keys and the no-result log: lower case, ё as е."""
    return text.lower().replace("ё", "е")


def search_has_words(text: str) -> bool:
    return bool(WORD_RE.search(text))


@dataclass
class SearchResult:
    query: str  # what the shopper asked for (normalised)
    shown_query: str  # what the products are for: `query`, or its layout/typo correction
    product_ids: list[int] = field(default_factory=list)
    total: int = 0  # capped at SEARCH_COUNT_CAP
    page: int = 1
    sort: str = Sort.RELEVANCE
    suggestion: str | None = None  # a better query when the shopper's own found very little
    searchable: bool = True  # False: nothing in the query but stop words or punctuation

    @property
    def corrected(self) -> bool:
        return self.shown_query != self.query

    @property
    def total_capped(self) -> bool:
        return self.total >= SEARCH_COUNT_CAP

    @property
    def num_pages(self) -> int:
        return max(1, -(-min(self.total, SEARCH_COUNT_CAP) // PAGE_SIZE))

    @property
    def found_nothing(self) -> bool:
        return self.total == 0


def _page(text: str, *, sort: str, page: int) -> tuple[list[int], int | None]:
    """Ids of one page of matches in `sort` order, and the capped total when this query tells it.

    Relevance ranks the SEARCH_COUNT_CAP most popular matches (all of them when there are fewer): ranking every
    match of a word found in a quarter of the catalog would read each of those rows, while the candidates come
    from walking the popularity index and stop early; counting them is free. Shown counts and pages are capped
    the same way for every sort.
    """
    offset = (page - 1) * PAGE_SIZE
    if sort == Sort.RELEVANCE:
        sql = f"""
            SELECT c.id, count(*) OVER () FROM (
                SELECT p.id, p.popularity, ts_rank_cd('{RANK_WEIGHTS}', p.search_vector, q) AS rank
                FROM catalog_product p, websearch_to_tsquery('russian', %s) q
                WHERE p.is_active AND p.search_vector @@ q
                ORDER BY p.popularity DESC, p.id
                LIMIT %s
            ) c
            ORDER BY {ORDER_BY[sort]}
            LIMIT %s OFFSET %s
        """
        params = [text, SEARCH_COUNT_CAP, PAGE_SIZE, offset]
    else:
        sql = f"""
            SELECT p.id, NULL FROM catalog_product p, websearch_to_tsquery('russian', %s) q
            WHERE p.is_active AND p.search_vector @@ q
            ORDER BY {ORDER_BY[sort]}
            LIMIT %s OFFSET %s
        """
        params = [text, PAGE_SIZE, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # ORDER_BY and RANK_WEIGHTS are ours, chosen by key
        rows = cursor.fetchall()
    ids = [row[0] for row in rows]
    total = rows[0][1] if rows else None
    if total is None and page == 1 and len(ids) < PAGE_SIZE:
        total = len(ids)
    return ids, total


def _page_counted(text: str, *, sort: str, page: int) -> tuple[list[int], int]:
    ids, total = _page(text, sort=sort, page=page)
    return ids, _count(text) if total is None else total


def _count(text: str) -> int:
    """Matches, counted up to SEARCH_COUNT_CAP (the GIN index finds them; the cap bounds the heap visits)."""
    sql = """
        SELECT count(*) FROM (
            SELECT 1 FROM catalog_product p, websearch_to_tsquery('russian', %s) q
            WHERE p.is_active AND p.search_vector @@ q LIMIT %s
        ) m
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [text, SEARCH_COUNT_CAP])
        return cursor.fetchone()[0]


def _has_lexemes(text: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT numnode(websearch_to_tsquery('russian', %s)) > 0", [text])
        return cursor.fetchone()[0]


def _alternatives(text: str):
    """Other readings of a query, most likely first: other keyboard layout, typos fixed, both."""
    swapped = layout_swap(text)
    if swapped:
        yield swapped
    corrected = query_correct(text)
    if corrected:
        yield corrected
    if swapped and (swapped_corrected := query_correct(swapped)):
        yield swapped_corrected


def product_search(*, query: str, sort: str = Sort.RELEVANCE, page: int = 1, correct: bool = True) -> SearchResult:
    """One page of active products matching `query` (already normalised), with corrections when it finds little."""
    sort = sort if sort in ORDER_BY else Sort.RELEVANCE
    page = max(1, min(page, -(-SEARCH_COUNT_CAP // PAGE_SIZE)))
    result = SearchResult(query=query, shown_query=query, sort=sort, page=page)
    if not search_has_words(query):
        result.searchable = False
        return result

    ids, total = _page_counted(query, sort=sort, page=page)
    if total and not ids:  # a page past the end (an old link): show the last one
        page = result.page = -(-min(total, SEARCH_COUNT_CAP) // PAGE_SIZE)
        ids = _page(query, sort=sort, page=page)[0]
    if total == 0 and not _has_lexemes(query):
        result.searchable = False  # only stop words ("и", "для") or nothing a tsquery keeps
        return result

    if correct and total < FEW_RESULTS:
        for alternative in _alternatives(query):
            alt_ids, alt_total = _page_counted(alternative, sort=sort, page=1)
            if alt_total > total:
                if total == 0:  # show the alternative's products straight away
                    result.shown_query = alternative
                    result.page = 1
                    ids, total = alt_ids, alt_total
                else:
                    result.suggestion = alternative
                break

    result.product_ids = ids
    result.total = total
    return result


def products_for_cards(ids: list[int]) -> list[Product]:
    """The products behind `ids`, in that order, with what the listings' product card shows (one query)."""
    by_id = {p.pk: p for p in product_cards().filter(pk__in=ids)}
    return with_picture_urls(by_id[pk] for pk in ids if pk in by_id)


# --- the helpful page: popular categories -------------------------------------------------------------------------

POPULAR_CATEGORIES_KEY = "search:popular-categories:v1"
POPULAR_CATEGORIES_TTL = 1800  # an aggregate over every active product: recomputed twice an hour


def popular_categories(limit: int = 12) -> list[dict]:
    """Top-level categories with the most active products (subtrees included), cached for half an hour."""
    cached = cache.get(POPULAR_CATEGORIES_KEY)
    if cached is not None:
        return cached[:limit]
    sql = """
        SELECT split_part(c.path, '/', 1) AS root_id, count(*) AS products, sum(p.popularity) AS popularity
        FROM catalog_product p JOIN catalog_category c ON c.id = p.category_id
        WHERE p.is_active AND c.path <> ''
        GROUP BY 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        stats = {int(root): (products, popularity or 0) for root, products, popularity in cursor.fetchall() if root}
    roots = Category.objects.filter(parent__isnull=True, is_active=True).only("id", "name", "slug")
    rows = [
        {"name": c.name, "url": c.get_absolute_url(), "products": stats.get(c.pk, (0, 0))[0], "_rank": stats.get(c.pk)}
        for c in roots
        if c.pk in stats
    ]
    rows.sort(key=lambda r: (-r["_rank"][0], -r["_rank"][1], r["name"]))
    rows = [{k: v for k, v in r.items() if k != "_rank"} for r in rows[:24]]
    cache.set(POPULAR_CATEGORIES_KEY, rows, POPULAR_CATEGORIES_TTL)
    return rows[:limit]


# --- as-you-type suggestions ---------------------------------------------------------------------------------------

SUGGEST_MIN_CHARS = 2
SUGGEST_MAX_CHARS = 64
SUGGEST_LIMIT = 8
SUGGEST_SCAN = 300  # prefix matches looked at before picking the most popular (bounds the heap visits)


@dataclass(frozen=True)
class Suggestion:
    kind: str  # "category" | "brand" | "product"
    label: str
    url: str


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _names_by_prefix(table: str, prefix: str, limit: int, extra: str = "") -> list[tuple]:
    """Brands or categories whose name, or a word in it, starts with `prefix` (small tables)."""
    sql = f"""
        SELECT id, name, slug FROM {table}
        WHERE (lower(name) LIKE %(p)s OR lower(name) LIKE %(wp)s) {extra}
        ORDER BY lower(name) LIKE %(p)s DESC, char_length(name), name
        LIMIT %(n)s
    """  # table and extra are ours
    with connection.cursor() as cursor:
        cursor.execute(sql, {"p": _like_prefix(prefix), "wp": "% " + _like_prefix(prefix), "n": limit})
        return cursor.fetchall()


def _titles_by_prefix(prefix: str, limit: int) -> list[tuple]:
    """Titles starting with `prefix` (index product_title_prefix), the most popular of the first SUGGEST_SCAN."""
    sql = """
        SELECT id, title, slug FROM (
            SELECT id, title, slug, popularity FROM catalog_product
            WHERE is_active AND lower(title) LIKE %(p)s
            LIMIT %(scan)s
        ) m ORDER BY popularity DESC, title LIMIT %(n)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"p": _like_prefix(prefix), "scan": SUGGEST_SCAN, "n": limit})
        return cursor.fetchall()


def _title_word_starts_with(prefix: str) -> bool:
    """Whether the word dictionary (title, brand and category words) has a word starting with `prefix`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM catalog_searchword WHERE word LIKE %s LIMIT 1", [_like_prefix(prefix.replace("ё", "е"))]
        )
        return cursor.fetchone() is not None


def _titles_by_word_prefix(prefix: str, limit: int, exclude: set[int]) -> list[tuple]:
    """Titles (or brand) with the typed words anywhere, the last one a prefix: "чехол iph" -> чехол:AB & iph:*AB."""
    words = WORD_RE.findall(prefix)
    if not words or not _title_word_starts_with(words[-1]):
        return []  # no title, brand or category word starts so: skip (a description word would be rechecked in vain)
    tsquery = " & ".join([*(w + ":AB" for w in words[:-1]), words[-1] + ":*AB"])  # title and brand, not the text
    sql = """
        SELECT id, title, slug FROM (
            SELECT id, title, slug, popularity FROM catalog_product
            WHERE is_active AND search_vector @@ to_tsquery('russian', %(q)s)
            LIMIT %(scan)s
        ) m ORDER BY popularity DESC, title LIMIT %(n)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"q": tsquery, "scan": SUGGEST_SCAN, "n": limit + len(exclude)})
        return [row for row in cursor.fetchall() if row[0] not in exclude][:limit]


def search_suggest(raw: str | None) -> list[Suggestion]:
    """Up to SUGGEST_LIMIT categories, brands and product titles for what has been typed so far."""
    prefix = search_term_key(search_normalize(raw))[:SUGGEST_MAX_CHARS]
    if len(prefix) < SUGGEST_MIN_CHARS or not search_has_words(prefix):
        return []
    found: list[Suggestion] = [
        Suggestion("category", name, reverse("catalog:category", kwargs={"slug": slug}))
        for _, name, slug in _names_by_prefix("catalog_category", prefix, 3, "AND is_active")
    ]
    found += [
        Suggestion("brand", name, reverse("catalog:search") + "?" + urlencode({"q": name}))
        for _, name, _slug in _names_by_prefix("catalog_brand", prefix, 2)
    ]
    room = SUGGEST_LIMIT - len(found)
    titles = _titles_by_prefix(prefix, room)
    if len(titles) < room and len(prefix) >= 3:
        titles += _titles_by_word_prefix(prefix, room - len(titles), {row[0] for row in titles})
    found += [
        Suggestion("product", title, reverse("catalog:product", kwargs={"slug": slug})) for _, title, slug in titles
    ]
    return found
