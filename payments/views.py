"""The provider's notifications endpoint, and the order page's payment panel (live state, pay / pay again)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect
from kombu.exceptions import OperationalError

from orders.models import Order
from orders.notify import order_link
from orders.selectors import order_get_by_guest_token, order_get_for_user, order_path
from storefront.core.http import client_ip

from .exceptions import InvalidNotification, OrderNotPayable, PaymentError
from .forms import PayForm
from .selectors import order_payment_state
from .services import payment_shopper_check, payment_start
from .tasks import payment_notification_process, refund_notification_process
from .webhooks import notification_parse, sender_allowed

log = logging.getLogger("payments.webhooks")
PANEL = "payments/partials/order_payment.html"


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """200 = taken (the provider stops retrying); 403/400 for what is not the provider's; 503 if we cannot queue.

    The sender's address comes from client_ip: REMOTE_ADDR, or behind our proxies (STORE_TRUSTED_PROXY_HOPS) the
    X-Forwarded-For entry our outermost proxy wrote, never one the sender wrote itself."""
    address = client_ip(request) or ""
    if not sender_allowed(address):
        log.warning("webhook from %s refused: not in the allow-list", address)
        return HttpResponse(status=403)
    try:
        notification = notification_parse(request.body)
    except InvalidNotification as exc:
        log.warning("webhook from %s refused: %s", address, exc)
        return HttpResponse(status=400)
    if not notification.handled:
        return HttpResponse(status=200)
    try:
        if notification.is_refund:
            refund_notification_process.delay(provider_refund_id=notification.object_id)
        else:
            payment_notification_process.delay(provider_payment_id=notification.object_id, event=notification.event)
    except OperationalError:  # the broker is down: let the provider retry later
        log.exception("webhook %s %s could not be queued", notification.event, notification.object_id)
        return HttpResponse(status=503)
    return HttpResponse(status=200)


# --- the order page's payment panel


def _order(request, number: str | None, token: str | None) -> Order:
    order = order_get_by_guest_token(token=token) if token else order_get_for_user(user=request.user, number=number)
    if order is None:  # someone else's order looks exactly like one that does not exist
        raise Http404
    return order


def order_payment_panel_context(*, order: Order, token: str | None) -> dict:
    """What payments/partials/order_payment.html needs (the order page's template tag and the views below)."""
    state = order_payment_state(order=order)
    ref = {"token": token} if token else {"number": order.number}
    prefix = "payments:guest_" if token else "payments:"
    chosen = state.payment.method if state.payment else order.payment_method
    form = PayForm(methods=state.methods, initial={"method": chosen}) if state.can_pay else None
    return {
        "order": order,
        "state": state,
        "form": form,
        "state_url": reverse(f"{prefix}state", kwargs=ref),
        "pay_url": reverse(f"{prefix}pay", kwargs=ref),
    }


def _redirect(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_GET
def order_payment_state_view(request, number: str | None = None, token: str | None = None):
    """The panel alone, for htmx polling: with its polling trigger while the payment is open, without once settled;
    the order's status tag is swapped along (out of band)."""
    order = _order(request, number, token)
    if not request.htmx:
        return redirect(order_path(order=order))
    before = order_payment_state(order=order)
    # a worker asks the provider; a later poll shows the answer (or this one, when the worker was quick)
    if before.polling and payment_shopper_check(payment=before.payment):
        order.refresh_from_db(fields=["status"])
    context = order_payment_panel_context(order=order, token=token)
    state = context["state"]
    if state.polling and request.GET.get("seen") == f"{state.code}-{state.payment.pk}":
        return HttpResponse(status=204)  # nothing new: htmx keeps the panel (and the shopper's open details)
    return render(request, PANEL, {**context, "oob": True})


@require_POST
def order_pay_view(request, number: str | None = None, token: str | None = None):
    """Pay, try again or pay another way: one new (or resumed) attempt, then the provider's page."""
    order = _order(request, number, token)
    back = reverse("orders:guest", kwargs={"token": token}) if token else order.get_absolute_url()
    state = order_payment_state(order=order)
    if not state.can_pay:
        messages.info(request, OrderNotPayable.user_message)
        return _redirect(request, back)
    form = PayForm(request.POST, methods=state.methods)
    if not form.is_valid():
        messages.error(request, form.errors["method"][0])
        return _redirect(request, back)
    actor = request.user if request.user.is_authenticated else "guest"
    try:
        payment = payment_start(
            order=order, method=form.cleaned_data["method"], return_url=order_link(order=order), actor=actor
        )
    except PaymentError as exc:
        messages.error(request, exc.user_message)
        return _redirect(request, back)
    return _redirect(request, payment.confirmation_url)
