"""Orders writes after placing: moving an order through its statuses (and giving stock back when it is cancelled).

Locking policy
- Order status: every change locks the order row (SELECT ... FOR NO KEY UPDATE) in `_transition`, checks
  ALLOWED_TRANSITIONS, writes the row and an OrderStatusChange in the same transaction.
- Stock: given back with one UPDATE over all the order's SKUs, after locking those SKU rows in ascending id order
  (the order placing takes them in, orders/services/placing.py), so two orders sharing SKUs never deadlock.
Catalog caches are bumped after commit.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.utils import timezone

from storefront.catalog.services import catalog_stock_moved

from ..exceptions import InvalidTransition, OrderError, ReasonRequired
from ..hooks import order_cancel_checks_run, order_cancelled_announce
from ..models import ALLOWED_TRANSITIONS, STOCK_HELD_STATUSES, Order, OrderLine, OrderStatus, OrderStatusChange

logger = logging.getLogger(__name__)

SYSTEM = "system"
GUEST = "guest"


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


def _stock_release(order: Order) -> dict[int, tuple[int, int]]:
    """Give an order's reserved stock back. Returns {sku id: (before, after)}."""
    quantities = dict(OrderLine.objects.filter(order=order).values_list("sku_id", "quantity"))
    if not quantities:
        return {}
    after = _stock_move(_STOCK_GIVE_SQL, quantities)
    return {pk: (stock - quantities[pk], stock) for pk, stock in after.items()}


# --- status machine ------------------------------------------------------------------------------------------------


def _actor_parts(actor) -> tuple[object | None, str]:
    """(user or None, label) for history rows: a User, "system" or "guest"."""
    if isinstance(actor, str):
        return None, actor
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, GUEST
    return actor, "staff" if actor.is_staff else "customer"


def _transition(*, order: Order, to: str, actor, reason: str = "", restock: bool = False) -> Order:
    """The one way an order changes status: lock, check the table, write the status and the history row.
    Cancelling an order that still holds stock gives it back; `restock` gives it back on any other move.

    Runs in the caller's transaction when there is one (payments marks an order paid together with its payment),
    else in its own. Raises InvalidTransition without writing anything. (A status an order takes while it is placed,
    pay on delivery's confirmed, is written by the placing statement: orders/services/placing.py.)
    """
    user, label = _actor_parts(actor)
    with transaction.atomic():
        locked = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
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
            catalog_stock_moved(_stock_release(locked))
    locked.status = to
    locked.updated_at = now
    order.status, order.updated_at = to, now
    return locked


def order_await_payment(*, order: Order, actor=SYSTEM) -> Order:
    return _transition(order=order, to=OrderStatus.AWAITING_PAYMENT, actor=actor)


def order_confirm(*, order: Order, actor, reason: str = "") -> Order:
    return _transition(order=order, to=OrderStatus.CONFIRMED, actor=actor, reason=reason)


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
