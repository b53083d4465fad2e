import pytest

from storefront.notifications.backends import MemorySmsBackend
from tests.accounts.factories import UserFactory
from tests.workers import broker, relay_app  # noqa: F401 - fixtures


class BrokenSmsBackend:
    """The SMS gateway is outside the project: this stands for it being down."""

    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway timeout")


@pytest.fixture
def sms_outbox():
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def customer():
    return UserFactory(email="anna@example.ru")


@pytest.fixture
def english_customer():
    return UserFactory(email="jane@example.com", language="en")
