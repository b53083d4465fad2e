from django import template

from storefront.core.money import format_money

register = template.Library()


@register.filter
def rub(amount):
    """{{ price|rub }} -> "1 299 ₽"."""
    return format_money(amount, "RUB")


@register.filter
def money(amount, currency="RUB"):
    return format_money(amount, currency)
