"""Cart pages: add from a product page, the cart with quantity changes and removal (htmx or plain posts).

htmx swaps only 2xx answers, so a refused change comes back to htmx with 200 and the message in the partial.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from .exceptions import CartError
from .forms import AddForm, QuantityForm
from .selectors import cart_view_get
from .services import cart_line_add, cart_line_remove, cart_line_update, cart_prices_accept
from .session import cart_count_from_session, cart_for_request, cart_remember


def _back_url(request) -> str:
    for url in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
    return reverse("cart:detail")


@require_POST
def cart_add_view(request):
    form = AddForm(request.POST)
    cart = cart_for_request(request)
    ok, text = False, ""
    if form.is_valid():
        try:
            cart = cart_line_add(
                cart=cart, user=request.user, sku_id=form.cleaned_data["sku"], quantity=form.cleaned_data["quantity"]
            )
            ok, text = True, gettext("Товар добавлен в корзину")
        except CartError as exc:
            text = exc.message
    else:
        text = form.first_error()
    count = cart_remember(request.session, cart) if ok else cart_count_from_session(request)
    if request.htmx:
        context = {"ok": ok, "text": text, "count": count, "into_badge": request.htmx.target == "cart-count"}
        return render(request, "cart/partials/add_result.html", context)
    (messages.success if ok else messages.error)(request, text)
    return redirect(_back_url(request))


def _cart_page(request, *, error_line: int | None = None, error_text: str = ""):
    cart = cart_for_request(request)
    view = cart_view_get(cart=cart)
    cart_remember(request.session, cart, count=view.count)
    context = {"view": view, "error_line": error_line, "error_text": error_text}
    template = "cart/partials/cart_body.html" if request.htmx else "cart/cart.html"
    return render(request, template, context)


@require_GET
def cart_detail_view(request):
    return _cart_page(request)


def _line_change(request, line_id: int, change):
    cart = cart_for_request(request)
    error = None
    if cart is None:
        error = gettext("Корзина пуста.")
    else:
        try:
            change(cart)
        except CartError as exc:
            error = exc.message
    if request.htmx:
        return _cart_page(request, error_line=line_id if error else None, error_text=error or "")
    if error:
        messages.error(request, error)
    return redirect("cart:detail")


@require_POST
def cart_line_update_view(request, line_id: int):
    form = QuantityForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return _cart_page(request, error_line=line_id, error_text=form.first_error())
        messages.error(request, form.first_error())
        return redirect("cart:detail")
    quantity = form.cleaned_data["quantity"]
    return _line_change(request, line_id, lambda cart: cart_line_update(cart=cart, line_id=line_id, quantity=quantity))


@require_POST
def cart_line_remove_view(request, line_id: int):
    return _line_change(request, line_id, lambda cart: cart_line_remove(cart=cart, line_id=line_id))


@require_POST
def cart_continue_view(request):
    """ "Оформить заказ": the shopper has seen today's prices; lines that cannot be bought must go first."""
    cart = cart_for_request(request)
    view = cart_view_get(cart=cart)
    if view.is_empty:
        messages.error(request, gettext("Корзина пуста."))
        return redirect("cart:detail")
    if view.has_stock_problems:
        messages.error(
            request, gettext("Некоторых товаров нет в нужном количестве: уменьшите количество или удалите их.")
        )
        return redirect("cart:detail")
    cart_prices_accept(cart=cart)
    return redirect("checkout:page")
