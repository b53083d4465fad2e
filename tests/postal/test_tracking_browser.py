"""A shopper opens the tracking page in a browser and sees the parcel's journey."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .factories import registered_parcel
from .helpers import journey_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_shopper_types_the_number_and_sees_the_timeline(page, live_server, post_sandbox):
    parcel = registered_parcel()
    journey_to(post_sandbox, parcel, days=7)
    page.goto(f"{live_server.url}/track/")
    page.get_by_label("Трек-номер").fill(parcel.tracking_number.lower())
    page.get_by_role("button", name="Отследить").click()
    expect(page).to_have_url(f"{live_server.url}/track/{parcel.tracking_number}/")
    expect(page.locator("#tracking-headline")).to_contain_text("Прибыла в отделение")
    expect(page.locator("#tracking-timeline li").first).to_contain_text("Прибыла в отделение")
    expect(page.locator("#tracking-timeline")).to_contain_text("Выпущена таможней")
    expect(page.locator(".tracking-progress [aria-current=step]")).to_have_text("В отделении")
