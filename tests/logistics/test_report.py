import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from logistics.models import ParcelStatus
from logistics.report import delivery_report
from tests.accounts.factories import UserFactory

from .factories import ParcelFactory

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


def delivered(*, origin="CN", postcode="101000", promised_days_ago: int, delivered_days_ago: int):
    today = timezone.localdate()
    at = datetime.datetime.combine(today - datetime.timedelta(days=delivered_days_ago), datetime.time(14), MSK)
    return ParcelFactory(
        origin=origin,
        postcode=postcode,
        status=ParcelStatus.DELIVERED,
        promised_by=today - datetime.timedelta(days=promised_days_ago),
        delivered_at=at,
    )


@pytest.fixture
def parcels():
    delivered(promised_days_ago=5, delivered_days_ago=6)  # a day early
    delivered(promised_days_ago=5, delivered_days_ago=5)  # on the day
    delivered(promised_days_ago=5, delivered_days_ago=3)  # 2 days late
    delivered(promised_days_ago=9, delivered_days_ago=1)  # 8 days late
    delivered(postcode="630004", promised_days_ago=3, delivered_days_ago=3)
    delivered(origin="EU", postcode="190000", promised_days_ago=2, delivered_days_ago=1)
    ParcelFactory(status=ParcelStatus.IN_TRANSIT, promised_by=timezone.localdate())  # not delivered: left out


def _report(by="subject"):
    now = timezone.now()
    return delivery_report(since=now - datetime.timedelta(days=30), until=now, group_by=by)


def test_report_per_origin_and_region_with_share_median_and_p90(parcels):
    rows = {(r.origin, r.area, r.is_total): r for r in _report()}
    cn = rows[("CN", "", True)]
    assert (cn.parcels, cn.on_time) == (5, 3)
    moscow = rows[("CN", "Москва", False)]
    assert (moscow.parcels, moscow.on_time, moscow.on_time_share) == (4, 2, 0.5)
    assert moscow.median_late == 1.0  # late days 0, 0, 2, 8
    assert moscow.p90_late == pytest.approx(6.2)
    assert moscow.worst == 8
    assert rows[("EU", "Санкт-Петербург", False)].on_time == 0


def test_report_by_federal_district(parcels):
    areas = {(r.origin, r.area) for r in _report("district") if not r.is_total}
    assert ("CN", "Центральный") in areas and ("CN", "Сибирский") in areas


def test_delivery_report_command_prints_the_table(parcels, capsys):
    call_command("delivery_report", days=30)
    out = capsys.readouterr().out
    assert "Москва" in out and "50%" in out


def test_admin_report_page(parcels, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/logistics/parcel/report/?days=30")
    assert response.status_code == 200
    assert "Москва" in response.content.decode()


def test_days_late_count_by_the_moscow_date_of_delivery():
    promised = timezone.localdate() - datetime.timedelta(days=3)
    late_evening = datetime.datetime.combine(promised, datetime.time(23, 30), MSK)  # 20:30 UTC: on the day
    after_midnight = late_evening + datetime.timedelta(hours=1)  # 21:30 UTC the same UTC day: a day late
    for at in (late_evening, after_midnight):
        ParcelFactory(status=ParcelStatus.DELIVERED, promised_by=promised, delivered_at=at)
    total = next(r for r in _report() if r.is_total)
    assert (total.parcels, total.on_time, total.worst) == (2, 1, 1)


def test_origin_totals_and_the_window_of_the_report(parcels):
    delivered(promised_days_ago=40, delivered_days_ago=35)  # delivered before the 30-day window: left out
    totals = {r.origin: r for r in _report() if r.is_total}
    cn = totals["CN"]  # late days 0, 0, 2, 8 (Moscow) and 0 (Novosibirsk)
    assert (cn.parcels, cn.on_time, cn.median_late, cn.worst) == (5, 3, 0.0, 8)
    assert cn.p90_late == pytest.approx(5.6)  # between 2 and 8 at 0.9 × 4
    assert (totals["EU"].parcels, totals["EU"].on_time_share, totals["EU"].median_late) == (1, 0.0, 1.0)
