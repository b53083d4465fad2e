"""Plain-text templates per kind and channel, rendered in the recipient's language."""

from functools import cache

from django.conf import settings
from django.template import Context, Engine
from django.template.backends.django import get_installed_libraries
from django.urls import reverse
from django.utils import translation

from .kinds import Channel, Kind


@cache
def _engine() -> Engine:
    # SMS and email bodies are plain text: no HTML escaping of "&" or quotes in product names.
    return Engine(app_dirs=True, autoescape=False, libraries=get_installed_libraries())


def _render(name: str, context: dict) -> str:
    return _engine().get_template(f"notifications/{name}.txt").render(Context(context)).strip()


def notification_render(*, kind: Kind, channel: str, language: str, context: dict) -> tuple[str, str]:
    """(subject, text); the subject is empty for SMS."""
    base = settings.STORE_BASE_URL.rstrip("/")
    full = {"site": settings.STORE_SITE_NAME, "preferences_url": base + reverse("accounts:notifications"), **context}
    with translation.override(language):
        text = _render(f"{kind.code}.{channel}", full)
        subject = _render(f"{kind.code}.subject", full) if channel == Channel.EMAIL else ""
    return subject, text
