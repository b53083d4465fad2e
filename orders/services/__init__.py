"""Orders writes: placing an order (placing.py) and moving it through its statuses (status.py)."""

from .placing import (
    LineRequest,
    OrderDetails,
    OrderSource,
    PlacingWrites,
    RowWrite,
    SkuSnapshot,
    idempotency_key_new,
    order_place,
)
from .status import (
    GUEST,
    SYSTEM,
    order_await_payment,
    order_cancel,
    order_complete,
    order_confirm,
    order_deliver,
    order_mark_paid,
    order_mark_returned,
    order_pack,
    order_ship,
)

__all__ = [
    "GUEST",
    "SYSTEM",
    "LineRequest",
    "OrderDetails",
    "OrderSource",
    "PlacingWrites",
    "RowWrite",
    "SkuSnapshot",
    "idempotency_key_new",
    "order_await_payment",
    "order_cancel",
    "order_complete",
    "order_confirm",
    "order_deliver",
    "order_mark_paid",
    "order_mark_returned",
    "order_pack",
    "order_place",
    "order_ship",
]
