"""Search pages: /search/?q= (results, corrections, the helpful page) and /search/suggest/?q= (htmx partial).

Like the listings (catalog/cache.py): the results block is what every shopper sees for a query and is kept under
the catalog version for RESULTS_TTL; visitors without a session get the whole page from the cache (CSRF hole
filled per request), others get their own page around the cached block. No-result searches are still counted
on every request, cached or not.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from .cache import (
    CSRF_HOLE,
    catalog_cache_version,
    csrf_fill,
    page_is_shared,
    page_render_shared,
    versioned_get,
    versioned_set,
)
from .search import (
    popular_categories,
    product_search,
    products_for_cards,
    search_has_words,
    search_normalize,
    search_suggest,
    search_term_key,
)
from .search_forms import SORT_CHOICES, SearchForm
from .search_services import search_miss_record
from .selectors_listing import _page_links

# Entries are checked against the catalog version on every read (a price or stock change shows at once), so the
# timeout only bounds Redis memory (~25 KB a page): as long as the listings keep theirs.
RESULTS_TTL = 600
SUGGEST_TTL = 600
SHARED_QUERY_MAX = 600  # longer query strings are served fine, just not kept as whole pages


def _key(kind: str, *parts: object) -> str:
    digest = hashlib.blake2s("\x1f".join(str(p) for p in parts).encode(), digest_size=12).hexdigest()
    return f"search:{kind}:{get_language()}:{digest}"


def _url(query: str, sort: str, page: int = 1, *, exact: bool = False) -> str:
    params: dict[str, object] = {"q": query}
    if sort != SORT_CHOICES[0][0]:
        params["sort"] = sort
    if page > 1:
        params["page"] = page
    if exact:
        params["exact"] = 1
    return "?" + urlencode(params)


def _results_html(query: str, sort: str, page: int, exact: bool) -> dict:
    """Search once and render the results block: what every shopper sees for this query (cached as is)."""
    result = product_search(query=query, sort=sort, page=page, correct=not exact)
    exact = exact or result.corrected  # links within corrected results stay on the corrected query

    def link(page_number: int = 1, sort: str = result.sort) -> str:
        return _url(result.shown_query, sort, page_number, exact=exact)

    context = {
        "result": result,
        "products": products_for_cards(result.product_ids),
        "sorts": [(value, label, link(sort=value)) for value, label in SORT_CHOICES],
        "pages": [(n, link(n) if n else None) for n in _page_links(result.page, result.num_pages)],
        "prev_url": link(result.page - 1) if result.page > 1 else None,
        "next_url": link(result.page + 1) if result.page < result.num_pages else None,
        "original_url": _url(result.query, result.sort, exact=True),
        "suggestion_url": _url(result.suggestion, result.sort) if result.suggestion else None,
        "categories": popular_categories() if result.found_nothing else [],
        "csrf_token": CSRF_HOLE,  # cards with forms get each shopper's token from csrf_fill
    }
    return {
        "html": render_to_string("catalog/search_results.html", context),
        "searchable": result.searchable,
        "miss": result.searchable and result.found_nothing,
        "total": result.total,
        "shown_query": result.shown_query,
    }


def _helpful_page(request, query: str):
    response = render(request, "catalog/search_empty.html", {"query": query, "categories": popular_categories()})
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
def search(request):
    query, sort, page, exact = SearchForm(request.GET).params()
    if not search_has_words(query):  # empty or punctuation only
        return _helpful_page(request, query)

    partial = bool(request.htmx) and not request.htmx.history_restore_request  # sorting and pages swap the block
    query_string = request.META.get("QUERY_STRING", "")
    # A whole page shows the raw query in the header box, so it is keyed by the URL as typed.
    shared = not partial and len(query_string) <= SHARED_QUERY_MAX and page_is_shared(request)
    key = _key("page", query_string) if shared else _key("block", search_term_key(query), sort, page, exact)
    entry = versioned_get(key)
    if entry is None:
        version = catalog_cache_version()  # read before the data, as versioned_set wants
        entry = _results_html(query, sort, page, exact)
        if shared and entry["searchable"]:
            context = _page_context(query, entry, mark_safe(entry["html"]))  # our own rendered template
            entry["html"] = page_render_shared(request, "catalog/search.html", context)
        entry = versioned_set(key, entry, version=version, timeout=RESULTS_TTL)
    if not entry["searchable"]:  # stop words only ("и для"): nothing to search for
        return _helpful_page(request, query)

    if entry["miss"]:
        search_miss_record(term=query)
    html = csrf_fill(entry["html"], request)
    if partial or shared:
        response = HttpResponse(html)
    else:
        response = render(request, "catalog/search.html", _page_context(query, entry, mark_safe(html)))
    patch_vary_headers(response, ("HX-Request",))  # the same URL answers htmx with the results block only
    return response


def _page_context(query: str, entry: dict, results_html: str) -> dict:
    return {"query": query, "results_html": results_html, "total": entry["total"], "shown_query": entry["shown_query"]}


@require_GET
def suggest(request):
    prefix = search_term_key(search_normalize(request.GET.get("q")))
    key = _key("suggest", prefix)
    entry = versioned_get(key)
    if entry is None:
        version = catalog_cache_version()
        context = {"suggestions": search_suggest(prefix), "prefix": prefix}
        html = render_to_string("catalog/_suggestions.html", context).strip()  # empty: the box hides (:empty)
        entry = versioned_set(key, {"html": html}, version=version, timeout=SUGGEST_TTL)
    return HttpResponse(entry["html"])
