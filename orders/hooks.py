"""What other apps ask orders to tell them. Orders imports none of them (ARCHITECTURE.md): they register here.

An app registers, in its AppConfig.ready(), the dotted name of a Celery task to run after an order is cancelled
(`on_order_cancelled`). `order_cancel` — every way into CANCELLED: staff in the admin, the abandonment job, a
refused pay-on-delivery parcel — writes one outbox job per registered task in the cancelling transaction, so the
reaction runs once the cancellation is committed, never without it, and at least once (tasks are idempotent).
The task receives order_id, reason, actor_label ("staff", "customer", "system", "logistics", …) and actor_id
(the staff user's id, or None).
"""

from __future__ import annotations

from storefront.outbox.services import outbox_enqueue

_ORDER_CANCELLED: list[str] = []


def on_order_cancelled(task: str) -> None:
    """Run the Celery task named `task` after every order cancellation (idempotent registration)."""
    if task not in _ORDER_CANCELLED:
        _ORDER_CANCELLED.append(task)


def order_cancelled_announce(*, order_id: int, number: str, reason: str, actor_label: str, actor_id) -> None:
    """Inside the cancelling transaction: one outbox job per registered task (keyed: a repeat enqueues nothing)."""
    kwargs = {"order_id": order_id, "reason": reason, "actor_label": actor_label, "actor_id": actor_id}
    for task in _ORDER_CANCELLED:
        outbox_enqueue(task=task, kwargs=kwargs, key=f"{task}:{number}")
