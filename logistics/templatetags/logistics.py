"""Logistics on other apps' pages, each a one-line include: `{% load logistics %}{% order_delivery_panel order %}`
(the order page: pickup point or courier address, the promise, parcels with their tracking links)."""

from django import template

from logistics.selectors import order_shipping_get

register = template.Library()


@register.inclusion_tag("logistics/partials/order_delivery.html")
def order_delivery_panel(order):
    return {"order": order, "shipping": order_shipping_get(order=order)}
