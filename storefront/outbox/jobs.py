"""Idempotent jobs: a job delivered twice (relay resend, broker redelivery) has its effect once."""

import functools
import logging

from celery import current_task
from django.db import transaction

logger = logging.getLogger(__name__)


def idempotent_job(func):
    """Run a task body at most once per Celery task id (the relay sets it to the outbox key).

    The body runs inside a durable transaction together with the JobExecution row, so the effect and the
    "done" mark commit together: write the effect with non-durable helpers, not with a durable service.
    Use it under the task decorator:

        @shared_task(name=..., autoretry_for=..., retry_backoff=True)
        @idempotent_job
        def points_expire(*, lot_id: int) -> None: ...

    Called directly (no task id), the body simply runs. Effects outside the database (an SMS, a partner
    call) are not covered: guard those by the row's own status, as notification delivery does.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .services import job_execution_claim  # task modules load before the app registry is ready

        request = current_task.request if current_task else None
        key = getattr(request, "id", None)
        if not key:
            return func(*args, **kwargs)
        with transaction.atomic(durable=True):
            if not job_execution_claim(key=key, task=current_task.name):
                logger.info("job already done, skipped", extra={"job": key, "task": current_task.name})
                return None
            return func(*args, **kwargs)

    return wrapper
