"""Outbox writes: enqueue inside the caller's transaction, relay to the broker, housekeeping.

Locking policy: the relay claims pending rows with FOR UPDATE SKIP LOCKED, so any number of relays
(beat task, `manage.py outbox_relay --loop`) can run at once without sending a row twice in one pass.
Delivery is at-least-once (a send can succeed and the commit after it fail): jobs must be idempotent,
see storefront.outbox.jobs.idempotent_job.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import Celery
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import JobExecution, OutboxJob

logger = logging.getLogger(__name__)

# Fail fast when the broker is down: the next relay run (2 s later) is the retry.
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
_JOB_BACKOFF_MAX = timedelta(minutes=5)
RELAYED_KEEP = timedelta(days=7)
EXECUTIONS_KEEP = timedelta(days=30)  # far beyond the broker's redelivery window (visibility timeout: 1 h)


@dataclass(frozen=True)
class RelayResult:
    sent: int = 0
    failed: int = 0
    error: str = ""


def _require_transaction(what: str) -> None:
    if not connection.in_atomic_block:
        raise TransactionManagementError(f"{what} must run inside the caller's transaction.atomic()")


def _celery_app(celery_app: Celery | None) -> Celery:
    if celery_app is not None:
        return celery_app
    from storefront.celery import app

    return app


def _require_known_task(name: str) -> None:
    """A typo in a task name fails here, in the caller's tests, not silently in a worker's log."""
    app = _celery_app(None)
    if name not in app.tasks:
        app.loader.import_default_modules()  # the web process has not imported every app's tasks.py yet
    if name not in app.tasks:
        raise ValueError(f"unknown Celery task {name!r}")


def outbox_job_new(
    *,
    task: str,
    kwargs: dict,
    key: str | None = None,
    queue: str | None = None,
    args: list | None = None,
    available_at: datetime | None = None,
) -> OutboxJob:
    """The job, not saved: for outbox_enqueue, or for a statement that inserts it with the rows it is about (order
    placing, orders/services/placing.py), where the relay finds it once that statement has committed."""
    _require_known_task(task)
    return OutboxJob(
        task=task,
        args=args or [],
        kwargs=kwargs,
        key=key or uuid.uuid4().hex,
        queue=queue or "",
        available_at=available_at or timezone.now(),
    )


def outbox_enqueue(
    *,
    task: str,
    kwargs: dict,
    key: str | None = None,
    queue: str | None = None,
    args: list | None = None,
    available_at: datetime | None = None,
    fresh_key: bool = False,
) -> OutboxJob:
    """Write a job that Celery receives after the caller's transaction commits (and never if it rolls back).

    A second call with the same key returns the existing job and enqueues nothing. `fresh_key`: the key names a row
    the caller's transaction has just inserted (no job can have it yet), so no savepoint is taken around the insert;
    a duplicate then raises IntegrityError and the caller's transaction rolls back.
    """
    _require_transaction("outbox_enqueue")
    job = outbox_job_new(task=task, kwargs=kwargs, key=key, queue=queue, args=args, available_at=available_at)
    if fresh_key:
        job.save(force_insert=True)
        return job
    try:
        with transaction.atomic():  # savepoint: a duplicate key must not break the caller's transaction
            job.save(force_insert=True)
    except IntegrityError:
        return OutboxJob.objects.get(key=job.key)
    return job


def outbox_relay(*, batch: int = 500, celery_app: Celery | None = None) -> RelayResult:
    """Send due jobs to the broker; mark each relayed only after its send succeeded.

    Broker unreachable: the error is recorded on the job that hit it, every job stays pending, no exception.
    """
    app = _celery_app(celery_app)
    now = timezone.now()
    sent: list[int] = []
    failed = 0
    error = ""
    with transaction.atomic(durable=True):
        jobs = list(
            OutboxJob.objects.select_for_update(skip_locked=True)
            .filter(relayed_at__isnull=True, available_at__lte=now)
            .order_by("available_at", "id")[:batch]
        )
        for job in jobs:
            try:
                app.send_task(
                    job.task,
                    args=job.args,
                    kwargs=job.kwargs,
                    queue=job.queue or None,
                    task_id=job.key,
                    retry=True,
                    retry_policy=_PUBLISH_RETRY,
                )
            except OperationalError as exc:  # the broker is down: keep the rest for the next run
                error = f"broker unreachable: {exc}"
                failed += 1
                _job_failed(job, error, backoff=False)
                logger.warning("outbox relay: broker unreachable", extra={"job": job.key, "error": str(exc)})
                break
            except Exception as exc:  # this one job cannot be sent: back it off, relay the others
                error = f"{type(exc).__name__}: {exc}"
                failed += 1
                _job_failed(job, error, backoff=True)
                logger.exception("outbox relay: job cannot be sent", extra={"job": job.key})
            else:
                sent.append(job.id)
        OutboxJob.objects.filter(id__in=sent).update(relayed_at=now, attempts=F("attempts") + 1, last_error="")
    if sent or failed:
        logger.info("outbox relay", extra={"sent": len(sent), "failed": failed})
    return RelayResult(sent=len(sent), failed=failed, error=error)


def _job_failed(job: OutboxJob, error: str, *, backoff: bool) -> None:
    changes = {"attempts": F("attempts") + 1, "last_error": error[:2000]}
    if backoff:
        changes["available_at"] = timezone.now() + min(timedelta(seconds=2 ** min(job.attempts, 16)), _JOB_BACKOFF_MAX)
    OutboxJob.objects.filter(id=job.id).update(**changes)


def job_execution_claim(*, key: str, task: str) -> bool:
    """Record that job `key` runs now; False if it already ran. Commits (or rolls back) with the job's effect."""
    _require_transaction("job_execution_claim")
    try:
        with transaction.atomic():  # a concurrent duplicate waits here until the first one commits or rolls back
            JobExecution.objects.create(key=key, task=task)
    except IntegrityError:
        return False
    return True


def outbox_cleanup(*, now: datetime | None = None, chunk: int = 5000) -> int:
    """Delete relayed jobs older than a week and old execution records, in small chunks. Returns rows deleted."""
    now = now or timezone.now()
    deleted = 0
    for model, field, cutoff in (
        (OutboxJob, "relayed_at", now - RELAYED_KEEP),
        (JobExecution, "finished_at", now - EXECUTIONS_KEEP),
    ):
        while True:
            ids = list(model.objects.filter(**{f"{field}__lt": cutoff}).values_list("id", flat=True)[:chunk])
            if not ids:
                break
            deleted += model.objects.filter(id__in=ids).delete()[0]
    return deleted
