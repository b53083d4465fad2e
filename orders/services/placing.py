"""Placing an order: one service call, one SQL statement.

Consistency and locking
- The SKUs (price, currency, whether sold, stock) are read first, without a lock; the lines, prices and totals are
  computed from that read in Python (rates from catalog.selectors, rounding in one place: price_to_rub).
- One statement then writes everything, and it is one transaction (its own, or a savepoint in the caller's):
  - it locks the SKU rows in ascending id order (FOR NO KEY UPDATE: two orders sharing SKUs never deadlock), then
    takes each line's stock only where the SKU still has the price and currency that were read, is still sold and
    has the stock (`stock >= n`: no oversell; the CHECK constraint stock >= 0 backs it);
  - `orders_lines_current()` aborts the whole statement unless every line was taken; the placing then starts again
    from a new read (a price changed between the two: the new price; the stock ran out: OutOfStock);
  - it inserts the order (its number from a sequence), its lines, its history and the outbox job of the confirmation
    SMS, removes the lines from the cart, and inserts what other apps commit with the order (`with_order`).
- Idempotency: a second submit with the same key waits on the unique index for the first one's statement and then
  returns the order the first one placed.
Why one statement: on this machine each statement costs ~0.25 ms of CPU before it does any work, and a transaction
adds BEGIN and COMMIT; the placing was 20 statements (benchmarks/README.md, "Checkout placement").
Catalog caches are bumped after the statement (after commit when the caller holds a transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple, Protocol

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from psycopg.adapt import Dumper

from storefront.accounts.phone import normalize_phone
from storefront.catalog.exceptions import FxRateMissing
from storefront.catalog.models import Sku
from storefront.catalog.selectors import fx_rate_get, price_to_rub
from storefront.catalog.services import catalog_stock_moved
from storefront.core.money import quantize
from storefront.core.sql import insert_select
from storefront.outbox.services import outbox_job_new

from ..exceptions import (
    EmptyOrder,
    ItemUnavailable,
    OrderDetailsInvalid,
    OrderError,
    OutOfStock,
    PricesChanged,
    QuantityInvalid,
)
from ..models import (
    ALLOWED_TRANSITIONS,
    DeliveryMethod,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    PaymentMethod,
)
from ..selectors import delivery_cost_get, order_get_by_idempotency_key
from ..validators import MAX_LINE_QUANTITY, postcode_validator
from .status import SYSTEM, _actor_parts

PLACING_ATTEMPTS = 3  # reads that found a line changed by the time it was locked, before giving up
LINES_CURRENT = "orders_place_lines_current"  # the constraint orders_lines_current() names when it aborts


@dataclass(frozen=True)
class LineRequest:
    sku_id: int
    quantity: int


class OrderSource(Protocol):
    """Where an order's lines come from (the cart): read before placing, consumed by the placing statement."""

    def order_lines(self) -> Sequence[LineRequest]: ...

    def sku_snapshot(self) -> Mapping[int, SkuSnapshot] | None:
        """The lines' SKUs as the caller has just read them (SkuSnapshot), or None: order_place reads them."""
        ...

    def consume_sql(self, *, sku_ids: Sequence[int]) -> tuple[str, list]:
        """(sql, params) of one data-modifying statement (a DELETE) that removes those SKUs' lines: it runs as a CTE
        of the placing statement, so it commits with the order or not at all."""
        ...


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


@dataclass(eq=False)
class RowWrite:
    """A row another app inserts together with a new order, in the statement that places it.

    `obj` is an unsaved model instance; its foreign keys to the order are filled in by the statement; `refs`:
    {field attname: an earlier RowWrite of the same placing} whose id goes in that column (an event of a payment)."""

    obj: Model
    refs: dict[str, RowWrite] = field(default_factory=dict)


@dataclass(frozen=True)
class PlacingWrites:
    """What an app commits with a new order (order_place's `with_order`): rows to insert, and a status the order
    moves to at once (pay on delivery: confirmed), checked against ALLOWED_TRANSITIONS and recorded in its history
    after "placed", by `actor` with `reason`."""

    rows: Sequence[RowWrite] = ()
    status: str = ""
    actor: object = SYSTEM
    reason: str = ""


class SkuSnapshot(NamedTuple):
    """What placing reads of a SKU and its product. The placing statement re-checks the price, currency, sale and
    stock under its lock, so a caller that has just read them (the checkout's cart) may hand them in."""

    id: int
    code: str
    options: dict
    price: Decimal
    currency: str
    stock: int
    sellable: bool
    product_id: int
    title: str


class _LinesChanged(Exception):
    """A line's SKU changed between the read and the lock: read again."""


def order_place(
    *,
    details: OrderDetails,
    actor,
    idempotency_key: str,
    lines: Sequence[LineRequest] | None = None,
    cart: OrderSource | None = None,
    with_order: Callable[[Order], Iterable[PlacingWrites]] | None = None,
) -> Order:
    """Place an order from `lines` or from `cart` (exactly one): prices, rates and stock all read from the database.

    `actor` is the shopper (a User) or "guest". Returns the order; a repeated key returns the order already placed
    with it. Raises EmptyOrder, QuantityInvalid, ItemUnavailable, OutOfStock, OrderDetailsInvalid, and PricesChanged
    when a cart's SKU snapshot (what the shopper confirmed) no longer has the price the database has; nothing is
    written when it raises.

    `with_order(order)` is given the order about to be written (every field but its id and number) and returns what
    other apps commit with it (the checkout: logistics' delivery record; payments' pay-on-delivery payment, which
    also confirms the order). Not called when the key finds an order already placed.
    """
    if (lines is None) == (cart is None):
        raise TypeError("order_place takes exactly one of lines= or cart=")
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise ValueError("order_place needs an idempotency key of 1..64 characters")
    details = _details_clean(details)
    try:
        wanted = _quantities(cart.order_lines() if cart is not None else lines)
    except EmptyOrder:
        # the cart is empty because a first submit with this key already placed it: that order is the answer
        existing = order_get_by_idempotency_key(key=key) if cart is not None else None
        if existing is None:
            raise
        return existing
    try:
        return _order_place(details=details, actor=actor, key=key, wanted=wanted, cart=cart, with_order=with_order)
    except OrderError:
        # refused (sold out, price moved, no longer sold): unless this key's order is in already, a repeated submit
        # of it (the first click took the last units). Looked up only on refusal: the rare path pays for it.
        existing = order_get_by_idempotency_key(key=key)
        if existing is None:
            raise
        return existing


def _order_place(*, details: OrderDetails, actor, key: str, wanted: dict[int, int], cart, with_order) -> Order:
    known = cart.sku_snapshot() if cart is not None else None
    if known is not None and not all(pk in known for pk in wanted):
        known = None
    for attempt in range(PLACING_ATTEMPTS):
        if attempt == 0 and known is not None:
            skus = {pk: known[pk] for pk in wanted}
        else:
            skus = _skus_read(wanted)
            if known is not None and any(
                pk in skus and (skus[pk].price, skus[pk].currency) != (known[pk].price, known[pk].currency)
                for pk in wanted
            ):
                raise PricesChanged()  # the shopper confirmed other prices: they see the new ones first
        order, order_lines = _order_build(details=details, actor=actor, key=key, wanted=wanted, skus=skus)
        writes = list(with_order(order)) if with_order is not None else []
        try:
            taken = _order_write(
                order=order, actor=actor, order_lines=order_lines, wanted=wanted, skus=skus, writes=writes, cart=cart
            )
        except _LinesChanged:
            # a double submit of this very order may be what took the last units: its order is the answer
            existing = order_get_by_idempotency_key(key=key)
            if existing is not None:
                return existing
            continue
        except IntegrityError:
            # Another request with the same key got there first (the insert waited for it on the unique index): that
            # order is the answer. Not looked up beforehand: a double submit is rare, the lookup would cost every order.
            existing = order_get_by_idempotency_key(key=key)
            if existing is None:
                raise
            return existing
        moves = {pk: (stock + wanted[pk], stock) for pk, stock in taken}
        catalog_stock_moved(moves, product_of={pk: sku.product_id for pk, sku in skus.items()})
        return order
    raise OrderError()  # the goods kept changing under the order: "try again"


def _skus_read(wanted: dict[int, int]) -> dict[int, SkuSnapshot]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.id, s.code, s.options, s.price, s.currency, s.stock, s.is_active AND p.is_active, p.id, p.title
            FROM catalog_sku s JOIN catalog_product p ON p.id = s.product_id
            WHERE s.id = ANY(%s)
            """,
            [list(wanted)],
        )
        rows = cursor.fetchall()
    options = Sku._meta.get_field("options")  # read as the ORM reads it (JSON parsed)
    return {
        row[0]: SkuSnapshot(row[0], row[1], options.from_db_value(row[2], None, connection), *row[3:]) for row in rows
    }


def _order_build(
    *, details: OrderDetails, actor, key: str, wanted: dict[int, int], skus: dict[int, SkuSnapshot]
) -> tuple[Order, list[OrderLine]]:
    """The order and its lines as they will be written (not saved), or the reason it cannot be placed."""
    rates: dict[str, Decimal] = {}
    order_lines = []
    short = []
    subtotal = Decimal("0.00")
    for sku_id, quantity in wanted.items():
        sku = skus.get(sku_id)
        if sku is None:
            raise ItemUnavailable()
        title = _sku_title(sku)
        if not sku.sellable:
            raise ItemUnavailable(title)
        if sku.stock < quantity:
            short.append((title, max(sku.stock, 0)))
            continue
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
                product_title=sku.title,
                options=sku.options,
                quantity=quantity,
                unit_price=sku.price,
                currency=sku.currency,
                fx_rate=rate,
                unit_price_rub=unit_rub,
                line_total_rub=line_total,
            )
        )
    if short:
        raise OutOfStock(short)
    delivery = details.delivery_cost
    if delivery is None:
        delivery = delivery_cost_get(method=details.delivery_method)
    user, _label = _actor_parts(actor)
    now = timezone.now()
    order = Order(
        number="",  # drawn from its sequence by the statement
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
        updated_at=now,
    )
    return order, order_lines


_PLACE_SQL = """
WITH wanted(id, qty, price, currency) AS (VALUES {wanted}),
locked AS MATERIALIZED (
    SELECT s.id FROM catalog_sku s WHERE s.id IN (SELECT id FROM wanted) ORDER BY s.id FOR NO KEY UPDATE
),
taken AS (
    UPDATE catalog_sku s SET stock = s.stock - w.qty
    FROM wanted w, catalog_product p
    WHERE s.id = w.id AND s.id IN (SELECT id FROM locked) AND p.id = s.product_id AND s.stock >= w.qty
      AND s.price = w.price AND s.currency = w.currency AND s.is_active AND p.is_active
    RETURNING s.id, s.stock
),
order_seq AS (
    SELECT nextval('orders_order_number_seq')::text AS n
    WHERE orders_lines_current((SELECT count(*) FROM taken) = %s::bigint)
),
{writes}
SELECT placed_order.id, placed_order.number, ARRAY(SELECT ARRAY[id, stock] FROM taken) FROM placed_order
"""


def _order_write(
    *,
    order: Order,
    actor,
    order_lines: list[OrderLine],
    wanted: dict[int, int],
    skus: dict[int, SkuSnapshot],
    writes: list[PlacingWrites],
    cart: OrderSource | None,
) -> list[tuple[int, int]]:
    """Write the order in one statement (see the module's docstring); returns [(sku id, stock after)] and fills in
    the order's id and number. Raises _LinesChanged, IntegrityError (the key is taken)."""
    user, label = _actor_parts(actor)
    history = [
        OrderStatusChange(
            from_status="", to_status=OrderStatus.PLACED, actor=user, actor_label=label, at=order.placed_at
        )
    ]
    for part in writes:
        if not part.status:
            continue
        if part.status not in ALLOWED_TRANSITIONS[order.status]:
            raise ValueError(f"a new order cannot move from {order.status} to {part.status}")
        move_user, move_label = _actor_parts(part.actor)
        history.append(
            OrderStatusChange(
                from_status=order.status, to_status=part.status, actor=move_user, actor_label=move_label,
                reason=part.reason[:500], at=order.placed_at,
            )
        )  # fmt: skip
        order.status = part.status
    ctes: list[tuple[str, str, list]] = []  # (name, sql, params)
    prefix = f"{settings.STORE_ORDER_NUMBER_PREFIX}-{timezone.localtime(order.placed_at):%y%m}-"
    order_sql, order_params = insert_select(
        order,
        refs={"number": ("%s::text || lpad(order_seq.n, greatest(6, length(order_seq.n)), '0')", [prefix])},
        sources=["order_seq"],
        returning="id, number",
    )
    ctes.append(("placed_order", order_sql, order_params))
    for i, line in enumerate(order_lines):
        sql, params = insert_select(line, refs={"order_id": "placed_order.id"}, sources=["placed_order"])
        ctes.append((f"order_line_{i}", sql, params))
    for i, change in enumerate(history):
        # each history row reads the one before it, so it is inserted after it: ids in the order of the moves
        sources = ["placed_order"] + ([f"order_history_{i - 1}"] if i else [])
        sql, params = insert_select(change, refs={"order_id": "placed_order.id"}, sources=sources)
        ctes.append((f"order_history_{i}", sql, params))
    job = outbox_job_new(task="orders.tasks.order_placed_notify", kwargs={}, key="-")
    sql, params = insert_select(
        job,
        refs={
            "kwargs": "jsonb_build_object('order_id', placed_order.id)",
            "key": "'order_placed:' || placed_order.number",
        },
        sources=["placed_order"],
    )
    ctes.append(("order_placed_job", sql, params))
    if cart is not None:
        sql, params = cart.consume_sql(sku_ids=list(wanted))
        ctes.append(("cart_consumed", sql, params))
    names: dict[int, str] = {}
    for part in writes:
        for row in part.rows:
            name = names[id(row)] = f"with_order_{len(names)}"
            refs = {f.attname: "placed_order.id" for f in row.obj._meta.concrete_fields if _points_to_order(f)}
            sources = ["placed_order"]
            for attname, other in row.refs.items():
                refs[attname] = f"{names[id(other)]}.id"
                sources.append(names[id(other)])
            sql, params = insert_select(row.obj, refs=refs, sources=sources)
            ctes.append((name, sql, params))
    wanted_sql = ", ".join(["(%s::bigint, %s::integer, %s::numeric, %s::text)"] * len(wanted))
    wanted_params = [p for pk, qty in wanted.items() for p in (pk, qty, skus[pk].price, skus[pk].currency)]
    sql = _PLACE_SQL.format(wanted=wanted_sql, writes=",\n".join(f"{name} AS ({body})" for name, body, _p in ctes))
    params = [*wanted_params, len(wanted), *(p for _n, _b, ps in ctes for p in ps)]
    try:
        if connection.in_atomic_block:  # the caller's transaction: a refusal must not break it
            with transaction.atomic():
                row = _execute(sql, params)
        else:  # one statement, its own transaction
            row = _execute(sql, params)
    except IntegrityError as exc:
        diag = getattr(exc.__cause__, "diag", None)
        if diag is not None and diag.constraint_name == LINES_CURRENT:
            raise _LinesChanged() from exc
        raise
    order.pk, order.number = row[0], row[1]
    order._state.adding, order._state.db = False, connection.alias
    return [tuple(pair) for pair in row[2]]


class _UntypedIntDumper(Dumper):
    """An int sent as text without a type: the statement's casts give every parameter its type."""

    oid = 0

    def dump(self, obj: int) -> bytes:
        return str(obj).encode()


class _PreparedCursor(psycopg.Cursor):
    """psycopg's server-binding cursor, its statements prepared: parsed and planned once per connection and shape
    (number of lines, the other apps' rows), not on every order. psycopg keeps one prepared statement per query and
    set of parameter types: it types an int by its size (int2 … int8) and a None as unknown, so a guest's order and a
    signed-in shopper's, a pickup point or none, would each be another statement. Ints go untyped like None; the
    statement's casts type them."""

    def __init__(self, connection, **kwargs):
        super().__init__(connection, **kwargs)
        self.adapters.register_dumper(int, _UntypedIntDumper)

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def _execute(sql: str, params: list):
    """Run the placing statement prepared (_PreparedCursor), through Django's cursor wrapper (its error classes, its
    query log and execute wrappers)."""
    connection.ensure_connection()
    raw = _PreparedCursor(connection.connection)
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _points_to_order(f) -> bool:
    return (f.many_to_one or f.one_to_one) and f.related_model is Order


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


def _sku_title(sku: SkuSnapshot) -> str:
    options = ", ".join(str(v) for v in (sku.options or {}).values())
    return f"{sku.title} ({options})" if options else sku.title


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
    for name, message in required.items():
        if not (getattr(details, name) or "").strip():
            raise OrderDetailsInvalid(name, message)
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


def idempotency_key_new() -> str:
    return uuid.uuid4().hex
