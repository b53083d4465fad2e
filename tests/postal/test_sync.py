"""The tracking sync against the sandbox over HTTP: tickets, timing, partner errors, outages, parcels and orders."""

from __future__ import annotations

import pytest

from logistics.models import ParcelStatus
from logistics.postal import breaker as breaker_module
from logistics.postal.models import TicketStatus, TrackingEvent, TrackingTicket
from orders.models import OrderStatus
from payments.models import PaymentStatus
from tests.outbox.inline import run_outbox_jobs

from .factories import registered_parcel
from .helpers import journey_to, sync, sync_round

pytestmark = pytest.mark.django_db


def test_active_parcels_are_asked_about_in_tickets_of_the_configured_size(post_sandbox, settings):
    settings.STORE_POST_TICKET_SIZE = 2
    parcels = [registered_parcel() for _ in range(5)]
    report = sync(post_sandbox)
    assert (report.tickets_requested, report.barcodes_requested) == (3, 5)
    assert sorted(b for t in TrackingTicket.objects.all() for b in t.barcodes) == sorted(
        p.tracking_number for p in parcels
    )


def test_answers_are_not_asked_for_before_fifteen_minutes(post_sandbox):
    registered_parcel()
    sync(post_sandbox)
    post_sandbox.advance(minutes=14)
    report = sync(post_sandbox)
    assert report.tickets_answered == report.tickets_not_ready == report.tickets_requested == 0
    assert post_sandbox.stats().get("polls_not_ready", 0) == 0


def test_a_ticket_not_ready_is_asked_again_only_after_fifteen_more_minutes(post_sandbox):
    registered_parcel()
    sync(post_sandbox)
    post_sandbox.advance(minutes=15)
    post_sandbox.fault("not_ready", service="batch")  # a slow day at the partner
    assert sync(post_sandbox).tickets_not_ready == 1
    assert sync(post_sandbox).tickets_not_ready == 0  # not again at once
    post_sandbox.advance(minutes=14)
    assert sync(post_sandbox).tickets_not_ready == 0
    post_sandbox.advance(minutes=1)
    assert sync(post_sandbox).tickets_answered == 1
    assert post_sandbox.stats().get("polls_too_frequent", 0) == 0


def test_an_expired_ticket_is_replaced_by_a_new_one_for_its_parcels(post_sandbox):
    parcel = registered_parcel()
    sync(post_sandbox)
    post_sandbox.advance(hours=33)
    report = sync(post_sandbox)
    assert (report.tickets_expired, report.tickets_requested) == (1, 1)
    statuses = list(TrackingTicket.objects.order_by("id").values_list("status", "barcodes"))
    assert statuses == [
        (TicketStatus.EXPIRED, [parcel.tracking_number]),
        (TicketStatus.PENDING, [parcel.tracking_number]),
    ]


def test_barcodes_a_ticket_failed_for_are_asked_about_again(post_sandbox):
    first, second = registered_parcel(), registered_parcel()
    post_sandbox.fault("item_errors", service="batch", count=1)
    sync(post_sandbox)
    post_sandbox.advance(minutes=15)
    report = sync(post_sandbox)
    done, retry = TrackingTicket.objects.order_by("id")
    assert done.failed_barcodes == [first.tracking_number]
    assert retry.barcodes == [first.tracking_number]
    assert report.tickets_requested == 1
    assert TrackingEvent.objects.filter(parcel=second).exists()


def test_a_parcel_the_partner_knows_nothing_about_is_asked_about_later(post_sandbox):
    parcel = registered_parcel()
    post_sandbox.parcel(parcel.tracking_number, scenario="nodata")
    report = sync_round(post_sandbox)
    assert report.tickets_requested == 0  # not again in the same pass
    assert TrackingTicket.objects.get().failed_barcodes == []
    assert parcel.tracking_poll.next_request_at > parcel.tracking_poll.last_answer_at


def test_delivered_parcels_are_no_longer_polled(post_sandbox):
    parcel = registered_parcel()
    journey_to(post_sandbox, parcel, days=20)
    assert parcel.status == ParcelStatus.DELIVERED
    post_sandbox.advance(days=2)
    assert sync(post_sandbox).tickets_requested == 0


def test_an_outage_pauses_the_sync_and_the_next_pass_resumes_losing_nothing(post_sandbox, settings, monkeypatch):
    settings.STORE_POST_RETRIES = 0
    settings.STORE_POST_BREAKER_FAILURES = 1
    parcel = registered_parcel()
    post_sandbox.parcel(parcel.tracking_number, scenario="normal", kind="china")
    post_sandbox.advance(days=4)
    sync(post_sandbox)
    post_sandbox.advance(minutes=15)
    post_sandbox.fault("http_503", service="batch", times=100)
    paused = sync(post_sandbox)
    assert paused.paused.startswith("PartnerUnavailable")
    assert sync(post_sandbox).paused.startswith("CircuitOpen")
    assert TrackingTicket.objects.get().status == TicketStatus.PENDING
    post_sandbox.call("DELETE", "/sandbox/faults")
    later = breaker_module._now() + settings.STORE_POST_BREAKER_SECONDS + 1
    monkeypatch.setattr(breaker_module, "_now", lambda: later)
    resumed = sync(post_sandbox)
    assert (resumed.paused, resumed.tickets_answered) == ("", 1)
    sandbox_ops = post_sandbox.operations(parcel.tracking_number)
    assert TrackingEvent.objects.filter(parcel=parcel).count() == len(sandbox_ops) >= 3


def test_a_malformed_record_is_skipped_without_losing_the_other_parcels_events(post_sandbox):
    first, second = registered_parcel(), registered_parcel()
    for parcel in (first, second):
        post_sandbox.parcel(parcel.tracking_number, scenario="normal", kind="china")
    post_sandbox.advance(days=3)
    sync(post_sandbox)
    post_sandbox.advance(minutes=15)
    post_sandbox.fault("bad_record", service="batch")
    report = sync(post_sandbox)
    assert report.paused == ""
    assert TrackingTicket.objects.get().records_skipped == 1
    assert TrackingEvent.objects.filter(parcel=first).count() == len(post_sandbox.operations(first.tracking_number)) - 1
    assert TrackingEvent.objects.filter(parcel=second).count() == len(post_sandbox.operations(second.tracking_number))


def test_parcel_follows_its_journey_and_the_order_is_shipped_then_delivered(post_sandbox):
    parcel = registered_parcel()
    journey_to(post_sandbox, parcel, days=1)
    assert (parcel.status, parcel.order.status) == (ParcelStatus.IN_TRANSIT, OrderStatus.SHIPPED)
    post_sandbox.advance(days=3)
    sync_round(post_sandbox)
    parcel.refresh_from_db()
    parcel.order.refresh_from_db()
    assert parcel.status in (ParcelStatus.CUSTOMS, ParcelStatus.IN_TRANSIT)
    assert parcel.order.status == OrderStatus.SHIPPED
    post_sandbox.advance(days=10)
    sync_round(post_sandbox)
    parcel.refresh_from_db()
    parcel.order.refresh_from_db()
    assert (parcel.status, parcel.order.status) == (ParcelStatus.DELIVERED, OrderStatus.DELIVERED)
    assert parcel.delivered_at is not None


def test_customs_held_parcel_shows_customs_until_released(post_sandbox):
    parcel = registered_parcel()
    journey_to(post_sandbox, parcel, days=5, scenario="customs_held")
    assert parcel.status == ParcelStatus.CUSTOMS


def test_lost_parcel_is_final_and_leaves_the_order_to_support(post_sandbox):
    parcel = registered_parcel()
    journey_to(post_sandbox, parcel, days=20, scenario="lost")
    assert (parcel.status, parcel.order.status) == (ParcelStatus.LOST, OrderStatus.SHIPPED)


def test_prepaid_parcel_not_collected_marks_the_order_returned(post_sandbox):
    parcel = registered_parcel()
    journey_to(post_sandbox, parcel, days=60, scenario="returned")
    assert parcel.status == ParcelStatus.RETURNED
    assert parcel.order.status == OrderStatus.RETURNED


def test_cod_parcel_delivered_tells_payments_the_money_was_collected(post_sandbox):
    parcel = registered_parcel(cod=True)
    journey_to(post_sandbox, parcel, days=20)
    assert parcel.status == ParcelStatus.DELIVERED
    run_outbox_jobs()
    payment = parcel.order.payments.get()
    assert payment.status == PaymentStatus.COLLECTED
    assert payment.cod_collections.get().collected_amount == parcel.cod_amount


def test_cod_parcel_refused_tells_payments_and_the_order_is_returned(post_sandbox):
    parcel = registered_parcel(cod=True)
    journey_to(post_sandbox, parcel, days=20, scenario="cod_refused")
    assert parcel.status in (ParcelStatus.RETURNING, ParcelStatus.RETURNED)
    run_outbox_jobs()
    parcel.order.refresh_from_db()
    assert parcel.order.payments.get().status == PaymentStatus.UNCOLLECTED
    assert parcel.order.status == OrderStatus.RETURNED


@pytest.mark.django_db(transaction=True)
def test_answers_are_stored_by_several_workers_at_once_without_losing_any(post_sandbox, settings):
    settings.STORE_POST_TICKET_SIZE = 2
    settings.STORE_POST_SYNC_WORKERS = 3
    parcels = [registered_parcel() for _ in range(7)]
    for parcel in parcels:
        post_sandbox.parcel(parcel.tracking_number, scenario="normal", kind="china")
    post_sandbox.advance(days=3)
    report = sync_round(post_sandbox)
    assert (report.tickets_answered, report.paused) == (4, "")
    for parcel in parcels:
        assert TrackingEvent.objects.filter(parcel=parcel).count() == len(
            post_sandbox.operations(parcel.tracking_number)
        )
