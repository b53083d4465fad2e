"""Orders writes: placing an order and moving it through its statuses.

Locking policy
- Stock: reserved and released with one conditional UPDATE per order over all its SKUs, after locking those SKU rows
  in ascending id order (so two orders sharing SKUs never deadlock); `stock >= n` in the UPDATE means no oversell
  and the CHECK constraint stock >= 0 backs it.
- Order status: every change locks the order row (SELECT ... FOR NO KEY UPDATE) in `_transition`, checks
  ALLOWED_TRANSITIONS, writes the row and an OrderStatusChange in the same transaction.
- Idempotency: the order row is inserted before stock is touched; a concurrent double submit with the same key waits
  on the unique index and then returns the order the first one placed.
The confirmation SMS is queued in the outbox (sent only if the order commits); catalog caches are bumped after
commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefront.accounts.phone import normalize_phone
from storefront.catalog.exceptions import FxRateMissing
from storefront.catalog.models import Sku
from storefront.catalog.selectors import fx_rate_get, price_to_rub
from storefront.catalog.selectors_listing import stock_change_is_visible
from storefront.catalog.services import catalog_changed, catalog_product_pages_changed, product_aggregates_refresh
from storefront.core.money import quantize
from storefront.outbox.services import outbox_enqueue

from .exceptions import (
    EmptyOrder,
    InvalidTransition,
    ItemUnavailable,
    OrderDetailsInvalid,
    OrderError,
    OutOfStock,
    QuantityInvalid,
    ReasonRequired,
)
from .hooks import order_cancel_checks_run, order_cancelled_announce
from .models import (
    ALLOWED_TRANSITIONS,
    STOCK_HELD_STATUSES,
    DeliveryMethod,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    PaymentMethod,
)
from .selectors import delivery_cost_get, order_get_by_idempotency_key
from .validators import MAX_LINE_QUANTITY, postcode_validator

logger = logging.getLogger(__name__)

SYSTEM = "system"
GUEST = "guest"


@dataclass(frozen=True)
class LineRequest:
    sku_id: int
    quantity: int


class OrderSource(Protocol):
    """Where an order's lines come from (the cart): read inside the placing transaction, consumed in it."""

    def order_lines(self) -> Sequence[LineRequest]: ...

    def consume(self, *, sku_ids: Iterable[int]) -> None: ...


@dataclass(frozen=True)
class OrderDetails:
    contact_phone: str
    recipient_name: str
    postcode: str
    city: str
    street: str
    house: str
    delivery_method: str
    payment_method: str
    contact_email: str = ""
    flat: str = ""
    # Roubles, computed by the caller from logistics' tariffs (the checkout); None: the flat cost per method
    # in settings.STORE_DELIVERY_COSTS_RUB (orders placed by scripts and the demo).
    delivery_cost: Decimal | None = None
    # The language the shopper placed it in (the checkout's request): messages about the order are written in it.
    language: str = ""


# --- placing -------------------------------------------------------------------------------------------------------


def order_place(
    *,
    details: OrderDetails,
    actor,
    idempotency_key: str,
    lines: Sequence[LineRequest] | None = None,
    cart: OrderSource | None = None,
    with_order: Callable[[Order], object] | None = None,
) -> Order:
    """Place an order from `lines` or from `cart` (exactly one): prices, rates and stock all read from the database.

    `actor` is the shopper (a User) or "guest". Returns the order; a repeated key returns the order already placed
    with it. Raises EmptyOrder, QuantityInvalid, ItemUnavailable, OutOfStock, OrderDetailsInvalid; nothing is
    written when it raises.

    `with_order(order)` runs in the placing transaction once the order, its lines and its stock are written: what
    other apps must commit together with the order (the checkout: logistics' delivery record, a pay-on-delivery
    order's confirmation), one commit instead of one each. If it raises, nothing is written. Not called when the key
    finds an order already placed.
    """
    if (lines is None) == (cart is None):
        raise TypeError("order_place takes exactly one of lines= or cart=")
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise ValueError("order_place needs an idempotency key of 1..64 characters")
    details = _details_clean(details)
    try:
        with transaction.atomic(durable=True):
            order = _order_place(details=details, actor=actor, key=key, lines=lines, cart=cart)
            if with_order is not None:
                with_order(order)
            return order
    except (IntegrityError, EmptyOrder):
        # Another request with the same key got there first (the insert waited for it on the unique index,
        # or it already emptied the cart): that order is the answer. Not looked up beforehand: a double submit
        # is rare and the lookup would cost every order a query.
        existing = order_get_by_idempotency_key(key=key)
        if existing is None:
            raise
        return existing


def _order_place(*, details: OrderDetails, actor, key: str, lines, cart) -> Order:
    wanted = _quantities(cart.order_lines() if cart is not None else lines)
    skus = {
        sku.pk: sku
        for sku in Sku.objects.select_related("product")
        .only("code", "options", "price", "currency", "is_active", "product__title", "product__is_active")
        .filter(pk__in=wanted)
    }
    rates: dict[str, Decimal] = {}
    order_lines = []
    subtotal = Decimal("0.00")
    for sku_id, quantity in wanted.items():
        sku = skus.get(sku_id)
        if sku is None:
            raise ItemUnavailable()
        title = _sku_title(sku)
        if not (sku.is_active and sku.product.is_active):
            raise ItemUnavailable(title)
        if sku.currency not in rates:
            try:
                rates[sku.currency] = fx_rate_get(currency=sku.currency)
            except FxRateMissing as exc:
                raise ItemUnavailable(title) from exc
        rate = rates[sku.currency]
        unit_rub = price_to_rub(amount=sku.price, currency=sku.currency, rate=rate)
        line_total = quantize(unit_rub * quantity)
        subtotal += line_total
        order_lines.append(
            OrderLine(
                sku_id=sku_id,
                sku_code=sku.code,
                product_title=sku.product.title,
                options=sku.options,
                quantity=quantity,
                unit_price=sku.price,
                currency=sku.currency,
                fx_rate=rate,
                unit_price_rub=unit_rub,
                line_total_rub=line_total,
            )
        )
    delivery = details.delivery_cost
    if delivery is None:
        delivery = delivery_cost_get(method=details.delivery_method)
    user, actor_label = _actor_parts(actor)
    now = timezone.now()
    order = Order.objects.create(
        number=_order_number_next(now),
        user=user,
        is_guest=user is None,
        status=OrderStatus.PLACED,
        contact_phone=details.contact_phone,
        contact_email=details.contact_email,
        recipient_name=details.recipient_name,
        postcode=details.postcode,
        city=details.city,
        street=details.street,
        house=details.house,
        flat=details.flat,
        delivery_method=details.delivery_method,
        payment_method=details.payment_method,
        language=details.language if details.language in dict(settings.LANGUAGES) else "",
        subtotal=subtotal,
        delivery_cost=delivery,
        total=subtotal + delivery,
        idempotency_key=key,
        placed_at=now,
    )
    moves = _stock_reserve(wanted, titles={pk: _sku_title(sku) for pk, sku in skus.items()})
    for line in order_lines:
        line.order = order
    OrderLine.objects.bulk_create(order_lines)
    OrderStatusChange.objects.create(
        order=order, from_status="", to_status=OrderStatus.PLACED, actor=user, actor_label=actor_label, at=now
    )
    if cart is not None:
        cart.consume(sku_ids=wanted.keys())
    _catalog_stock_moved(moves, product_of={pk: sku.product_id for pk, sku in skus.items()})
    outbox_enqueue(
        task="orders.tasks.order_placed_notify",
        kwargs={"order_id": order.pk},
        key=f"order_placed:{order.number}",
        fresh_key=True,  # the number was just drawn from its sequence
    )
    return order


def _quantities(lines: Iterable[LineRequest]) -> dict[int, int]:
    """sku id -> quantity, in ascending id order; a SKU named twice is summed."""
    wanted: dict[int, int] = {}
    for line in lines:
        if not isinstance(line.quantity, int) or line.quantity < 1:
            raise QuantityInvalid()
        wanted[int(line.sku_id)] = wanted.get(int(line.sku_id), 0) + line.quantity
    if not wanted:
        raise EmptyOrder()
    if any(q > MAX_LINE_QUANTITY for q in wanted.values()):
        raise QuantityInvalid()
    return dict(sorted(wanted.items()))


def _sku_title(sku: Sku) -> str:
    options = ", ".join(str(v) for v in (sku.options or {}).values())
    return f"{sku.product.title} ({options})" if options else sku.product.title


def _details_clean(details: OrderDetails) -> OrderDetails:
    """Re-check what the checkout form checked; the service is the last line (other callers may skip the form)."""
    try:
        phone = normalize_phone(details.contact_phone)
    except ValidationError as exc:
        raise OrderDetailsInvalid("contact_phone", exc.messages[0]) from exc
    postcode = (details.postcode or "").strip()
    try:
        postcode_validator(postcode)
    except ValidationError as exc:
        raise OrderDetailsInvalid("postcode", exc.messages[0]) from exc
    required = {
        "recipient_name": _("Укажите имя и фамилию получателя."),
        "city": _("Укажите город или населённый пункт."),
        "street": _("Укажите улицу."),
        "house": _("Укажите номер дома."),
    }
    for field, message in required.items():
        if not (getattr(details, field) or "").strip():
            raise OrderDetailsInvalid(field, message)
    if details.delivery_method not in DeliveryMethod.values:
        raise OrderDetailsInvalid("delivery_method", _("Выберите способ доставки."))
    if details.delivery_cost is not None and (
        not isinstance(details.delivery_cost, Decimal) or details.delivery_cost < 0
    ):
        raise OrderDetailsInvalid("delivery_method", _("Выберите способ доставки."))
    if details.payment_method not in PaymentMethod.values:
        raise OrderDetailsInvalid("payment_method", _("Выберите способ оплаты."))
    return replace(
        details,
        contact_phone=phone,
        contact_email=(details.contact_email or "").strip().lower(),
        postcode=postcode,
        recipient_name=details.recipient_name.strip(),
        city=details.city.strip(),
        street=details.street.strip(),
        house=details.house.strip(),
        flat=(details.flat or "").strip(),
    )


def _order_number_next(now) -> str:
    """MS-2611-000123: prefix, year and month in Moscow time, and a number from a PostgreSQL sequence."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('orders_order_number_seq')")
        (seq,) = cursor.fetchone()
    return f"{settings.STORE_ORDER_NUMBER_PREFIX}-{timezone.localtime(now):%y%m}-{seq:06d}"


# One statement: lock the SKU rows in ascending id order, then take the stock of those that have enough.
_STOCK_TAKE_SQL = """
WITH wanted(id, qty) AS (VALUES {values}),
locked AS MATERIALIZED (
    SELECT s.id FROM catalog_sku s WHERE s.id IN (SELECT id FROM wanted) ORDER BY s.id FOR NO KEY UPDATE
)
UPDATE catalog_sku s SET stock = s.stock - w.qty
FROM wanted w
WHERE s.id = w.id AND s.id IN (SELECT id FROM locked) AND s.stock >= w.qty
RETURNING s.id, s.stock
"""
_STOCK_GIVE_SQL = """
WITH wanted(id, qty) AS (VALUES {values}),
locked AS MATERIALIZED (
    SELECT s.id FROM catalog_sku s WHERE s.id IN (SELECT id FROM wanted) ORDER BY s.id FOR NO KEY UPDATE
)
UPDATE catalog_sku s SET stock = s.stock + w.qty
FROM wanted w
WHERE s.id = w.id AND s.id IN (SELECT id FROM locked)
RETURNING s.id, s.stock
"""


def _stock_move(sql: str, quantities: dict[int, int]) -> dict[int, int]:
    """Run a stock statement over {sku_id: qty}; returns {sku_id: stock after} for the rows it changed."""
    values = ", ".join(["(%s::bigint, %s::integer)"] * len(quantities))
    params = [p for pair in sorted(quantities.items()) for p in pair]
    with connection.cursor() as cursor:
        cursor.execute(sql.format(values=values), params)
        return dict(cursor.fetchall())


def _stock_reserve(wanted: dict[int, int], *, titles: dict[int, str]) -> dict[int, tuple[int, int]]:
    """Take stock for every line or raise OutOfStock naming the short ones. Returns {sku id: (before, after)}."""
    after = _stock_move(_STOCK_TAKE_SQL, wanted)
    if len(after) != len(wanted):
        short = [pk for pk in wanted if pk not in after]
        available = dict(Sku.objects.filter(pk__in=short).values_list("pk", "stock"))
        raise OutOfStock([(titles[pk], available.get(pk, 0)) for pk in short])
    return {pk: (stock + wanted[pk], stock) for pk, stock in after.items()}


def _stock_release(order: Order) -> dict[int, tuple[int, int]]:
    """Give an order's reserved stock back. Returns {sku id: (before, after)}."""
    quantities = dict(OrderLine.objects.filter(order=order).values_list("sku_id", "quantity"))
    if not quantities:
        return {}
    after = _stock_move(_STOCK_GIVE_SQL, quantities)
    return {pk: (stock - quantities[pk], stock) for pk, stock in after.items()}


def _catalog_stock_moved(moves: dict[int, tuple[int, int]], *, product_of: dict[int, int] | None = None) -> None:
    """Stock of these SKUs moved ({sku id: (before, after)}; `product_of` {sku id: product id} when known).

    A SKU sold out or back in stock refreshes its product's in-stock flag and every shared page showing it; a count
    only the product page shows ("осталось N шт.") refreshes that product's own pages. Both after commit; nothing
    for a change no shopper sees: bumping the listings after every order would empty their cache at checkout rate.
    """
    flipped = {pk for pk, (before, after) in moves.items() if (before == 0) != (after == 0)}
    shown = {pk for pk, (before, after) in moves.items() if stock_change_is_visible(before=before, after=after)}
    if not shown:  # a flip is always shown
        return
    if product_of is None:
        product_of = dict(Sku.objects.filter(pk__in=shown).values_list("pk", "product_id"))
    flipped_products = {product_of[pk] for pk in flipped}
    if flipped_products:
        product_aggregates_refresh(product_ids=flipped_products)
        catalog_changed(flipped_products)
    catalog_product_pages_changed({product_of[pk] for pk in shown} - flipped_products)


# --- status machine ------------------------------------------------------------------------------------------------


def _actor_parts(actor) -> tuple[object | None, str]:
    """(user or None, label) for history rows: a User, "system" or "guest"."""
    if isinstance(actor, str):
        return None, actor
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, GUEST
    return actor, "staff" if actor.is_staff else "customer"


def _transition(
    *, order: Order, to: str, actor, reason: str = "", restock: bool = False, placing: bool = False
) -> Order:
    """The one way an order changes status: lock, check the table, write the status and the history row.
    Cancelling an order that still holds stock gives it back; `restock` gives it back on any other move.

    Runs in the caller's transaction when there is one (payments marks an order paid together with its payment),
    else in its own. Raises InvalidTransition without writing anything.
    `placing`: the caller's transaction inserted `order` (order_place's `with_order`), so no other transaction can
    see it: no lock to take, no row to re-read, no savepoint (a refusal rolls the placing back).
    """
    user, label = _actor_parts(actor)
    if placing and not connection.in_atomic_block:
        raise TransactionManagementError("a transition with placing=True runs in the placing transaction")
    with transaction.atomic(savepoint=not placing):
        locked = order if placing else Order.objects.select_for_update(no_key=True).get(pk=order.pk)
        from_status = locked.status
        if to not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
            raise InvalidTransition(
                number=locked.number,
                from_label=OrderStatus(from_status).label,
                to_label=OrderStatus(to).label,
            )
        now = timezone.now()
        Order.objects.filter(pk=locked.pk).update(status=to, updated_at=now)
        OrderStatusChange.objects.create(
            order=locked, from_status=from_status, to_status=to, actor=user, actor_label=label,
            reason=reason[:500], at=now,
        )  # fmt: skip
        if (to == OrderStatus.CANCELLED and from_status in STOCK_HELD_STATUSES) or restock:
            _catalog_stock_moved(_stock_release(locked))
    locked.status = to
    locked.updated_at = now
    order.status, order.updated_at = to, now
    return locked


def order_await_payment(*, order: Order, actor=SYSTEM) -> Order:
    return _transition(order=order, to=OrderStatus.AWAITING_PAYMENT, actor=actor)


def order_confirm(*, order: Order, actor, reason: str = "", placing: bool = False) -> Order:
    return _transition(order=order, to=OrderStatus.CONFIRMED, actor=actor, reason=reason, placing=placing)


def order_mark_paid(*, order: Order, actor=SYSTEM, reason: str = "") -> Order:
    return _transition(order=order, to=OrderStatus.PAID, actor=actor, reason=reason)


def order_pack(*, order: Order, actor) -> Order:
    return _transition(order=order, to=OrderStatus.PACKED, actor=actor)


def order_ship(*, order: Order, actor=SYSTEM, reason: str = "") -> Order:
    return _transition(order=order, to=OrderStatus.SHIPPED, actor=actor, reason=reason)


def order_deliver(*, order: Order, actor=SYSTEM, reason: str = "") -> Order:
    return _transition(order=order, to=OrderStatus.DELIVERED, actor=actor, reason=reason)


def order_complete(*, order: Order, actor=SYSTEM) -> Order:
    return _transition(order=order, to=OrderStatus.COMPLETED, actor=actor)


def order_cancel(*, order: Order, actor, reason: str) -> Order:
    """Cancel an order before it ships; its reserved stock goes back in the same transaction, and the apps that
    registered for it (orders/hooks.py: payments voids the order's open payments) hear of it through the outbox."""
    if not (reason or "").strip():
        raise ReasonRequired()
    user, label = _actor_parts(actor)
    before = order.status, order.updated_at
    # the cancellation, the other apps' say (orders/hooks.py) and what they must do about it commit together; the
    # checks run after the order row is locked (order, then its parcels: the order other writers lock in)
    try:
        with transaction.atomic():
            cancelled = _transition(order=order, to=OrderStatus.CANCELLED, actor=actor, reason=reason.strip())
            order_cancel_checks_run(order=cancelled)  # logistics: a parcel already with the post refuses
            order_cancelled_announce(
                order_id=cancelled.pk, number=cancelled.number, reason=reason.strip(), actor_label=label,
                actor_id=getattr(user, "pk", None),
            )  # fmt: skip
    except OrderError:
        order.status, order.updated_at = before  # rolled back: the caller's object says what the database says
        raise
    return cancelled


def order_mark_returned(*, order: Order, actor=SYSTEM, reason: str, restock: bool = False) -> Order:
    """The parcel came back undelivered (a pay-on-delivery order not collected). Restocking is a warehouse check,
    unless the caller puts the goods back on sale at once (`restock`: payments does for a refused COD parcel)."""
    if not (reason or "").strip():
        raise ReasonRequired()
    return _transition(order=order, to=OrderStatus.RETURNED, actor=actor, reason=reason.strip(), restock=restock)


def idempotency_key_new() -> str:
    return uuid.uuid4().hex
