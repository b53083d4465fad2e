"""Tracking jobs: the beat-driven sync pass and the COD reports it queues. Thin: one service call each."""

from __future__ import annotations

import logging
import uuid

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError

from .cod import parcel_cod_report as cod_report
from .sync import tracking_sync as sync_pass

log = logging.getLogger("logistics.postal")
LOCK_KEY = "postal:sync:lock"
LOCK_SECONDS = 3600


@shared_task(name="logistics.postal.tasks.tracking_sync", ignore_result=True)
def tracking_sync() -> dict | None:
    """One sync pass, never two at once (a Redis lock; a pass that outlives it is cut off by the next)."""
    token = uuid.uuid4().hex
    if not cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS):
        log.info("tracking sync already running; skipped")
        return None
    try:
        return sync_pass().as_dict()
    finally:
        if cache.get(LOCK_KEY) == token:
            cache.delete(LOCK_KEY)


@shared_task(
    name="logistics.postal.tasks.parcel_cod_report",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
    ignore_result=True,
)
def parcel_cod_report(*, parcel_id: int, outcome: str, at: str, reason: str = "") -> None:
    cod_report(parcel_id=parcel_id, outcome=outcome, at=at, reason=reason)
