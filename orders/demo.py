"""Demo orders: a few customers with orders in every status, built only through the order services.

`manage.py seed_demo` calls demo_orders_seed() after the catalog is loaded. Idempotent: every demo order has a
fixed idempotency key, so a second run finds the orders and only finishes any walk a crash left half-done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.contrib.auth import get_user_model

from storefront.catalog.exceptions import FxRateMissing
from storefront.catalog.models import Sku
from storefront.catalog.selectors import fx_rate_get

from . import services
from .exceptions import OrderError
from .models import DeliveryMethod, Order, OrderStatus, PaymentMethod

_S = OrderStatus
# How an order placed (status placed) reaches each status, one service call per step.
_STEPS: dict[str, Callable] = {
    _S.AWAITING_PAYMENT: lambda o, a: services.order_await_payment(order=o, actor=a),
    _S.PAID: lambda o, a: services.order_mark_paid(order=o, actor=a, reason="Демо: оплата картой"),
    _S.CONFIRMED: lambda o, a: services.order_confirm(order=o, actor=a, reason="Демо: подтверждён по телефону"),
    _S.PACKED: lambda o, a: services.order_pack(order=o, actor=a),
    _S.SHIPPED: lambda o, a: services.order_ship(order=o, actor=a),
    _S.DELIVERED: lambda o, a: services.order_deliver(order=o, actor=a),
    _S.COMPLETED: lambda o, a: services.order_complete(order=o, actor=a),
    _S.CANCELLED: lambda o, a: services.order_cancel(order=o, actor=a, reason="Демо: покупатель передумал"),
    _S.RETURNED: lambda o, a: services.order_mark_returned(order=o, actor=a, reason="Демо: не забрали на почте"),
}
STATUS_PATHS: dict[str, list[str]] = {
    _S.PLACED: [],
    _S.AWAITING_PAYMENT: [_S.AWAITING_PAYMENT],
    _S.PAID: [_S.AWAITING_PAYMENT, _S.PAID],
    _S.CONFIRMED: [_S.CONFIRMED],
    _S.PACKED: [_S.CONFIRMED, _S.PACKED],
    _S.SHIPPED: [_S.CONFIRMED, _S.PACKED, _S.SHIPPED],
    _S.DELIVERED: [_S.CONFIRMED, _S.PACKED, _S.SHIPPED, _S.DELIVERED],
    _S.COMPLETED: [_S.CONFIRMED, _S.PACKED, _S.SHIPPED, _S.DELIVERED, _S.COMPLETED],
    _S.CANCELLED: [_S.CANCELLED],
    _S.RETURNED: [_S.CONFIRMED, _S.PACKED, _S.SHIPPED, _S.RETURNED],
}

DEMO_CUSTOMERS = [
    ("+79000000101", "Анна", "Смирнова", "anna@example.ru", ("101000", "Москва", "ул. Мясницкая", "12", "5")),
    ("+79000000102", "Илья", "Кузнецов", "", ("190000", "Санкт-Петербург", "Невский пр.", "28", "")),
    ("+79000000103", "Мария", "Иванова", "maria@example.ru", ("630099", "Новосибирск", "Красный пр.", "3", "41")),
]


def order_walk_to(*, order: Order, status: str, actor=services.SYSTEM) -> Order:
    """Move an order along STATUS_PATHS[status] from wherever it is on that path (placed at the start)."""
    path = STATUS_PATHS[status]
    done = path.index(order.status) + 1 if order.status in path else 0
    if order.status != OrderStatus.PLACED and done == 0:
        raise ValueError(f"{order.number} is {order.status}, not on the way to {status}")
    for step in path[done:]:
        order = _STEPS[step](order, actor)
    return order


def _demo_skus(limit: int) -> list[Sku]:
    """Active SKUs with stock to spare, in currencies that have a rate."""
    skus = []
    for sku in Sku.objects.filter(is_active=True, product__is_active=True, stock__gte=5).order_by("id")[: limit * 3]:
        try:
            fx_rate_get(currency=sku.currency)
        except FxRateMissing:  # no rate loaded for this currency: the demo skips such SKUs
            continue
        skus.append(sku)
        if len(skus) == limit:
            break
    return skus


def _demo_customers() -> list:
    """The demo customers seed_demo made (phones +7999000…), or three of our own when there are none."""
    User = get_user_model()
    found = list(User.objects.filter(phone__startswith="+7999000", is_staff=False).order_by("phone")[:3])
    if found:
        return found
    customers = []
    for phone, first, last, email, _address in DEMO_CUSTOMERS:
        user, _created = User.objects.get_or_create(
            phone=phone, defaults={"first_name": first, "last_name": last, "email": email}
        )
        customers.append(user)
    return customers


def demo_orders_seed(*, customers: Sequence | None = None, stdout=None) -> list[Order]:
    """One order per status for each demo customer, plus one guest order. Returns the orders."""
    if customers is None:
        customers = _demo_customers()
    statuses = list(STATUS_PATHS)
    skus = _demo_skus(limit=len(statuses) * 2)
    if not skus:
        if stdout:
            stdout.write("demo orders: no SKUs with stock, skipped")
        return []
    orders = []
    plan = [(customer, status) for customer in customers for status in statuses] + [(None, OrderStatus.PLACED)]
    for i, (customer, status) in enumerate(plan):
        _, first, last, email, (postcode, city, street, house, flat) = DEMO_CUSTOMERS[i % len(DEMO_CUSTOMERS)]
        details = services.OrderDetails(
            contact_phone=customer.phone if customer else "+79000000199",
            contact_email=(customer.email if customer else "") or email,
            recipient_name=(customer.get_full_name() if customer else "") or f"{first} {last}",
            postcode=postcode,
            city=city,
            street=street,
            house=house,
            flat=flat,
            delivery_method=DeliveryMethod.COURIER if i % 2 else DeliveryMethod.POST_PICKUP,
            payment_method=PaymentMethod.CASH_ON_DELIVERY,
        )
        lines = [
            services.LineRequest(sku_id=skus[i % len(skus)].pk, quantity=1 + i % 2),
            services.LineRequest(sku_id=skus[(i + 7) % len(skus)].pk, quantity=1),
        ]
        who = customer.phone if customer else "guest"
        try:
            order = services.order_place(
                details=details,
                actor=customer or services.GUEST,
                idempotency_key=f"demo-{who}-{status}",
                lines=lines,
            )
            orders.append(order_walk_to(order=order, status=status, actor=services.SYSTEM))
        except (OrderError, ValueError) as exc:
            if stdout:
                stdout.write(f"demo order {who}/{status} skipped: {exc}")
    return orders
