import pytest

from storefront.accounts.models import LoginCode, User

from .conftest import PHONE, code_from_sms
from .factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"
CODE = "/account/login/code/"


@pytest.fixture
def ask_code(client, sms_outbox, django_capture_on_commit_callbacks):
    """Post step 1 like a browser without JavaScript; return the response."""

    def ask(phone: str = "+7 916 123-45-67", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(LOGIN, {"phone": phone, "next": extra.pop("next", "")}, **extra)

    return ask


def test_login_page_asks_for_the_phone(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'inputmode="tel"' in response.text


def test_phone_step_sends_a_code_and_moves_to_the_code_step(client, ask_code, sms_outbox):
    response = ask_code("8 (916) 123-45-67", next="/orders/")
    assert response.status_code == 302
    assert response["Location"] == f"{CODE}?next=%2Forders%2F"
    assert sms_outbox[0][0] == PHONE
    page = client.get(response["Location"])
    assert 'autocomplete="one-time-code"' in page.text
    assert "+7 916 123-45-67" in page.text


def test_login_creates_the_user_and_redirects_to_next(client, ask_code, sms_outbox):
    ask_code(next="/orders/")
    response = client.post(CODE, {"code": code_from_sms(sms_outbox[0][1]), "next": "/orders/"})
    assert response.status_code == 302
    assert response["Location"] == "/orders/"
    assert client.session["_auth_user_id"] == str(User.objects.get(phone=PHONE).pk)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_login_ignores_a_next_pointing_off_site(client, ask_code, sms_outbox, next_url):
    ask_code()
    response = client.post(CODE, {"code": code_from_sms(sms_outbox[0][1]), "next": next_url})
    assert response["Location"] == "/"


def test_header_shows_logout_after_login(client, ask_code, sms_outbox):
    ask_code()
    client.post(CODE, {"code": code_from_sms(sms_outbox[0][1])})
    assert "Выйти" in client.get("/").text


def test_sms_gateway_failure_still_shows_the_code_step(client, ask_code, settings):
    settings.STORE_SMS_BACKEND = "tests.accounts.conftest.FailingSmsBackend"
    response = ask_code()
    assert response.status_code == 302
    assert LoginCode.objects.filter(phone=PHONE).exists()


def test_malformed_phone_shows_the_message_and_writes_nothing(client, ask_code, sms_outbox):
    response = ask_code("12345")
    assert response.status_code == 400
    assert "Введите номер телефона полностью" in response.text
    assert not LoginCode.objects.exists()
    assert sms_outbox == []


def test_malformed_code_writes_nothing(client, ask_code):
    ask_code()
    response = client.post(CODE, {"code": "12ab"})
    assert response.status_code == 400
    assert "Введите 6 цифр из SMS" in response.text
    assert LoginCode.objects.get().attempts == 0
    assert not User.objects.exists()


def test_wrong_code_says_how_many_tries_remain(client, ask_code, sms_outbox, settings):
    ask_code()
    code = code_from_sms(sms_outbox[0][1])
    response = client.post(CODE, {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert response.status_code == 400
    assert f"Осталось попыток: {settings.STORE_OTP_MAX_ATTEMPTS - 1}" in response.text
    assert "_auth_user_id" not in client.session


def test_used_code_is_refused_on_the_page(client, ask_code, sms_outbox):
    ask_code()
    code = code_from_sms(sms_outbox[0][1])
    client.post(CODE, {"code": code})
    client.post("/account/logout/")
    client.post(LOGIN, {"phone": PHONE}, follow=False)  # within the cooldown: stays on the code step
    response = client.post(CODE, {"code": code})
    assert "Этот код уже использован" in response.text


def test_send_limit_per_phone_shows_the_message(client, ask_code, settings, no_cooldown):
    settings.STORE_OTP_SEND_LIMIT_PER_PHONE = 1
    ask_code()
    client.cookies.clear()  # a fresh browser: back on the phone step
    response = ask_code()
    assert response.status_code == 429
    assert "На этот номер отправлено слишком много кодов" in response.text
    assert 'name="phone"' in response.text


def test_send_limit_per_ip_shows_the_message(client, ask_code, settings):
    settings.STORE_OTP_SEND_LIMIT_PER_IP = 1
    ask_code("+79160000001")
    response = ask_code("+79160000002")
    assert response.status_code == 429
    assert "Слишком много запросов кода с вашего адреса" in response.text
    assert LoginCode.objects.count() == 1


def test_resend_within_cooldown_stays_on_the_code_step_with_the_wait(client, ask_code):
    ask_code()
    response = ask_code()
    assert response.status_code == 429
    assert "Отправить код ещё раз можно через" in response.text
    assert 'name="code"' in response.text
    assert LoginCode.objects.count() == 1


def test_resend_link_appears_after_the_cooldown(client, ask_code, settings):
    settings.STORE_OTP_RESEND_SECONDS = 0
    ask_code()
    response = client.get("/account/login/resend/")
    assert "Отправить ещё раз" in response.text


def test_code_step_without_a_sent_code_goes_back_to_the_phone_step(client):
    response = client.get(CODE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_htmx_phone_step_returns_the_code_step_partial(ask_code):
    response = ask_code(HTTP_HX_REQUEST="true", next="/orders/")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'name="code"' in response.text
    assert response["HX-Push-Url"] == f"{CODE}?next=%2Forders%2F"


def test_htmx_errors_come_back_as_swappable_partials(client, ask_code):
    response = ask_code("12345", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Введите номер телефона полностью" in response.text


def test_htmx_login_redirects_the_browser(client, ask_code, sms_outbox):
    ask_code()
    response = client.post(CODE, {"code": code_from_sms(sms_outbox[0][1]), "next": "/cart/"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == "/cart/"


def test_disabled_user_sees_the_message(client, ask_code, sms_outbox):
    UserFactory(phone=PHONE, is_active=False)
    ask_code()
    response = client.post(CODE, {"code": code_from_sms(sms_outbox[0][1])})
    assert "Вход с этим номером недоступен" in response.text
    assert "_auth_user_id" not in client.session
