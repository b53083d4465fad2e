"""Storing the partner's events: once each, in any order, unknown codes kept raw; parcels follow the latest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from logistics.models import ParcelStatus
from logistics.postal.models import TrackingEvent
from logistics.postal.parsing import PartnerEvent
from logistics.postal.services import tracking_history_ingest

from .factories import registered_parcel

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=MSK)


def event(parcel, oper_type: int, oper_attr: int, hours: float, index: str = "101000") -> PartnerEvent:
    return PartnerEvent(
        barcode=parcel.tracking_number,
        oper_type=oper_type,
        oper_attr=oper_attr,
        name="Обработка",
        occurred_at=T0 + timedelta(hours=hours),
        index=index,
        raw={"OperType": "Обработка"},
    )


def test_the_same_event_reported_twice_is_stored_once():
    parcel = registered_parcel()
    events = [event(parcel, 1, 1, 0), event(parcel, 8, 3, 10)]
    first = tracking_history_ingest(parcel=parcel, events=events)
    again = tracking_history_ingest(parcel=parcel, events=events)
    assert (first.events_stored, again.events_stored) == (2, 0)
    assert TrackingEvent.objects.filter(parcel=parcel).count() == 2


def test_older_events_arriving_late_do_not_move_the_parcel_back():
    parcel = registered_parcel()
    tracking_history_ingest(parcel=parcel, events=[event(parcel, 8, 2, 48)])
    tracking_history_ingest(parcel=parcel, events=[event(parcel, 1, 1, 0), event(parcel, 8, 3, 20)])
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.ARRIVED
    times = list(TrackingEvent.objects.filter(parcel=parcel).values_list("oper_type", flat=True))
    assert times == [1, 8, 8]  # stored in time order whatever the order of arrival


def test_unknown_operation_code_is_stored_raw_and_does_not_move_the_parcel():
    parcel = registered_parcel()
    tracking_history_ingest(parcel=parcel, events=[event(parcel, 1, 1, 0), event(parcel, 77, 1234, 5)])
    parcel.refresh_from_db()
    stored = TrackingEvent.objects.get(parcel=parcel, oper_type=77)
    assert (stored.oper_attr, stored.raw) == (1234, {"OperType": "Обработка"})
    assert parcel.status == ParcelStatus.IN_TRANSIT


def test_a_parcel_first_seen_on_its_way_back_walks_the_transition_table():
    parcel = registered_parcel()
    tracking_history_ingest(parcel=parcel, events=[event(parcel, 3, 1, 700)])
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.RETURNING
    # in the order they were recorded (their `at` is the event's time, which may precede the registration)
    moves = list(parcel.status_changes.order_by("id").values_list("from_status", "to_status"))
    assert moves[-2:] == [
        (ParcelStatus.REGISTERED, ParcelStatus.IN_TRANSIT),
        (ParcelStatus.IN_TRANSIT, ParcelStatus.RETURNING),
    ]


def test_arrival_sets_the_storage_deadline_from_the_office_local_date(settings):
    settings.STORE_POST_STORAGE_DAYS = 30
    parcel = registered_parcel(postcode="630090")
    # 20:30 Moscow on 2 Nov is already 3 Nov in Novosibirsk (UTC+7)
    late = PartnerEvent(parcel.tracking_number, 8, 2, "Обработка", T0.replace(hour=20, minute=30), "630090", {})
    tracking_history_ingest(parcel=parcel, events=[late])
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.ARRIVED
    assert parcel.storage_deadline == date(2026, 11, 3) + timedelta(days=30)


def test_a_final_parcel_is_not_moved_by_later_events():
    parcel = registered_parcel()
    tracking_history_ingest(parcel=parcel, events=[event(parcel, 2, 1, 100)])
    tracking_history_ingest(parcel=parcel, events=[event(parcel, 8, 3, 200)])  # a stray scan after delivery
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.DELIVERED


def test_scans_on_the_way_back_keep_the_parcel_returning():
    parcel = registered_parcel()
    back = [(8, 2, 100), (3, 1, 800), (8, 3, 820), (10, 0, 850), (8, 6, 860)]
    tracking_history_ingest(parcel=parcel, events=[event(parcel, t, a, h) for t, a, h in back])
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.RETURNING
