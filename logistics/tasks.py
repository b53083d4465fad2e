from celery import shared_task

from .services import parcels_sync


@shared_task(name="logistics.parcels.sync", ignore_result=True)
def parcels_sync_task() -> None:
    """Beat: parcels for confirmed/paid orders, unsent parcels of cancelled orders cancelled (idempotent)."""
    parcels_sync(actor="system")
