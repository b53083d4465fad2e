import re

import pytest
from django.urls import reverse

from storefront.notifications.kinds import Category, Channel
from storefront.notifications.selectors import notification_preferences_get

pytestmark = pytest.mark.django_db
URL = "/account/notifications/"


def _ticked(page: str) -> set[str]:
    """Names of the checked boxes the customer can change."""
    return {m[1] for m in re.finditer(r'<input type="checkbox" name="(\w+)"[^>]*>', page, re.S) if " checked" in m[0]}


def test_the_preferences_page_sends_a_guest_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_preferences_page_shows_service_on_and_marketing_off_by_default(client, customer):
    client.force_login(customer)

    page = client.get(URL).content.decode()

    assert _ticked(page) == {"sms_service", "email_service"}


def test_unticking_a_box_opts_the_customer_out(client, customer):
    client.force_login(customer)

    response = client.post(URL, {"email_service": "on", "sms_marketing": "on"}, follow=True)

    assert "Настройки уведомлений сохранены." in response.content.decode()
    assert notification_preferences_get(user=customer) == {
        (Channel.SMS, Category.SERVICE): False,
        (Channel.SMS, Category.MARKETING): True,
        (Channel.EMAIL, Category.SERVICE): True,
        (Channel.EMAIL, Category.MARKETING): False,
    }
