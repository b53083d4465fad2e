"""Orders reads: delivery costs, a shopper's orders, guest links."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from .models import DeliveryMethod, Order, OrderLine, OrderStatusChange

GUEST_LINK_SALT = "orders.guest-link"


def delivery_cost_get(*, method: str) -> Decimal:
    """Flat cost of a delivery method in roubles (settings.STORE_DELIVERY_COSTS_RUB) until logistics owns tariffs."""
    if method not in DeliveryMethod.values:
        raise KeyError(method)
    return Decimal(settings.STORE_DELIVERY_COSTS_RUB[method])


def delivery_options_list() -> list[tuple[str, str, Decimal]]:
    """(value, label, cost) for every delivery method, in display order."""
    return [(value, label, delivery_cost_get(method=value)) for value, label in DeliveryMethod.choices]


def _with_details(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("sku__product").order_by("id")),
        Prefetch("status_changes", queryset=OrderStatusChange.objects.order_by("at", "id")),
    )


def order_list_for_user(*, user) -> QuerySet[Order]:
    """A shopper's own orders, newest first (the index order_user_placed serves it)."""
    return Order.objects.filter(user=user).order_by("-placed_at", "-id")


def order_get_for_user(*, user, number: str) -> Order | None:
    """The order with this number if it belongs to `user`; None otherwise (the view answers 404 either way)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return _with_details(Order.objects.filter(user=user, number=number)).first()


def order_get_by_idempotency_key(*, key: str) -> Order | None:
    return Order.objects.filter(idempotency_key=key).first()


def order_guest_token_make(*, order: Order) -> str:
    """A signed, expiring token naming one order; sent by SMS to a guest so only they can open the order."""
    return signing.TimestampSigner(salt=GUEST_LINK_SALT).sign(order.number)


def order_path(*, order: Order) -> str:
    """Where the shopper sees the order: their account page, or the signed link for a guest order."""
    if order.user_id is None:
        return reverse("orders:guest", kwargs={"token": order_guest_token_make(order=order)})
    return order.get_absolute_url()


def order_get_by_guest_token(*, token: str) -> Order | None:
    """The order the token names; None for a forged, altered or expired token."""
    max_age = timedelta(days=settings.STORE_ORDER_GUEST_LINK_DAYS)
    try:
        number = signing.TimestampSigner(salt=GUEST_LINK_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    return _with_details(Order.objects.filter(number=number)).first()
