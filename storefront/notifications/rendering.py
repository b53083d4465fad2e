"""Plain-text templates per kind and channel, rendered in the recipient's language."""

import datetime
from functools import cache

from django.conf import settings
from django.template import Context, Engine
from django.template.backends.django import get_installed_libraries
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from .kinds import Channel, Kind


@cache
def _engine() -> Engine:
    # SMS and email bodies are plain text: no HTML escaping of "&" or quotes in product names.
    return Engine(app_dirs=True, autoescape=False, libraries=get_installed_libraries())


def _localized(value):
    """Dates and times as the recipient reads them: "14 декабря, 18:00" / "14 December, 18:00" (Moscow time)."""
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j E, H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j E")
    return value


def _render(name: str, context: dict) -> str:
    return _engine().get_template(f"notifications/{name}.txt").render(Context(context)).strip()


def notification_render(*, kind: Kind, channel: str, language: str, context: dict) -> tuple[str, str]:
    """(subject, text); the subject is empty for SMS. Pass dates as date/datetime: they are formatted here."""
    base = settings.STORE_BASE_URL.rstrip("/")
    full = {"site": settings.STORE_SITE_NAME, "preferences_url": base + reverse("accounts:notifications"), **context}
    with translation.override(language):
        full = {name: _localized(value) for name, value in full.items()}
        text = _render(f"{kind.code}.{channel}", full)
        subject = _render(f"{kind.code}.subject", full) if channel == Channel.EMAIL else ""
    return subject, text
