import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from logistics.exceptions import InvalidParcelTransition, TrackingNumberTaken
from logistics.models import ParcelStatus, ParcelStatusChange
from logistics.services import parcel_status_change, parcel_tracking_number_set

from .factories import ParcelFactory

pytestmark = pytest.mark.django_db


def test_status_change_writes_a_history_row_with_actor_and_reason():
    parcel = ParcelFactory(status=ParcelStatus.REGISTERED)
    parcel_status_change(parcel=parcel, to=ParcelStatus.IN_TRANSIT, actor="postal", reason="8.1")
    row = ParcelStatusChange.objects.get(parcel=parcel)
    assert (row.from_status, row.to_status, row.actor_label, row.reason) == (
        "registered",
        "in_transit",
        "postal",
        "8.1",
    )
    parcel.refresh_from_db()
    assert parcel.status == ParcelStatus.IN_TRANSIT


def test_disallowed_transition_raises_and_writes_nothing():
    parcel = ParcelFactory(status=ParcelStatus.DELIVERED)
    with pytest.raises(InvalidParcelTransition):
        parcel_status_change(parcel=parcel, to=ParcelStatus.IN_TRANSIT, actor="system")
    assert not ParcelStatusChange.objects.filter(parcel=parcel).exists()


def test_same_status_again_is_a_no_op_without_history():
    parcel = ParcelFactory(status=ParcelStatus.IN_TRANSIT)
    parcel_status_change(parcel=parcel, to=ParcelStatus.IN_TRANSIT, actor="postal")
    assert not ParcelStatusChange.objects.filter(parcel=parcel).exists()


def test_delivered_records_the_event_time():
    parcel = ParcelFactory(status=ParcelStatus.ARRIVED)
    at = timezone.now() - datetime.timedelta(days=2)
    parcel_status_change(parcel=parcel, to=ParcelStatus.DELIVERED, actor="postal", at=at)
    parcel.refresh_from_db()
    assert parcel.delivered_at == at


def test_arrival_keeps_the_storage_deadline():
    parcel = ParcelFactory(status=ParcelStatus.IN_TRANSIT)
    deadline = datetime.date(2026, 12, 3)
    parcel_status_change(parcel=parcel, to=ParcelStatus.ARRIVED, actor="postal", storage_deadline=deadline)
    parcel.refresh_from_db()
    assert parcel.storage_deadline == deadline


def test_tracking_number_set_registers_a_created_parcel():
    parcel = ParcelFactory()
    parcel_tracking_number_set(parcel=parcel, tracking_number="ra123456785cn", actor="postal")
    parcel.refresh_from_db()
    assert (parcel.tracking_number, parcel.status) == ("RA123456785CN", ParcelStatus.REGISTERED)


def test_tracking_number_with_bad_check_digit_is_refused():
    parcel = ParcelFactory()
    with pytest.raises(ValidationError):
        parcel_tracking_number_set(parcel=parcel, tracking_number="RA123456788RU", actor="postal")


def test_tracking_number_of_another_parcel_is_refused():
    ParcelFactory(tracking_number="RA123456785CN", status=ParcelStatus.REGISTERED)
    parcel = ParcelFactory()
    with pytest.raises(TrackingNumberTaken):
        parcel_tracking_number_set(parcel=parcel, tracking_number="RA123456785CN", actor="postal")
