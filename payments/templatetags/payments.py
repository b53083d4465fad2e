"""Payments on other apps' pages, each a one-line include: `{% load payments %}{% pay_later_offer amount %}`
(product page, cart) and `{% load payments %}{% order_payment_panel order %}` (the order page)."""

from django import template

from payments.pay_later import pay_later_eligible, pay_later_schedule

register = template.Library()


@register.inclusion_tag("payments/partials/pay_later_offer.html")
def pay_later_offer(amount, currency: str = "RUB"):
    """ "4 платежа по 750 ₽" with its schedule, or nothing where pay later is not offered for `amount`."""
    if not pay_later_eligible(total=amount, currency=currency):
        return {"schedule": None}
    return {"schedule": pay_later_schedule(amount)}


@register.inclusion_tag("payments/partials/order_payment.html", takes_context=True)
def order_payment_panel(context, order):
    """The order's payment state, live while it is open; a guest's page passes its signed link's token on."""
    from payments.views import order_payment_panel_context  # views import the app's services and tasks

    match = getattr(context.get("request"), "resolver_match", None)
    token = match.kwargs.get("token") if match else None
    return {**order_payment_panel_context(order=order, token=token), "request": context.get("request")}
