"""The tracking page: `/track/` (type a number) and `/track/<number>/` (the journey, refreshing itself).

Fast by caching per parcel (services.page_cache_keys; dropped when new events are stored): the timeline fragment
for htmx polls and visitors with a session, the whole page (CSRF token filled per request) for visitors without.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from logistics.tracking_numbers import normalize, tracking_number_parse
from storefront.catalog.cache import csrf_fill, page_is_shared, page_render_shared

from .forms import TrackingNumberForm
from .selectors import parcel_tracking_get
from .services import page_cache_key

PAGE_TTL = 300  # new events drop the entry at once; this bounds other changes (support moving a parcel by hand)
POLL_SECONDS = 60


@require_GET
def track_form(request):
    form = TrackingNumberForm(request.GET or None)
    if form.is_valid():
        return redirect("postal:track", number=form.cleaned_data["number"])
    return render(request, "postal/track_form.html", {"form": form})


def _swaps_part(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_GET
@vary_on_headers("HX-Request")
def track(request, number: str):
    if normalize(number) != number:
        if not normalize(number):  # only spaces, dashes or dots: nothing to look up
            return redirect("postal:track_form")
        return redirect("postal:track", number=normalize(number))
    try:
        tracking_number_parse(number)
    except ValidationError:
        form = TrackingNumberForm({"number": number})
        form.is_valid()
        return render(request, "postal/track_form.html", {"form": form}, status=400)
    part = _swaps_part(request)
    shared = not part and page_is_shared(request)
    key = page_cache_key(number, translation.get_language(), "page" if shared else "part")
    html = cache.get(key)
    if html is None:
        tracking = parcel_tracking_get(number=number)
        if tracking is None:
            return render(request, "postal/not_found.html", {"number": number}, status=404)
        context = {"tracking": tracking, "poll_seconds": POLL_SECONDS, "base_url": settings.STORE_BASE_URL}
        if shared:
            html = page_render_shared(request, "postal/track.html", context)
        else:
            html = render_to_string("postal/partials/timeline.html", context, request=request)
        cache.set(key, html, PAGE_TTL)
    if part:
        return HttpResponse(html)
    if shared:
        return HttpResponse(csrf_fill(html, request))
    return render(request, "postal/track.html", {"timeline_html": mark_safe(html), "number": number})
