"""Ops register a selection of packed parcels with the post from the parcel list (what beat does, at once)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from logistics.models import ParcelStatus
from logistics.services import dispatch_create, dispatch_hand_over
from logistics.tracking_numbers import is_valid
from tests.accounts.factories import UserFactory
from tests.logistics.factories import ParcelFactory

from .factories import packed_order, registered_parcel

pytestmark = pytest.mark.django_db
PARCELS = "/admin/logistics/parcel/"


def _staff(client, group: str) -> None:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)


def _register(client, parcels):
    data = {"action": "register_with_post", "_selected_action": [p.pk for p in parcels]}
    return client.post(PARCELS, data, follow=True)


def test_ops_register_packed_parcels_then_hand_their_dispatch_over(client, post_sandbox):
    _staff(client, "ops")
    packed = [ParcelFactory(order=packed_order()), ParcelFactory(order=packed_order())]
    not_packed = ParcelFactory()
    dispatch = dispatch_create(parcel_ids=[p.pk for p in packed], actor="system")
    response = _register(client, [*packed, not_packed])
    assert "Зарегистрировано посылок: 2" in response.content.decode()
    for parcel in packed:
        parcel.refresh_from_db()
        assert parcel.status == ParcelStatus.REGISTERED and is_valid(parcel.tracking_number)
    not_packed.refresh_from_db()
    assert (not_packed.status, not_packed.tracking_number) == (ParcelStatus.CREATED, "")
    assert dispatch_hand_over(dispatch=dispatch, actor="system").handed_over_at is not None


def test_support_cannot_register_parcels(client, post_sandbox):
    _staff(client, "support")
    parcel = ParcelFactory(order=packed_order())
    _register(client, [parcel])
    parcel.refresh_from_db()
    assert parcel.tracking_number == ""


def test_a_partner_outage_stops_the_action_with_a_message(client, post_sandbox, settings):
    settings.STORE_POST_RETRIES = 0
    _staff(client, "ops")
    parcel = ParcelFactory(order=packed_order())
    post_sandbox.fault("http_503", service="otpravka", times=10)
    response = _register(client, [parcel])
    page = response.content.decode()
    assert "Зарегистрировано посылок: 0" in page
    assert f"{parcel.reference}: почта сейчас недоступна" in page
    assert "PartnerUnavailable" not in page and "HTTP 503" not in page  # the technical details go to the log
    parcel.refresh_from_db()
    assert parcel.tracking_number == ""


def test_support_refreshing_a_parcel_while_the_post_is_down_gets_a_plain_message(client, post_sandbox, settings):
    settings.STORE_POST_RETRIES = 0
    _staff(client, "support")
    parcel = registered_parcel()
    post_sandbox.fault("http_503", service="single", times=10)
    data = {"action": "refresh_from_post", "_selected_action": [parcel.pk]}
    page = client.post(PARCELS, data, follow=True).content.decode()
    assert "почта сейчас недоступна; попробуйте позже." in page
    assert "Обновлено посылок: 0" in page
    assert "PartnerUnavailable" not in page and "HTTP 503" not in page
