from celery import shared_task

from . import notify


@shared_task(
    name="orders.tasks.order_placed_notify",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
    ignore_result=True,
)
def order_placed_notify(*, order_id: int) -> None:
    """Queued through the outbox by order_place; idempotent because notification_send is (by key)."""
    notify.order_placed_notify(order_id=order_id)
