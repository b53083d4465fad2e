import re

import pytest

from storefront.accounts.services import login_code_send
from storefront.notifications.backends import MemorySmsBackend

PHONE = "+79161234567"
IP = "203.0.113.7"


class FailingSmsBackend:
    """An SMS gateway that is down (the gateway is outside the project)."""

    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway unavailable")


def code_from_sms(text: str) -> str:
    return re.search(r"\b\d{6}\b", text).group()


@pytest.fixture
def sms_outbox():
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def no_cooldown(settings):
    settings.STORE_OTP_RESEND_SECONDS = 0


@pytest.fixture
def send_code(sms_outbox, django_capture_on_commit_callbacks):
    """Send a code through the service and return the raw code read from the SMS."""

    def send(phone: str = PHONE, ip: str = IP) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            login_code_send(phone=phone, ip=ip)
        return code_from_sms(sms_outbox[-1][1])

    return send
