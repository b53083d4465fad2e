"""Checkout: one page, steps filled in order (contact, address, delivery, payment), then review and place.

Each step is a plain form post (the page works without JavaScript); htmx swaps #checkout instead of reloading.
What the shopper entered lives in the session until the order is placed. Placing re-validates every step and
recomputes every price from the database: nothing in the posted form but the step name and the one-time key counts.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from logistics.selectors import CheckoutDelivery, checkout_delivery_get, pickup_point_get
from logistics.services import order_delivery_placing
from orders.exceptions import OrderDetailsInvalid, OrderError, PricesChanged
from orders.models import DeliveryMethod, Order, PaymentMethod
from orders.notify import order_link
from orders.selectors import order_get_by_idempotency_key, order_list_for_user, order_path
from orders.services import OrderDetails, PlacingWrites, order_place
from payments.cod import cod_eligibility, cod_payment_placing
from payments.exceptions import PaymentError
from payments.services import order_payment_begin
from storefront.accounts.phone import display_phone

from .forms import AddressForm, ContactForm, DeliveryForm, PaymentForm
from .selectors import cart_view_get
from .services import CartOrderSource, cart_prices_accept
from .session import cart_for_request, cart_remember, cart_view_for_request

logger = logging.getLogger(__name__)

SESSION_CHECKOUT = "checkout"
KEYS_KEPT = 10  # one-time keys of recently rendered review steps (several tabs, back button)


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    form_class: type[forms.Form]


STEPS = [
    Step("contact", _("Контакты"), ContactForm),
    Step("address", _("Адрес доставки"), AddressForm),
    Step("delivery", _("Доставка"), DeliveryForm),
    Step("payment", _("Оплата"), PaymentForm),
]
STEP_BY_NAME = {step.name: step for step in STEPS}
REVIEW = "review"


class Draft:
    """The checkout's state in the session: entered values, finished steps, issued one-time keys."""

    def __init__(self, request):
        self.session = request.session
        state = self.session.get(SESSION_CHECKOUT) or {}
        self.data: dict = state.get("data", {})
        self.done: list[str] = state.get("done", [])
        self.keys: list[str] = state.get("keys", [])
        self.used: list[str] = state.get("used", [])  # keys an order was placed with
        if not state:
            self.data = _prefill(request.user)

    def save(self) -> None:
        self.session[SESSION_CHECKOUT] = {"data": self.data, "done": self.done, "keys": self.keys, "used": self.used}

    def complete(self, step: str, cleaned: dict) -> None:
        self.data.update({k: v for k, v in cleaned.items()})
        if step not in self.done:
            self.done.append(step)
        self.save()

    def reopen(self, step: str) -> None:
        if step in self.done:
            self.done.remove(step)
        self.save()

    def key_issue(self) -> str:
        key = uuid.uuid4().hex
        self.keys = [*self.keys, key][-KEYS_KEPT:]
        self.save()
        return key

    def placed(self, key: str) -> None:
        """The order is in: forget the entered data, keep the keys (a repeated submit finds its order)."""
        self.data, self.done = {}, []
        self.used = [*self.used, key][-KEYS_KEPT:]
        self.save()

    def current_step(self, wanted: str | None) -> str:
        """The step to show: the one asked for if every step before it is done, else the first one not done."""
        first_open = next((s.name for s in STEPS if s.name not in self.done), REVIEW)
        if wanted in STEP_BY_NAME:
            earlier = [s.name for s in STEPS[: [s.name for s in STEPS].index(wanted)]]
            if all(name in self.done for name in earlier):
                return wanted
        return first_open


LAST_ORDER_FIELDS = ("recipient_name", "postcode", "city", "street", "house", "flat")


def _prefill(user) -> dict:
    """A signed-in shopper starts from their phone, name and the address of their last order."""
    if not getattr(user, "is_authenticated", False):
        return {}
    data = {"contact_phone": user.phone, "contact_email": user.email, "recipient_name": user.get_full_name()}
    if data["recipient_name"] == user.phone:
        data["recipient_name"] = ""
    last = order_list_for_user(user=user).only(*LAST_ORDER_FIELDS).first()
    if last is not None:
        data.update({name: getattr(last, name) for name in LAST_ORDER_FIELDS})
    return data


def _details(draft: Draft) -> OrderDetails:
    fields = [name for name in OrderDetails.__dataclass_fields__ if name not in ("delivery_cost", "language")]
    return OrderDetails(**{name: draft.data.get(name, "") for name in fields})


def _delivery(draft: Draft, view) -> CheckoutDelivery:
    """Logistics' delivery options and costs for this cart and the address entered, the promise and the duty."""
    postcode = draft.data.get("postcode", "") if "address" in draft.done else ""
    lines = [(v.sku, v.line.quantity) for v in view.lines if not v.unavailable]
    return checkout_delivery_get(lines=lines, subtotal=view.subtotal, postcode=postcode)


def _delivery_cost(draft: Draft, delivery: CheckoutDelivery):
    option = delivery.option(draft.data.get("delivery_method", "")) if "delivery" in draft.done else None
    return option.cost if option is not None else None


def _summary(draft: Draft, view, delivery_info: CheckoutDelivery) -> dict:
    data = draft.data
    delivery = _delivery_cost(draft, delivery_info)
    return {
        "phone": display_phone(data["contact_phone"]) if data.get("contact_phone") else "",
        "delivery_cost": delivery,
        "delivery": delivery_info,
        "pickup_point": pickup_point_get(pk=data.get("pickup_point")) if delivery is not None else None,
        "total": view.subtotal + delivery if delivery is not None else None,
    }


def _render(request, draft: Draft, *, step: str, form=None, error: str = "", warning: str = "", view=None):
    """The checkout page at `step`; `view`: the cart as this request already read it (with its pictures)."""
    view = view or cart_view_get(cart=cart_for_request(request))
    delivery = _delivery(draft, view)  # once: the step's form and the summary both show it
    steps = []
    for s in STEPS:
        if s.name == step:
            state = "current"
        elif s.name in draft.done:
            state = "done"
        else:
            state = "pending"
        steps.append({"step": s, "state": state})
    if step in STEP_BY_NAME and form is None:
        form = _step_form(request, draft, STEP_BY_NAME[step], view=view, delivery=delivery)
    context = {
        "view": view,
        "steps": steps,
        "step": step,
        "form": form,
        "data": draft.data,
        "summary": _summary(draft, view, delivery),
        "error": error,
        "warning": warning,
        "labels": _labels(draft.data),
    }
    if step == REVIEW:
        context["idempotency_key"] = draft.key_issue()
    template = "cart/partials/checkout_body.html" if request.htmx else "cart/checkout.html"
    return render(request, template, context)


def _step_form(request, draft: Draft, step: Step, data=None, *, view=None, delivery=None) -> forms.Form:
    """A step's form, bound to `data` or showing what the draft holds; the payment step knows the total.

    `view` (the cart) and `delivery` (its options for the draft's address) are computed here unless given."""
    kwargs = {} if data is not None else {"initial": draft.data}
    if step.name in ("delivery", "payment"):
        view = view or cart_view_get(cart=cart_for_request(request))
        delivery = delivery or _delivery(draft, view)
    if step.name == "delivery":
        kwargs["delivery"] = delivery
        kwargs["pickup_query"] = request.GET.get("pickup_q", "")
    if step.name == "payment":
        cost = _delivery_cost(draft, delivery)
        kwargs["total"] = view.subtotal + cost if cost is not None else None
        kwargs["cod"] = cod_eligibility(  # pay on delivery: shown disabled with the reason where the rules say no
            order_or_cart_total=kwargs["total"] if kwargs["total"] is not None else view.subtotal,
            sku_ids=[v.line.sku_id for v in view.lines],
            user=request.user,
            phone=draft.data.get("contact_phone", ""),
        )
    return step.form_class(data, **kwargs)


def _labels(data: dict) -> dict:
    return {
        "delivery": DeliveryMethod(data["delivery_method"]).label if data.get("delivery_method") else "",
        "payment": PaymentMethod(data["payment_method"]).label if data.get("payment_method") else "",
    }


def _redirect(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _placed_url(order: Order) -> str:
    return f"{order_path(order=order)}?placed=1"


@require_http_methods(["GET", "POST"])
def checkout_view(request):
    draft = Draft(request)
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "place":
        return _place(request, draft)
    view = cart_view_get(cart=cart_for_request(request))
    if view.is_empty:
        messages.info(request, gettext("Корзина пуста: добавьте товары, чтобы оформить заказ."))
        return _redirect(request, reverse("cart:detail"))
    if request.method == "GET":
        return _render(request, draft, step=draft.current_step(request.GET.get("step")), view=view)
    if step not in STEP_BY_NAME:
        return _render(request, draft, step=draft.current_step(None), view=view)
    form = _step_form(request, draft, STEP_BY_NAME[step], request.POST, view=view)
    if not form.is_valid():
        draft.reopen(step)
        return _render(request, draft, step=step, form=form, view=view)
    draft.complete(step, form.cleaned_data)
    if request.htmx:
        return _render(request, draft, step=draft.current_step(None), view=view)
    return redirect("checkout:page")


def _place(request, draft: Draft):
    key = request.POST.get("idempotency_key", "")
    if key in draft.used:  # the same form sent again after its order was placed: that order
        existing = order_get_by_idempotency_key(key=key)
        if existing is not None:
            return _redirect(request, _placed_url(existing))
    view = cart_view_for_request(request)
    cart = view.cart
    if view.is_empty:
        # a second submit that loaded the session before the first one saved it: the first one emptied the cart
        existing = order_get_by_idempotency_key(key=key) if key in draft.keys else None
        if existing is not None:
            return _redirect(request, _placed_url(existing))
        messages.info(request, gettext("Корзина пуста: добавьте товары, чтобы оформить заказ."))
        return _redirect(request, reverse("cart:detail"))
    delivery = _delivery(draft, view)
    step_forms = {}
    for s in STEPS:  # every step again, from what the session holds
        form = step_forms[s.name] = _step_form(request, draft, s, draft.data, view=view, delivery=delivery)
        if not form.is_valid():
            draft.reopen(s.name)
            return _render(request, draft, step=s.name, form=form)
    if key not in draft.keys:
        return _render(
            request, draft, step=REVIEW, error=gettext("Страница устарела. Проверьте заказ и подтвердите ещё раз.")
        )
    if view.has_stock_problems:
        titles = ", ".join(f"«{v.sku.product.title}»" for v in view.lines if v.unavailable or v.short)
        error = gettext("Не хватает товара на складе: %(titles)s. Измените корзину, чтобы оформить заказ.") % {
            "titles": titles
        }
        return _render(request, draft, step=REVIEW, error=error)
    if view.has_price_changes:
        cart_prices_accept(cart=cart)
        return _render(
            request,
            draft,
            step=REVIEW,
            warning=gettext("Цены изменились. Проверьте сумму и подтвердите заказ ещё раз."),
        )
    actor = request.user if request.user.is_authenticated else "guest"
    delivery_cost = _delivery_cost(draft, delivery)
    if delivery_cost is None:  # the method is not offered for this address any more
        draft.reopen("delivery")
        return _render(request, draft, step="delivery")
    details = replace(_details(draft), delivery_cost=delivery_cost, language=request.LANGUAGE_CODE)
    pickup_point = step_forms["delivery"].pickup_point  # checked by the form: the chosen one, still working
    cod = details.payment_method == PaymentMethod.CASH_ON_DELIVERY

    def with_order(order: Order) -> list[PlacingWrites]:
        """Written with the order, in the statement that places it: the promise, pickup point and duty frozen
        (logistics), with the quote the review step showed; a pay-on-delivery order confirmed with its payment to
        collect (payments; no partner to call)."""
        writes = [order_delivery_placing(order=order, pickup_point=pickup_point, quote=delivery.quote)]
        if cod:
            writes.append(cod_payment_placing(order=order))
        return writes

    source = CartOrderSource(cart, view=view)  # the lines and SKUs as read above: not read again
    try:
        order = order_place(details=details, actor=actor, idempotency_key=key, cart=source, with_order=with_order)
    except OrderDetailsInvalid as exc:
        step = next(s.name for s in STEPS if exc.field in s.form_class.base_fields)
        draft.reopen(step)
        form = _step_form(request, draft, STEP_BY_NAME[step], draft.data)
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render(request, draft, step=step, form=form)
    except PricesChanged as exc:  # between the cart's read above and the placing: as with has_price_changes
        cart_prices_accept(cart=cart)
        return _render(request, draft, step=REVIEW, warning=exc.message)
    except OrderError as exc:
        return _render(request, draft, step=REVIEW, error=exc.message)
    draft.placed(key)
    cart_remember(request.session, cart, count=0)
    payment = None
    if not cod:
        try:  # a prepaid method: on to the provider's page (payments), after the order is committed
            payment = order_payment_begin(order=order, return_url=order_link(order=order), actor=actor)
        except PaymentError:  # the order page says what happened and offers to try again
            payment = None
    return _redirect(request, payment.confirmation_url if payment else _placed_url(order))
