import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from logistics.models import DispatchCutoff, ParcelStatus, PromiseRule
from logistics.promise import delivery_promise, dispatch_date_get
from tests.accounts.factories import UserFactory

from .factories import ParcelFactory

pytestmark = pytest.mark.django_db
PARCELS = "/admin/logistics/parcel/"


def staff(client, group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


def _found(client, query: str) -> set[str]:
    response = client.get(PARCELS, {"q": query})
    assert response.status_code == 200
    return {p.reference for p in response.context["cl"].result_list}


def test_support_finds_a_parcel_by_tracking_number_or_order_number(client):
    parcel = ParcelFactory(tracking_number="RA123456785CN", status=ParcelStatus.REGISTERED)
    ParcelFactory()
    staff(client, "support")
    assert _found(client, "RA123456785CN") == {parcel.reference}
    assert _found(client, parcel.order.number) == {parcel.reference}


def test_parcel_list_filters_by_status_and_origin(client):
    ParcelFactory(status=ParcelStatus.IN_TRANSIT, origin="EU")
    ParcelFactory(status=ParcelStatus.CREATED, origin="CN")
    staff(client, "support")
    response = client.get(PARCELS, {"status__exact": "in_transit", "origin__exact": "EU"})
    assert [p.origin for p in response.context["cl"].result_list] == ["EU"]


def test_parcel_page_shows_history_and_no_add_button(client):
    parcel = ParcelFactory()
    staff(client, "support")
    assert client.get(f"{PARCELS}{parcel.pk}/change/").status_code == 200
    assert client.get(f"{PARCELS}add/").status_code == 403


def test_ops_edit_a_promise_rule_and_the_promise_changes_at_once(client):
    staff(client, "ops")
    rule = PromiseRule.objects.get(origin="CN", is_central=True)
    delivery_promise(origin="CN", postcode="101000")  # cached
    response = client.post(
        f"/admin/logistics/promiserule/{rule.pk}/change/",
        {"origin": "CN", "subject": "", "federal_district": "", "part": "", "is_central": "true",
         "min_days": 6, "max_days": 9, "priority": 10, "is_active": "on", "note": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert delivery_promise(origin="CN", postcode="101000").max_days == 9


def test_ops_move_the_morning_cut_off_and_the_dispatch_day_changes_at_once(client):
    staff(client, "ops")
    cutoff = DispatchCutoff.objects.get(origin="RU", before=datetime.time(11, 0))
    at = datetime.datetime(2026, 11, 23, 11, 30, tzinfo=ZoneInfo("Europe/Moscow"))
    assert dispatch_date_get(origin="RU", at=at) == datetime.date(2026, 11, 24)  # after 11:00: tomorrow (cached)

    response = client.post(
        f"/admin/logistics/dispatchcutoff/{cutoff.pk}/change/",
        {"origin": "RU", "before": "12:00", "dispatch_days": 0, "is_active": "on"},
    )

    assert response.status_code == 302
    assert dispatch_date_get(origin="RU", at=at) == datetime.date(2026, 11, 23)  # before 12:00 now: the same day


def test_support_cannot_edit_rules(client):
    staff(client, "support")
    rule = PromiseRule.objects.first()
    assert client.get(f"/admin/logistics/promiserule/{rule.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/logistics/promiserule/{rule.pk}/change/", {"min_days": 1, "max_days": 2})
    assert response.status_code == 403


def test_region_table_and_customs_rules_pages_open(client):
    staff(client, "ops")
    assert "Москва" in client.get("/admin/logistics/region/?q=101").content.decode()
    html = client.get("/admin/logistics/customsrule/").content.decode()
    assert "Режим для товаров с иностранных площадок" in html
