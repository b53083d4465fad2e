from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from storefront.outbox.models import OutboxJob
from storefront.outbox.services import outbox_cleanup, outbox_enqueue, outbox_relay

from .jobs import record_effect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def relayed_and_pending(relay_app):
    with transaction.atomic():
        outbox_enqueue(task=record_effect.name, kwargs={"mark": "a"}, key="relayed")
    outbox_relay(celery_app=relay_app)
    with transaction.atomic():
        outbox_enqueue(task=record_effect.name, kwargs={"mark": "b"}, key="pending")


def test_cleanup_deletes_relayed_jobs_older_than_a_week_and_keeps_pending_ones(relayed_and_pending):
    deleted = outbox_cleanup(now=timezone.now() + timedelta(days=8))

    assert deleted == 1
    assert list(OutboxJob.objects.values_list("key", flat=True)) == ["pending"]


def test_cleanup_keeps_relayed_jobs_younger_than_a_week(relayed_and_pending):
    assert outbox_cleanup(now=timezone.now() + timedelta(days=6)) == 0
    assert OutboxJob.objects.count() == 2
