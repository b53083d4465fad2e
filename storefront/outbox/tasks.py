from celery import shared_task

from . import services


@shared_task(name="storefront.outbox.tasks.outbox_relay", ignore_result=True)
def outbox_relay() -> int:
    """Beat runs this every 2 s; a failed run is simply the next run's work, so no retries here."""
    return services.outbox_relay().sent


@shared_task(
    name="storefront.outbox.tasks.outbox_cleanup",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def outbox_cleanup() -> int:
    return services.outbox_cleanup()
