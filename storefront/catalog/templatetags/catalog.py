from django import template

from storefront.catalog.origins import origin_text

register = template.Library()


@register.filter
def origin_tag(origin: str) -> str:
    """{{ product.origin|origin_tag }} -> "Из Китая" (the words live in catalog/origins.py)."""
    text = origin_text(origin)
    return text.tag if text else ""


@register.filter
def origin_label(origin: str) -> str:
    """{{ product.origin|origin_label }} -> "из Китая 7–20 дней"."""
    text = origin_text(origin)
    return text.label if text else ""
