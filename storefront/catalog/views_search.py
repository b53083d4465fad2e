"""Search pages: /search/?q= (results, corrections, the helpful page) and /search/suggest/?q= (htmx partial)."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from .cache import CSRF_HOLE, catalog_cache_version, csrf_fill
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

RESULTS_TTL = 60
SUGGEST_TTL = 60


def _key(kind: str, *parts: object) -> str:
    digest = hashlib.md5("\x1f".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()
    return f"search:{kind}:{get_language()}:{catalog_cache_version()}:{digest}"


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


@require_GET
def search(request):
    query, sort, page, exact = SearchForm(request.GET).params()
    entry = None
    if search_has_words(query):
        key = _key("results", search_term_key(query), sort, page, exact)
        entry = cache.get(key)
        if entry is None:
            entry = _results_html(query, sort, page, exact)
            cache.set(key, entry, RESULTS_TTL)
    if entry is None or not entry["searchable"]:  # empty, punctuation or stop words only: the helpful page
        response = render(request, "catalog/search_empty.html", {"query": query, "categories": popular_categories()})
        patch_vary_headers(response, ("HX-Request",))
        return response

    if entry["miss"]:
        search_miss_record(term=query)
    results_html = mark_safe(csrf_fill(entry["html"], request))  # our own rendered template
    if request.htmx and request.htmx.target == "search-results":
        response = HttpResponse(results_html)
    else:
        context = {"query": query, "results_html": results_html, "total": entry["total"]}
        context["shown_query"] = entry["shown_query"]
        response = render(request, "catalog/search.html", context)
    patch_vary_headers(response, ("HX-Request",))  # the same URL answers htmx with the results block only
    return response


@require_GET
def suggest(request):
    prefix = search_term_key(search_normalize(request.GET.get("q")))
    key = _key("suggest", prefix)
    html = cache.get(key)
    if html is None:
        context = {"suggestions": search_suggest(prefix), "prefix": prefix}
        html = render_to_string("catalog/_suggestions.html", context).strip()  # empty: the box hides (:empty)
        cache.set(key, html, SUGGEST_TTL)
    return HttpResponse(html)
