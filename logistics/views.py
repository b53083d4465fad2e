"""Shopper pages: the delivery promise block (product page, cart), the remembered postcode, pickup point search."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from storefront.cart.selectors import cart_view_get
from storefront.cart.session import cart_for_request
from storefront.catalog.models import Origin, Product
from storefront.catalog.origins import origin_text

from .forms import PostcodeForm
from .postcode import postcode_remember, postcode_remembered
from .promise import next_cutoff_get
from .selectors import (
    delivery_promise,
    delivery_quote,
    duty_estimate_for_sku,
    pickup_point_get,
    pickup_point_search,
    ship_items_from_skus,
)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _product_context(request, product_id, sku_id, postcode: str, form=None) -> dict:
    product_id, sku_id = _int(product_id), _int(sku_id)
    product = Product.objects.filter(pk=product_id, is_active=True).first() if product_id else None
    if product is None:
        raise Http404
    skus = list(product.skus.filter(is_active=True).order_by("position", "id"))
    sku = next((s for s in skus if s.pk == sku_id), skus[0] if skus else None)
    if sku is not None:
        sku.product = product
    now = timezone.now()
    promise = delivery_promise(origin=product.origin, postcode=postcode, at=now) if postcode else None
    return {
        "product": product,
        "sku": sku,
        "postcode": postcode,
        "promise": promise,
        "duty": duty_estimate_for_sku(sku=sku),
        "cutoff": next_cutoff_get(origin=product.origin, at=now),
        "form": form or PostcodeForm(initial={"postcode": postcode}),
        "is_russia": product.origin == Origin.RUSSIA,
        "origin_text": origin_text(product.origin),
    }


@require_GET
def promise_view(request):
    """The product page's #delivery-promise block (htmx), or a small page of its own without JavaScript."""
    context = _product_context(
        request, request.GET.get("product"), request.GET.get("sku"), postcode_remembered(request)
    )
    template = "logistics/partials/promise.html" if request.htmx else "logistics/promise_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "Cookie"))
    response["Cache-Control"] = "private, no-cache"
    return response


@require_POST
def postcode_view(request):
    """Remember the shopper's postcode (session and cookie); answer with the refreshed promise block."""
    form = PostcodeForm(request.POST)
    product_id, sku_id = request.POST.get("product"), request.POST.get("sku")
    postcode = postcode_remembered(request)
    if form.is_valid():
        postcode = form.cleaned_data["postcode"]
    if request.htmx and product_id:
        context = _product_context(request, product_id, sku_id, postcode, form=None if form.is_valid() else form)
        response = render(request, "logistics/partials/promise.html", context)
    elif request.htmx:
        response = render(request, "logistics/partials/cart_delivery.html", _cart_context(request, postcode))
    else:
        target = request.POST.get("next", "/")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            target = "/"
        response = redirect(target)
    if form.is_valid():
        postcode_remember(request, response, postcode)
    return response


def _cart_context(request, postcode: str) -> dict:
    view = cart_view_get(cart=cart_for_request(request))
    items = ship_items_from_skus((v.sku, v.line.quantity) for v in view.lines if not v.unavailable)
    quote = delivery_quote(items=items, postcode=postcode) if postcode and items else None
    return {"quote": quote, "postcode": postcode, "form": PostcodeForm(initial={"postcode": postcode})}


@require_GET
def cart_delivery_view(request):
    """Delivery estimate in the cart: promise per warehouse, parcels, duty (htmx-loaded)."""
    response = render(
        request, "logistics/partials/cart_delivery.html", _cart_context(request, postcode_remembered(request))
    )
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def pickup_search_view(request):
    """Pickup points matching ?q= (postcode digits or city/street words), nearest to ?near= when empty;
    the shopper's current choice (?pickup_point=) stays first."""
    query = request.GET.get("q") or request.GET.get("pickup_q") or ""  # the checkout's search box is pickup_q
    points = pickup_point_search(query=query, near=request.GET.get("near", ""))
    selected = pickup_point_get(pk=request.GET.get("pickup_point"))
    if selected is not None:
        points = [selected, *[p for p in points if p.pk != selected.pk]]
    response = render(
        request,
        "logistics/partials/pickup_results.html",
        {"points": points, "selected_id": selected.pk if selected else None, "query": query},
    )
    response["Cache-Control"] = "private, no-cache"
    return response
