"""SMS backends, chosen by settings.STORE_SMS_BACKEND; each has `send(phone, text)`."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    """Development: the SMS goes to the log."""

    def send(self, phone: str, text: str) -> None:
        logger.info("sms to %s: %s", phone, text)


class MemorySmsBackend:
    """Tests: messages are kept in the process-wide `outbox`, like Django's locmem email backend."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemorySmsBackend.outbox.append((phone, text))


def sms_backend():
    """The configured SMS backend (settings.STORE_SMS_BACKEND), read when a message goes out."""
    return import_string(settings.STORE_SMS_BACKEND)()
