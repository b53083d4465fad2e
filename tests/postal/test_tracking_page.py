"""The tracking page: the journey in Russian, clear answers for mistyped and unknown numbers, htmx refresh."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from logistics.postal.notify import tracking_link
from logistics.postal.parsing import PartnerEvent
from logistics.postal.services import tracking_history_ingest
from logistics.tracking_numbers import s10_make

from .factories import registered_parcel

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
CHINA_TO_OFFICE = [
    (1, 1, 0, ""), (10, 0, 30, ""), (8, 13, 80, "102976"), (11, 0, 85, "102976"), (14, 1, 100, "102976"),
    (8, 3, 110, "140980"), (8, 2, 150, "101000"),
]  # fmt: skip


def _events(parcel, rows):
    return [
        PartnerEvent(parcel.tracking_number, t, a, "Обработка", T0 + timedelta(hours=h), index, {"CountryOper": "CN"})
        for t, a, h, index in rows
    ]


@pytest.fixture
def parcel_at_office():
    parcel = registered_parcel()
    tracking_history_ingest(parcel=parcel, events=_events(parcel, CHINA_TO_OFFICE))
    parcel.refresh_from_db()
    return parcel


def test_page_shows_the_journey_from_china_to_the_office_in_russian(client, parcel_at_office):
    html = client.get(f"/track/{parcel_at_office.tracking_number}/").content.decode()
    for text in ("Склад в Китае", "Экспорт и перелёт", "Таможня", "Выпущена таможней", "Прибыла в сортировочный центр"):
        assert text in html
    assert "Прибыла в отделение 101000 — заберите до" in html


def test_page_refreshes_itself_every_minute_while_the_parcel_travels(client, parcel_at_office):
    html = client.get(f"/track/{parcel_at_office.tracking_number}/").content.decode()
    assert 'hx-trigger="every 60s"' in html


def test_htmx_refresh_gets_only_the_timeline(client, parcel_at_office):
    response = client.get(f"/track/{parcel_at_office.tracking_number}/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<section id="tracking"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_new_events_show_at_once_despite_the_cache(client, parcel_at_office, django_capture_on_commit_callbacks):
    url = f"/track/{parcel_at_office.tracking_number}/"
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        tracking_history_ingest(parcel=parcel_at_office, events=_events(parcel_at_office, [(2, 1, 170, "101000")]))
    html = client.get(url).content.decode()
    assert "Вручена 9 ноября" in html
    assert 'hx-trigger="every' not in html  # a delivered parcel has nothing more to wait for


def test_a_mistyped_number_gets_a_clear_message(client):
    response = client.get("/track/", {"number": "RA123456789CN"})  # wrong check digit
    html = response.content.decode()
    assert "не сходится контрольная цифра" in html


def test_a_number_in_the_wrong_shape_gets_the_expected_format(client):
    html = client.get("/track/", {"number": "12345"}).content.decode()
    assert "14 цифр" in html and "RA123456785CN" in html


def test_the_form_takes_the_shopper_to_the_page_of_the_number(client):
    response = client.get("/track/", {"number": " ra 123456785 cn "})
    assert response.status_code == 302
    assert response["Location"] == "/track/RA123456785CN/"


def test_a_valid_number_we_do_not_know_gets_a_friendly_not_found_yet_page(client):
    response = client.get(f"/track/{s10_make(serial=55555555, country='CN')}/")
    assert response.status_code == 404
    assert "пока не найдена" in response.content.decode()


def test_a_mistyped_number_in_the_address_gets_the_form_with_the_message(client):
    response = client.get("/track/RA123456789CN/")
    assert response.status_code == 400
    assert "не сходится контрольная цифра" in response.content.decode()


@pytest.mark.parametrize("number", ["-", "...", "%20%20"])
def test_an_address_with_no_number_left_after_cleaning_goes_to_the_form(client, number):
    response = client.get(f"/track/{number}/")

    assert response.status_code == 302
    assert response["Location"] == reverse("postal:track_form")


def test_an_unknown_operation_is_shown_with_the_partner_wording(client):
    parcel = registered_parcel()
    tracking_history_ingest(
        parcel=parcel,
        events=[PartnerEvent(parcel.tracking_number, 77, 3, "Новая операция почты", T0, "101000", {})],
    )
    html = client.get(f"/track/{parcel.tracking_number}/").content.decode()
    assert "Обработка на почте" in html and "Новая операция почты" in html


def test_page_for_a_visitor_with_a_session_is_served_around_the_cached_timeline(client, parcel_at_office):
    client.cookies["sessionid"] = "nonexistent-session"
    html = client.get(f"/track/{parcel_at_office.tracking_number}/").content.decode()
    assert "Прибыла в отделение 101000" in html and "<html" in html


def test_notifications_link_to_the_tracking_page():
    assert tracking_link("RA123456785CN").endswith(reverse("postal:track", kwargs={"number": "RA123456785CN"}))


def _timeline(html: str) -> str:
    return html.split('id="tracking-timeline"')[1].split("</ol>", maxsplit=1)[0]


def test_event_places_are_named_office_then_region_then_postcode(client):
    parcel = registered_parcel()
    rows = [(8, 2, 10, "130123"), (8, 3, 20, "140980"), (8, 2, 30, "101000")]  # no region 130; a sorting centre
    tracking_history_ingest(parcel=parcel, events=_events(parcel, rows))

    events = _timeline(client.get(f"/track/{parcel.tracking_number}/").content.decode()).split("<li")[1:]

    assert "Москва, Отделение связи 101000" in events[0]  # our pickup point: its name and city
    assert "Московская область" in events[1] and "140980" not in events[1]  # not an office: the region by prefix
    assert "130123" in events[2]  # a prefix the region table lacks: the postcode as it came


def test_partner_place_name_is_kept_where_the_postcode_is_not_our_office(client):
    parcel = registered_parcel()
    event = PartnerEvent(
        parcel.tracking_number, 8, 3, "Обработка", T0, "140980", {"Description": "Московский АСЦ Цех Логистики"}
    )
    tracking_history_ingest(parcel=parcel, events=[event])

    assert "Московский АСЦ Цех Логистики" in _timeline(client.get(f"/track/{parcel.tracking_number}/").content.decode())


def test_places_of_many_events_are_named_in_one_query(django_assert_num_queries):
    from logistics.postal.selectors import parcel_tracking_get

    parcel = registered_parcel()
    tracking_history_ingest(parcel=parcel, events=_events(parcel, CHINA_TO_OFFICE))

    with django_assert_num_queries(3):  # the parcel, its events, the places of all of them
        tracking = parcel_tracking_get(number=parcel.tracking_number)

    assert [e.place for e in tracking.timeline][:3] == [
        "Москва, Отделение связи 101000",
        "Московская область",
        "Москва",
    ]
