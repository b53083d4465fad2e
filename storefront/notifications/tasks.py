from celery import shared_task

from . import services
from .exceptions import DeliveryFailed


@shared_task(
    bind=True,
    name="storefront.notifications.tasks.notification_deliver",
    autoretry_for=(DeliveryFailed,),
    retry_backoff=5,  # 5 s, 10 s, 20 s … capped below, with jitter
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
    acks_late=True,
    ignore_result=True,
)
def notification_deliver(self, *, notification_id: int) -> None:
    """Idempotent by the notification's status: only a queued one is sent, then marked sent."""
    services.notification_deliver(notification_id=notification_id, last_try=self.request.retries >= self.max_retries)
