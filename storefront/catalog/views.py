"""Category listing and product page.

What every shopper sees alike is rendered once into a fragment and kept in Redis under a version that catalog
changes bump (catalog/cache.py); the per-request page around it (header with the cart count, CSRF token) is
rendered fresh. htmx requests get only the part they swap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from .cache import CSRF_HOLE, catalog_cache_version, csrf_fill, fragment_get_or_build
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
    product_id_by_slug,
    product_list,
    product_page_get,
    product_service_promises,
    sku_pick,
    stock_state,
    variant_axes,
)

LISTING_TTL = 600
FACETS_TTL = 1800
PRODUCT_TTL = 1800
MAX_OPTION_PARAMS = 5


def _swaps_part(request) -> bool:
    """An htmx request that swaps a part of the page (a history restore wants the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _digest(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=10).hexdigest()


# --- category listing


def _facets(category, category_ids: list[int], version: str):
    key = f"catalog:facets:{category.id}:{version}"
    return fragment_get_or_build(key, lambda: listing_facets(category_ids=category_ids), timeout=FACETS_TTL)


def _listing_context(slug: str, filters: ListingFilters, version: str) -> dict | None:
    category = category_get(slug=slug)
    if category is None:
        return None
    category_ids = category_subtree_ids(category=category)
    page = product_list(category_ids=category_ids, filters=filters)
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
        "sort_choices": Sort.choices,
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
    return {"html": render_to_string("catalog/partials/listing_results.html", ctx)}


@require_GET
def category_view(request, slug: str):
    filters = ListingFilterForm(request.GET).listing_filters()
    version = catalog_cache_version()
    partial = _swaps_part(request)
    key = f"catalog:list:{slug}:{get_language()}:{version}:{'r' if partial else 'p'}:{_digest(filters.query())}"
    builder = _render_results if partial else _render_listing
    entry = fragment_get_or_build(key, lambda: builder(slug, filters, version), timeout=LISTING_TTL)
    if entry is None:
        raise Http404
    if partial:
        response = HttpResponse(entry["html"])
    else:
        response = render(
            request, "catalog/category.html", {"title": entry["title"], "content": mark_safe(entry["html"])}
        )
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


def _product_entry(request, slug: str, kind: str, render_fn: Callable) -> dict | None:
    """The product's shared fragment (`render_fn(product, sku)`), re-rendered when its cache version moved on.

    The entry remembers the version it was rendered at; the version is read before the database, so a change
    committed in between leaves a stale entry under the old version, never under the new one. Variants chosen
    by options (the picker) are rendered fresh; a link's ?sku=<id> is cached when it names one of the product's.
    """
    sku_id = _sku_id(request)
    options = _option_params(request.GET)
    # the picker's radio that changed (htmx sends its name)
    changed = (request.headers.get("HX-Trigger-Name") or "").removeprefix(OPTION_PREFIX) or None
    key = f"catalog:{kind}:{slug}:{sku_id or 0}:{get_language()}"
    if not options:
        entry = cache.get(key)
        if entry is not None and catalog_cache_version(entry["id"]) == entry["v"]:
            return entry
    product_id = product_id_by_slug(slug=slug)
    if product_id is None:
        return None
    entry = {"id": product_id, "v": catalog_cache_version(product_id)}
    product = product_page_get(product_id=product_id)
    if product is None:
        entry["missing"] = True
    else:
        sku = sku_pick(skus=product.live_skus, sku_id=sku_id, options=options, changed=changed)
        entry.update(render_fn(product, sku), sku_id=sku.id if sku else None)
        if sku_id is not None and (sku is None or sku.id != sku_id):
            return entry  # a made-up ?sku= shows the default variant but is not worth a cache entry
    if not options:
        cache.set(key, entry, PRODUCT_TTL)
    return entry


def _sku_id(request) -> int | None:
    form = VariantForm(request.GET)
    return form.cleaned_data.get("sku") if form.is_valid() else None


@require_GET
def product_view(request, slug: str):
    entry = _product_entry(request, slug, "pp", _render_product_page)
    if entry is None or entry.get("missing"):
        raise Http404
    content = mark_safe(csrf_fill(entry["html"], request))
    return render(request, "catalog/product.html", {"title": entry["title"], "content": content})


@require_GET
def product_variant_view(request, slug: str):
    """The price / stock / add-to-cart block for the chosen variant (htmx); without JS, the product page."""
    url = reverse("catalog:product", kwargs={"slug": slug})
    if not _swaps_part(request):
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    entry = _product_entry(request, slug, "pv", _render_variant)
    if entry is None or entry.get("missing"):
        raise Http404
    response = HttpResponse(csrf_fill(entry["html"], request))
    if entry.get("sku_id"):
        response["HX-Replace-Url"] = f"{url}?{urlencode({'sku': entry['sku_id']})}"
    patch_vary_headers(response, ("HX-Request",))
    return response
