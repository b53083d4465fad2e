"""Notification kinds: what each is for (its category), which channels it has templates for.

A new kind = an entry here + templates notifications/<kind>.<channel>.txt (and <kind>.subject.txt for email),
Russian msgids, English in this app's locale/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .exceptions import MissingContext, UnknownKind


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Эл. почта")


class Category(models.TextChoices):
    TRANSACTIONAL = "transactional", _("Обязательные")  # login codes: the shopper cannot turn these off
    SERVICE = "service", _("О заказах и доставке")
    MARKETING = "marketing", _("Акции и новинки")


# What a shopper may switch, and the default when they never did: advertising needs prior consent (38-ФЗ).
OPTIONAL_CATEGORIES = {Category.SERVICE: True, Category.MARKETING: False}
_SECRET = re.compile(r"\d{4,}")


@dataclass(frozen=True)
class Kind:
    code: str
    category: Category
    channels: tuple[Channel, ...]
    context: tuple[str, ...]  # what the templates need: a missing value fails loudly instead of an empty gap
    secret: bool = False  # the text holds a secret (a login code): masked once sent and in the admin


BOTH = (Channel.SMS, Channel.EMAIL)
KINDS = {
    kind.code: kind
    for kind in (
        Kind("login_code", Category.TRANSACTIONAL, (Channel.SMS,), ("code",), secret=True),
        Kind("order_placed", Category.SERVICE, BOTH, ("number", "total", "link")),
        Kind("payment_reminder", Category.SERVICE, BOTH, ("number", "total", "link", "deadline")),
        Kind("order_shipped", Category.SERVICE, BOTH, ("number", "tracking", "link")),
        Kind("order_ready_for_pickup", Category.SERVICE, BOTH, ("number", "office", "tracking")),
        Kind("refund_issued", Category.SERVICE, BOTH, ("number", "amount")),
        Kind("order_cancelled_refund", Category.SERVICE, BOTH, ("number", "amount", "link")),
        # parcel steps from the tracking sync (logistics/postal/notify.py), each once per parcel
        Kind("parcel_shipped", Category.SERVICE, BOTH, ("number", "tracking", "link")),
        Kind("parcel_customs_cleared", Category.SERVICE, BOTH, ("number", "tracking", "link")),
        Kind("parcel_arrived", Category.SERVICE, BOTH, ("number", "tracking", "office", "deadline", "link")),
        Kind("parcel_storage_reminder", Category.SERVICE, BOTH, ("number", "tracking", "office", "deadline", "link")),
        Kind("parcel_delivered", Category.SERVICE, BOTH, ("number", "tracking", "link")),
        Kind("parcel_returned", Category.SERVICE, BOTH, ("number", "tracking", "link")),
        Kind("promo", Category.MARKETING, BOTH, ("title", "link")),  # email also shows an optional "body"
    )
}


def kind_get(code: str, channel: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None or channel not in kind.channels:
        raise UnknownKind(f"no notification kind {code!r} for channel {channel!r}")
    return kind


def kind_check_context(kind: Kind, context: dict) -> None:
    missing = [name for name in kind.context if context.get(name) in (None, "")]
    if missing:
        raise MissingContext(f"notification {kind.code!r} needs {', '.join(missing)} in its context")


def mask_secrets(text: str) -> str:
    return _SECRET.sub(lambda m: "•" * len(m.group()), text)
