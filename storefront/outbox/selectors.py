from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import OutboxJob


@dataclass(frozen=True)
class OutboxLag:
    pending: int
    lag_seconds: float  # how long the oldest due job has been waiting for the relay


def outbox_lag_get() -> OutboxLag:
    now = timezone.now()
    row = OutboxJob.objects.filter(relayed_at__isnull=True).aggregate(
        pending=Count("id"), oldest_due=Min("available_at", filter=Q(available_at__lte=now))
    )
    lag = (now - row["oldest_due"]).total_seconds() if row["oldest_due"] else 0.0
    return OutboxLag(pending=row["pending"], lag_seconds=round(lag, 1))
