"""Support finds a parcel's raw partner events and the sync's tickets in the admin, read-only."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from logistics.postal.parsing import PartnerEvent
from logistics.postal.services import tracking_history_ingest
from tests.accounts.factories import UserFactory

from .factories import registered_parcel

pytestmark = pytest.mark.django_db


@pytest.fixture
def support_client(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="support"))
    client.force_login(user)
    return client


def test_support_finds_the_raw_events_of_a_parcel_by_tracking_number(support_client):
    parcel, other = registered_parcel(), registered_parcel()
    when = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    for p in (parcel, other):
        tracking_history_ingest(parcel=p, events=[PartnerEvent(p.tracking_number, 1, 1, "Приём", when, "", {})])
    response = support_client.get("/admin/postal/trackingevent/", {"q": parcel.tracking_number})
    assert response.status_code == 200
    assert [e.parcel_id for e in response.context["cl"].result_list] == [parcel.pk]


def test_support_sees_tickets_but_cannot_change_them(support_client):
    assert support_client.get("/admin/postal/trackingticket/").status_code == 200
    assert support_client.get("/admin/postal/trackingticket/add/").status_code == 403
