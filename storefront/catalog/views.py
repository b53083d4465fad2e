"""Category listing and product page.

What every shopper sees alike is rendered once into a fragment and kept in Redis under a version that catalog
changes bump (catalog/cache.py); the per-request page around it (header with the cart count, CSRF token) is
rendered fresh. htmx requests get only the part they swap.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from django.core.handlers.wsgi import get_str_from_wsgi
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from .cache import (
    CSRF_HOLE,
    catalog_cache_version,
    csrf_fill,
    fragment_get_or_build,
    page_is_shared,
    page_render_shared,
    versioned_get,
    versioned_set,
)
from .forms import ListingFilterForm, VariantForm
from .origins import origin_filter_choices, origin_text
from .selectors_listing import (
    ListingFilters,
    Sort,
    category_children,
    category_get,
    category_subtree_ids,
    category_trail,
    listing_facets,
    product_attribute_rows,
    product_count,
    product_id_by_slug,
    product_list,
    product_page_get,
    product_service_promises,
    sku_pick,
    stock_state,
    variant_axes,
)

LISTING_TTL = 600
FACETS_TTL = 3600
PRODUCT_TTL = 1800
MAX_OPTION_PARAMS = 5
MAX_QUERY = 2000


def _swaps_part(request) -> bool:
    """An htmx request that swaps a part of the page (a history restore wants the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _digest(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=10).hexdigest()


# --- category listing


def _facets(category, category_ids: list[int], version: str):
    """Brands and variant options of a category: the slowest reads of a listing (they scan the subtree's
    SKUs), and they barely move with one price or stock change. So they follow only the "everything" part of the
    version (bulk imports, FX, category edits) and otherwise live for FACETS_TTL.
    """
    everything = version.split(".", 1)[0]
    key = f"catalog:facets:{category.id}:{everything}"
    return fragment_get_or_build(key, lambda: listing_facets(category_ids=category_ids), timeout=FACETS_TTL)


def _count(category, category_ids: list[int], filters: ListingFilters, version: str) -> int:
    """The listing's capped count, shared by its pages and sort orders (the same filters): counting visits up to
    COUNT_CAP rows, a third of a cold listing's database time. Keyed by the full version, like the pages."""
    unpaged = dataclasses.replace(filters, sort=Sort.POPULAR, page=1)
    key = f"catalog:count:{category.id}:{_digest(unpaged.query())}:{version}"
    return fragment_get_or_build(
        key, lambda: product_count(category_ids=category_ids, filters=unpaged), timeout=LISTING_TTL
    )


def _listing_context(slug: str, filters: ListingFilters, version: str) -> dict | None:
    category = category_get(slug=slug)
    if category is None:
        return None
    category_ids = category_subtree_ids(category=category)
    counted = _count(category, category_ids, filters, version)
    page = product_list(category_ids=category_ids, filters=filters, counted=counted)
    url = category.get_absolute_url()

    def link(**changes) -> str:
        query = filters.query(**changes)
        return f"{url}?{query}" if query else url

    return {
        "category": category,
        "url": url,
        "filters": filters,
        "page": page,
        "page_urls": [(n, link(page=n) if n else "") for n in page.page_links],
        "prev_url": link(page=page.number - 1) if page.number > 1 else "",
        "next_url": link(page=page.number + 1) if page.number < page.num_pages else "",
        # the default order is the empty value, so it stays out of the URL
        "sort_choices": [
            ("" if value == Sort.POPULAR else value, label, value == filters.sort) for value, label in Sort.choices
        ],
        "version": version,
        "_category_ids": category_ids,
    }


def _render_listing(slug: str, filters: ListingFilters, version: str) -> dict | None:
    ctx = _listing_context(slug, filters, version)
    if ctx is None:
        return None
    category = ctx["category"]
    facets = _facets(category, ctx["_category_ids"], version)
    pairs = filters.option_pairs
    ctx.update(
        facets=facets,
        brand_choices=[(b["slug"], b["name"], b["count"], b["slug"] in filters.brands) for b in facets.brands],
        origin_choices=[(code, label, code in filters.origins) for code, label in origin_filter_choices()],
        option_groups=[
            (key, [(value, f"{key}:{value}", f"{key}:{value}" in pairs) for value in values])
            for key, values in facets.options
        ],
    )
    ctx["trail"] = category_trail(category=category)
    ctx["children"] = category_children(category=category)
    return {"title": category.name, "html": render_to_string("catalog/partials/listing.html", ctx)}


def _render_results(slug: str, filters: ListingFilters, version: str) -> dict | None:
    ctx = _listing_context(slug, filters, version)
    if ctx is None:
        return None
    # with the results, the header tag of the filters (outside #results), swapped out of band
    return {"html": render_to_string("catalog/partials/listing_results.html", {**ctx, "oob": True})}


@functools.lru_cache(maxsize=4096)
def _listing_query_parse(query_string: str) -> tuple[ListingFilters, bool, str]:
    """A listing URL's query: the validated filters, whether the URL says exactly that (no utm_… or junk: worth
    a whole shared page) and the digest of the filters for cache keys. Shoppers share a few thousand URLs, so
    each worker validates each of them once.
    """
    filters = ListingFilterForm(QueryDict(query_string)).listing_filters()
    canonical = filters.query()
    exact = sorted(parse_qsl(query_string, keep_blank_values=True)) == sorted(parse_qsl(canonical))
    return filters, exact, _digest(canonical)


def _page_response(request, entry: dict, template: str, *, shared: bool) -> HttpResponse:
    """A cached whole page (visitors without a session), or the visitor's own page around a cached fragment."""
    html = csrf_fill(entry["html"], request)
    if shared:
        return HttpResponse(html)
    return render(request, template, {"title": entry.get("title", ""), "content": mark_safe(html)})


@require_GET
def category_view(request, slug: str):
    query_string = get_str_from_wsgi(request.META, "QUERY_STRING", "")
    if len(query_string) <= MAX_QUERY:
        filters, exact, digest = _listing_query_parse(query_string)
    else:  # nobody clicks that together: validated, but not worth a slot in the parse cache or a whole page
        filters, exact = ListingFilterForm(request.GET).listing_filters(), False
        digest = _digest(filters.query())
    partial = _swaps_part(request)
    shared = not partial and exact and page_is_shared(request)
    kind = "results" if partial else "page" if shared else "content"
    key = f"catalog:list:{kind}:{slug}:{get_language()}:{digest}"
    entry = versioned_get(key)
    if entry is None:
        version = catalog_cache_version()
        entry = (_render_results if partial else _render_listing)(slug, filters, version)
        if entry is None:
            raise Http404
        if shared:
            entry["html"] = page_render_shared(
                request, "catalog/category.html", {"title": entry["title"], "content": mark_safe(entry["html"])}
            )
        entry = versioned_set(key, entry, version=version, timeout=LISTING_TTL)
    if partial:
        response = HttpResponse(entry["html"])
    else:
        response = _page_response(request, entry, "catalog/category.html", shared=shared)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- product page


OPTION_PREFIX = "o_"  # the picker's fields: ?o_Размер=M&o_Цвет=чёрный; other parameters (utm_…) are not options


def _option_params(query) -> dict[str, str]:
    """Variant options chosen in the picker, bounded in number and length."""
    options = {}
    for key in query:
        name = key.removeprefix(OPTION_PREFIX)
        if key.startswith(OPTION_PREFIX) and 0 < len(name) <= 40:
            value = query.get(key, "").strip()
            if 0 < len(value) <= 60:
                options[name] = value
        if len(options) >= MAX_OPTION_PARAMS:
            break
    return options


def _product_context(product, sku) -> dict:
    skus = product.live_skus
    return {
        "product": product,
        "sku": sku,
        "skus": skus,
        "axes": variant_axes(skus=skus, selected=sku),
        "stock": stock_state(sku=sku),
        "origin": origin_text(product.origin),
        "variant_url": reverse("catalog:product_variant", kwargs={"slug": product.slug}),
        "option_prefix": OPTION_PREFIX,
        "csrf_token": CSRF_HOLE,  # filled per request: the fragment is shared
    }


def _render_product_page(product, sku) -> dict:
    ctx = _product_context(product, sku)
    ctx.update(
        images=list(product.images.all()),
        trail=category_trail(category=product.category),
        promises=product_service_promises(product=product),
        attribute_rows=product_attribute_rows(product=product),
    )
    return {"title": product.title, "html": render_to_string("catalog/partials/product_main.html", ctx)}


def _render_variant(product, sku) -> dict:
    return {"html": render_to_string("catalog/partials/product_variant.html", _product_context(product, sku))}


# slug -> product id as last seen by this worker: lets a cached product page be checked in one Redis round trip.
# Only a hint (versioned_get checks it against the entry); bounded so a crawl cannot grow it without end.
_PRODUCT_IDS: dict[str, int] = {}
_PRODUCT_IDS_MAX = 200_000


def _remember_product_id(slug: str, product_id: int) -> None:
    if len(_PRODUCT_IDS) >= _PRODUCT_IDS_MAX:
        _PRODUCT_IDS.clear()
    _PRODUCT_IDS[slug] = product_id


def _product_entry(request, slug: str, kind: str, render_fn: Callable, page: str = "") -> tuple[dict | None, bool]:
    """The product's shared fragment (`render_fn(product, sku)`) or, for visitors without a session, the whole
    `page`; re-rendered when the product's cache version moved on. Returns (entry, whether it is a whole page).

    Variants chosen by options (the picker) are rendered fresh; a link's ?sku=<id> is cached when it names one of
    the product's SKUs. Other parameters (utm_…) do not change the fragment and skip the whole-page cache.
    """
    sku_id, option_items, only_sku = _product_query_parse(
        get_str_from_wsgi(request.META, "QUERY_STRING", "")[:MAX_QUERY]
    )
    options = dict(option_items)
    # the picker's radio that changed (htmx sends its name)
    changed = (request.headers.get("HX-Trigger-Name") or "").removeprefix(OPTION_PREFIX) or None
    shared = bool(page) and not options and only_sku and page_is_shared(request)
    key = f"catalog:{kind}{':page' if shared else ''}:{slug}:{sku_id or 0}:{get_language()}"
    if not options:
        entry = versioned_get(key, product_hint=_PRODUCT_IDS.get(slug))
        if entry is not None:
            _remember_product_id(slug, entry["pid"])
            return entry, shared
    product_id = product_id_by_slug(slug=slug)
    if product_id is None:
        return None, False
    _remember_product_id(slug, product_id)
    version = catalog_cache_version(product_id)  # before the product is read: see catalog/cache.py
    product = product_page_get(product_id=product_id)
    if product is None:
        entry = {"missing": True}
    else:
        sku = sku_pick(skus=product.live_skus, sku_id=sku_id, options=options, changed=changed)
        entry = {**render_fn(product, sku), "sku_id": sku.id if sku else None}
        if sku_id is not None and (sku is None or sku.id != sku_id):
            return entry, False  # a made-up ?sku= shows the default variant but is not worth a cache entry
        if shared:
            content = {"title": entry["title"], "content": mark_safe(entry["html"])}
            entry["html"] = page_render_shared(request, page, content)
    if options:
        return entry, False
    return versioned_set(key, entry, version=version, timeout=PRODUCT_TTL, product_id=product_id), shared


_NONE = (None, (), False)


@functools.lru_cache(maxsize=4096)
def _product_query_parse(query_string: str) -> tuple[int | None, tuple[tuple[str, str], ...], bool]:
    """A product URL's query: the ?sku= asked for (validated), the picker's options, and whether nothing else
    (utm_…) is there. Parsed once per worker per distinct query."""
    query = QueryDict(query_string)
    form = VariantForm(query)
    sku_id = form.cleaned_data.get("sku") if form.is_valid() else None
    return sku_id, tuple(_option_params(query).items()), set(query) <= {"sku"}


@require_GET
def product_view(request, slug: str):
    entry, shared = _product_entry(request, slug, "pp", _render_product_page, page="catalog/product.html")
    if entry is None or entry.get("missing"):
        raise Http404
    return _page_response(request, entry, "catalog/product.html", shared=shared)


@require_GET
def product_variant_view(request, slug: str):
    """The price / stock / add-to-cart block for the chosen variant (htmx); without JS, the product page."""
    url = reverse("catalog:product", kwargs={"slug": slug})
    if not _swaps_part(request):
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    entry, _shared = _product_entry(request, slug, "pv", _render_variant)
    if entry is None or entry.get("missing"):
        raise Http404
    response = HttpResponse(csrf_fill(entry["html"], request))
    if entry.get("sku_id"):
        response["HX-Replace-Url"] = f"{url}?{urlencode({'sku': entry['sku_id']})}"
    patch_vary_headers(response, ("HX-Request",))
    return response
