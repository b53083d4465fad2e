"""Login rate limits count the client's address: a forged X-Forwarded-For neither escapes them nor is recorded."""

import pytest

from storefront.accounts.models import LoginCode

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"
CLIENT = "198.51.100.7"


@pytest.fixture
def ask_code(client, sms_outbox, no_cooldown, django_capture_on_commit_callbacks):
    def ask(phone: str, *, forwarded_for: str, remote_addr: str = CLIENT):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(LOGIN, {"phone": phone}, REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)

    return ask


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_ip_limit(ask_code, settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 0
    settings.STORE_OTP_SEND_LIMIT_PER_IP = 1
    assert ask_code("+79160000001", forwarded_for="203.0.113.1").status_code == 302
    assert ask_code("+79160000002", forwarded_for="203.0.113.2").status_code == 429


def test_without_trusted_proxies_the_code_records_remote_addr(ask_code, settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 0
    ask_code("+79160000001", forwarded_for="203.0.113.1")
    assert LoginCode.objects.get().ip == CLIENT


def test_behind_our_proxy_the_code_records_the_forwarded_client(ask_code, settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 1
    ask_code("+79160000001", forwarded_for="192.0.2.66, 203.0.113.1", remote_addr="10.0.0.2")
    assert LoginCode.objects.get().ip == "203.0.113.1"


def test_behind_our_proxy_each_client_has_its_own_ip_limit(ask_code, settings):
    settings.STORE_TRUSTED_PROXY_HOPS = 1
    settings.STORE_OTP_SEND_LIMIT_PER_IP = 1
    assert ask_code("+79160000001", forwarded_for="203.0.113.1", remote_addr="10.0.0.2").status_code == 302
    assert ask_code("+79160000002", forwarded_for="203.0.113.2", remote_addr="10.0.0.2").status_code == 302
    assert ask_code("+79160000003", forwarded_for="203.0.113.1", remote_addr="10.0.0.2").status_code == 429
