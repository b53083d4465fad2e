"""The sync under partner trouble that is not an outage: an answer that stays unreadable costs its own ticket, not
the pass; and shoppers' storage reminders go out while the partner is down."""

from __future__ import annotations

import logging

import pytest

from logistics.postal.models import TicketStatus, TrackingEvent, TrackingTicket
from storefront.notifications.models import Notification

from .factories import registered_parcel
from .helpers import journey_to, sync

pytestmark = pytest.mark.django_db


def _events(parcel) -> int:
    return TrackingEvent.objects.filter(parcel=parcel).count()


@pytest.fixture
def postal_log():
    """Records of the logistics.postal logger (a handler on it: running jobs re-applies LOGGING, dropping caplog's)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("logistics.postal")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_an_unreadable_answer_closes_only_its_ticket_and_the_pass_goes_on(post_sandbox, settings, postal_log):
    settings.STORE_POST_TICKET_SIZE = 1
    settings.STORE_POST_RETRIES = 1
    parcels = [registered_parcel(), registered_parcel()]
    for parcel in parcels:
        post_sandbox.parcel(parcel.tracking_number, scenario="normal", kind="china")
    post_sandbox.advance(days=3)
    sync(post_sandbox)
    post_sandbox.advance(minutes=15)
    post_sandbox.fault("malformed", service="batch", times=2)  # the first answer, and its retry: truncated
    report = sync(post_sandbox)
    assert report.paused == ""
    assert (report.tickets_failed, report.tickets_answered, report.tickets_requested) == (1, 1, 1)
    failed = TrackingTicket.objects.get(status=TicketStatus.FAILED)
    assert failed.error.startswith("partner answer is not XML")  # ops see why on the ticket
    logged = [r for r in postal_log if r.getMessage() == "unreadable ticket answer; ticket closed"]
    assert [r.ticket for r in logged] == [failed.ticket]
    unlucky = next(p for p in parcels if p.tracking_number in failed.barcodes)
    lucky = next(p for p in parcels if p is not unlucky)
    assert _events(lucky) == len(post_sandbox.operations(lucky.tracking_number))
    assert _events(unlucky) == 0
    post_sandbox.advance(minutes=15)
    assert sync(post_sandbox).tickets_answered == 1  # the new ticket for the unlucky parcel
    assert _events(unlucky) == len(post_sandbox.operations(unlucky.tracking_number)) > 0


def test_an_answer_unreadable_every_time_opens_the_breaker_and_pauses_the_pass(post_sandbox, settings):
    settings.STORE_POST_TICKET_SIZE = 1
    settings.STORE_POST_RETRIES = 0
    settings.STORE_POST_BREAKER_FAILURES = 2
    for _ in range(3):
        post_sandbox.parcel(registered_parcel().tracking_number, scenario="normal", kind="china")
    sync(post_sandbox)
    post_sandbox.advance(minutes=15)
    post_sandbox.fault("malformed", service="batch", times=100)
    report = sync(post_sandbox)
    assert report.tickets_failed == 2
    assert report.paused.startswith("CircuitOpen")
    assert TrackingTicket.objects.filter(status=TicketStatus.PENDING).count() == 1  # waits for the next pass


def test_storage_reminders_go_out_while_the_partner_is_down(post_sandbox, settings):
    settings.STORE_POST_RETRIES = 0
    waiting = registered_parcel()
    journey_to(post_sandbox, waiting, days=12, scenario="returned")  # at the office, collect by …
    settings.STORE_POST_REMINDER_DAYS = settings.STORE_POST_STORAGE_DAYS + 1
    registered_parcel()  # a parcel the pass must ask the partner about
    post_sandbox.fault("http_503", service="batch", times=100)
    report = sync(post_sandbox)
    assert report.paused.startswith("PartnerUnavailable")
    assert report.reminders == 1
    assert Notification.objects.filter(kind="parcel_storage_reminder", key__contains=f":{waiting.pk}:").exists()
