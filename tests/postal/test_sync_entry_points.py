"""How ops and beat start the sync: the management command and the Celery task (one pass at a time)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from logistics.postal import tasks
from logistics.postal.models import TrackingTicket

from .factories import registered_parcel

pytestmark = pytest.mark.django_db


def test_sync_tracking_command_asks_for_tickets_and_prints_its_report(post_sandbox, settings):
    settings.STORE_POST_CLOCK = "sandbox"
    registered_parcel()
    out = StringIO()
    call_command("sync_tracking", stdout=out)
    assert json.loads(out.getvalue())["tickets_requested"] == 1
    assert TrackingTicket.objects.count() == 1


def test_beat_task_skips_while_another_pass_runs(post_sandbox, settings):
    settings.STORE_POST_CLOCK = "sandbox"
    registered_parcel()
    cache.set(tasks.LOCK_KEY, "another-worker", 60)
    assert tasks.tracking_sync.apply().result is None
    assert TrackingTicket.objects.count() == 0
    cache.delete(tasks.LOCK_KEY)
    assert tasks.tracking_sync.apply().result["tickets_requested"] == 1
