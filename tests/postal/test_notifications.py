"""The shopper hears of each step that matters once per parcel, in Russian, by SMS and email."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import formats, translation

from logistics.postal.sync import parcels_storage_remind
from storefront.notifications.models import Notification

from .factories import registered_parcel
from .helpers import journey_to, sync_round

pytestmark = pytest.mark.django_db


def _kinds(parcel) -> Counter:
    return Counter(Notification.objects.filter(key__startswith=f"parcel:{parcel.pk}:").values_list("kind", flat=True))


def test_each_step_is_told_once_per_channel_however_often_the_sync_runs(post_sandbox):
    parcel = registered_parcel()
    journey_to(post_sandbox, parcel, days=1)
    for days in (1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1):  # daily, and sometimes twice a day
        post_sandbox.advance(days=days)
        sync_round(post_sandbox)
    assert _kinds(parcel) == {
        "parcel_shipped": 2,
        "parcel_customs_cleared": 2,
        "parcel_arrived": 2,
        "parcel_delivered": 2,
    }


def test_a_parcel_first_seen_delivered_gets_only_the_delivered_message(post_sandbox):
    parcel = registered_parcel()
    journey_to(post_sandbox, parcel, days=20)
    assert set(_kinds(parcel)) == {"parcel_delivered"}


def test_arrival_message_names_the_office_and_the_storage_deadline(post_sandbox):
    parcel = registered_parcel(postcode="630090")
    journey_to(post_sandbox, parcel, days=12, scenario="returned")
    sms = Notification.objects.get(kind="parcel_arrived", channel="sms")
    with translation.override("ru"):
        deadline = formats.date_format(parcel.storage_deadline, "j E")  # "3 декабря"
    assert f"в отделении 630090, заберите до {deadline}" in sms.text


def test_returned_parcel_tells_the_shopper(post_sandbox):
    parcel = registered_parcel()
    journey_to(post_sandbox, parcel, days=45, scenario="returned")
    assert _kinds(parcel)["parcel_returned"] == 2


def test_storage_reminder_goes_once_per_deadline(post_sandbox, settings):
    settings.STORE_POST_REMINDER_DAYS = 5
    parcel = registered_parcel()
    journey_to(post_sandbox, parcel, days=12, scenario="returned")
    too_early = parcel.storage_deadline - timedelta(days=6)
    assert parcels_storage_remind(today=too_early) == 0
    in_window = parcel.storage_deadline - timedelta(days=4)
    assert parcels_storage_remind(today=in_window) == 1
    assert parcels_storage_remind(today=in_window + timedelta(days=1)) == 0
    assert _kinds(parcel)["parcel_storage_reminder"] == 2
