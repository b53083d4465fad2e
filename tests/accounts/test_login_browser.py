import pytest
from playwright.sync_api import expect

from .conftest import code_from_sms


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_shopper_logs_in_with_the_code_from_the_sms(page, live_server, sms_outbox):
    page.goto(f"{live_server.url}/account/login/?next=/")
    page.get_by_label("Номер телефона").fill("8 916 123-45-67")
    page.get_by_role("button", name="Получить код").click()

    code_input = page.get_by_label("Код из SMS")
    expect(code_input).to_be_focused()  # htmx swapped step 2 in
    code_input.fill(code_from_sms(sms_outbox[-1][1]))
    page.get_by_role("button", name="Войти", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    expect(page.get_by_role("link", name="Заказы")).to_be_visible()
