"""What other apps ask orders to tell them. Orders imports none of them (ARCHITECTURE.md): they register here.

An app registers, in its AppConfig.ready(), the dotted name of a Celery task to run after an order is cancelled
(`on_order_cancelled`). `order_cancel` — every way into CANCELLED: staff in the admin, the abandonment job, a
refused pay-on-delivery parcel — writes one outbox job per registered task in the cancelling transaction, so the
reaction runs once the cancellation is committed, never without it, and at least once (tasks are idempotent).
The task receives order_id, reason, actor_label ("staff", "customer", "system", "logistics", …) and actor_id
(the staff user's id, or None).

An app may also veto a cancellation (`on_order_cancel_check`): it registers the dotted name of a function called as
`check(order=order)` inside the cancelling transaction, after the order row is locked and moved; it raises an
OrderError (e.g. CancelRefused) when the order can no longer be cancelled — logistics does once a parcel has left.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from storefront.outbox.services import outbox_enqueue

_ORDER_CANCELLED: list[str] = []
_CANCEL_CHECKS: list[str] = []


def on_order_cancel_check(check: str) -> None:
    """Ask the function named `check` before every cancellation commits (idempotent registration)."""
    if check not in _CANCEL_CHECKS:
        _CANCEL_CHECKS.append(check)


def order_cancel_checks_run(*, order) -> None:
    """Inside the cancelling transaction: each registered check may refuse by raising an OrderError."""
    for check in _CANCEL_CHECKS:
        import_string(check)(order=order)


def on_order_cancelled(task: str) -> None:
    """Run the Celery task named `task` after every order cancellation (idempotent registration)."""
    if task not in _ORDER_CANCELLED:
        _ORDER_CANCELLED.append(task)


def order_cancelled_announce(*, order_id: int, number: str, reason: str, actor_label: str, actor_id) -> None:
    """Inside the cancelling transaction: one outbox job per registered task (keyed: a repeat enqueues nothing)."""
    kwargs = {"order_id": order_id, "reason": reason, "actor_label": actor_label, "actor_id": actor_id}
    for task in _ORDER_CANCELLED:
        outbox_enqueue(task=task, kwargs=kwargs, key=f"{task}:{number}")
