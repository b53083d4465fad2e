from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from storefront.catalog.cache import (
    catalog_cache_version,
    csrf_fill,
    page_is_shared,
    page_render_shared,
    versioned_get,
    versioned_set,
)
from storefront.catalog.origins import origin_filter_choices
from storefront.catalog.selectors_listing import home_categories, home_popular_products

HOME_TTL = 600


def _home_fragment() -> dict:
    context = {
        "categories": home_categories(),
        "products": home_popular_products(),
        "origin_choices": origin_filter_choices(),
    }
    return {"html": render_to_string("core/partials/home_content.html", context)}


def home(request):
    """Hero, popular categories and products: shared by every shopper, cached until the catalog changes.

    Visitors without a session get the whole page from the cache; others their own header around the fragment.
    """
    shared = page_is_shared(request) and not request.GET
    key = f"core:home:{'page' if shared else 'content'}:{get_language()}"
    entry = versioned_get(key)
    if entry is None:
        version = catalog_cache_version()
        entry = _home_fragment()
        if shared:
            entry["html"] = page_render_shared(request, "core/home.html", {"content": mark_safe(entry["html"])})
        entry = versioned_set(key, entry, version=version, timeout=HOME_TTL)
    if shared:
        return HttpResponse(csrf_fill(entry["html"], request))
    return render(request, "core/home.html", {"content": mark_safe(entry["html"])})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that could fail again: the 500 page renders from a plain template.
    return HttpResponseServerError(loader.get_template("500.html").render({}))
