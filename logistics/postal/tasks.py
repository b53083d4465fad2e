"""Tracking jobs: the beat-driven sync pass and what each of its steps queues. Thin: one service call each."""

from __future__ import annotations

import logging
import uuid

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError

from .exceptions import PostalError
from .registration import parcels_post_register_due
from .services import orders_follow_sweep
from .services import parcels_react as react
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
    name="logistics.postal.tasks.parcels_react",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_backoff_max=600,
    max_retries=8,
    ignore_result=True,
)
def parcels_react(*, notices: list, order_ids: list[int], cod: list | None = None, actor: str = "postal") -> None:
    react(notices=notices, order_ids=order_ids, cod=cod or [], actor=actor)


@shared_task(name="logistics.postal.tasks.parcels_register", ignore_result=True)
def parcels_register() -> dict | None:
    """Beat: packed parcels registered with the post (their barcode becomes the tracking number)."""
    try:
        return parcels_post_register_due()
    except PostalError as exc:  # the partner is down or refuses us: the next run carries on
        log.warning("parcel registration paused", extra={"why": str(exc)})
        return None


@shared_task(name="logistics.postal.tasks.orders_follow_sweep", ignore_result=True)
def orders_follow() -> int:
    """Beat: orders a lost or failed react job left behind follow their parcels."""
    return orders_follow_sweep()
