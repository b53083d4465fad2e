"""For tests of code that enqueues jobs: run the pending outbox jobs in this process, as relay + worker would."""

from django.utils import timezone

from storefront.celery import app
from storefront.outbox.models import OutboxJob


def run_outbox_jobs() -> int:
    """Run every pending job (and the jobs those enqueue) with Celery's apply(); returns how many ran."""
    ran = 0
    while job := OutboxJob.objects.filter(relayed_at__isnull=True).order_by("id").first():
        OutboxJob.objects.filter(id=job.id).update(relayed_at=timezone.now(), attempts=job.attempts + 1)
        app.tasks[job.task].apply(args=job.args, kwargs=job.kwargs, task_id=job.key, throw=True)
        ran += 1
    return ran
