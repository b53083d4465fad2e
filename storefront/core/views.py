from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from storefront.catalog.cache import catalog_cache_version, fragment_get_or_build
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
    """Hero, popular categories and products: shared by every shopper, cached until the catalog changes."""
    key = f"core:home:{get_language()}:{catalog_cache_version()}"
    entry = fragment_get_or_build(key, _home_fragment, timeout=HOME_TTL)
    return render(request, "core/home.html", {"content": mark_safe(entry["html"])})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that could fail again: the 500 page renders from a plain template.
    return HttpResponseServerError(loader.get_template("500.html").render({}))
