"""Sending notifications: a record per message, delivered by a Celery task through the outbox.

Locking policy: delivery locks its notification row (SKIP LOCKED) for the time of the send, so two
deliveries of one notification never both send; the row's status makes a later duplicate a no-op.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from storefront.outbox.services import outbox_enqueue

from .backends import sms_backend
from .exceptions import DeliveryFailed
from .kinds import Channel, kind_check_context, kind_get, mask_secrets
from .models import ALLOWED_TRANSITIONS, Notification, NotificationPreference, Status
from .rendering import notification_render
from .selectors import notification_allowed

logger = logging.getLogger(__name__)
DELIVER_TASK = "storefront.notifications.tasks.notification_deliver"


def _language(user, language: str | None) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    for candidate in (language, getattr(user, "language", None), translation.get_language()):
        if candidate and candidate[:2] in supported:
            return candidate[:2]
    return settings.LANGUAGE_CODE


def notification_send(
    *,
    key: str,
    kind: str,
    channel: str,
    to_user=None,
    phone: str | None = None,
    email: str | None = None,
    context: dict,
    language: str | None = None,
) -> Notification:
    """Record a notification and queue its delivery, both in the caller's transaction (or in one of its own).

    Idempotent by key: a second call with the same key returns the first record and sends nothing.
    An explicit phone/email wins over the user's, an explicit language (an order's: the one the shopper placed it in)
    over the user's profile and the active one. Opted-out or address-less ones are recorded, not sent.
    """
    spec = kind_get(kind, channel)
    kind_check_context(spec, context)
    with transaction.atomic():
        existing = Notification.objects.filter(key=key).first()
        if existing is not None:
            return existing
        language = _language(to_user, language)
        subject, text = notification_render(kind=spec, channel=channel, language=language, context=context)
        phone = phone or getattr(to_user, "phone", "") or ""
        email = email or getattr(to_user, "email", "") or ""
        status, error = Status.QUEUED, ""
        if not (phone if channel == Channel.SMS else email):
            status, error = Status.FAILED, f"no {'phone number' if channel == Channel.SMS else 'email address'}"
        elif not notification_allowed(user=to_user, kind=spec, channel=channel):
            status = Status.SKIPPED_OPT_OUT
        notification, created = Notification.objects.get_or_create(
            key=key,
            defaults={
                "user": to_user,
                "phone": phone if channel == Channel.SMS else "",
                "email": email if channel == Channel.EMAIL else "",
                "channel": channel,
                "kind": kind,
                "language": language,
                "subject": subject,
                "text": text,
                "status": status,
                "error": error,
            },
        )
        if created and status == Status.QUEUED:
            outbox_enqueue(
                task=DELIVER_TASK,
                kwargs={"notification_id": notification.id},
                key=f"notification:{notification.id}",
                queue="notifications",
            )
    return notification


def _transition(notification: Notification, to: Status) -> None:
    if to not in ALLOWED_TRANSITIONS.get(notification.status, set()):
        raise ValueError(f"notification {notification.id}: {notification.status} → {to} is not allowed")
    notification.status = to


def _send(notification: Notification) -> str:
    """Hand the message to the SMS gateway or mail server; the error text, or "" when it went out."""
    try:
        if notification.channel == Channel.SMS:
            sms_backend().send(notification.phone, notification.text)
        else:
            send_mail(notification.subject, notification.text, settings.DEFAULT_FROM_EMAIL, [notification.email])
    except Exception as exc:  # any gateway/SMTP failure: recorded on the row, retried by the task
        logger.warning("notification not delivered", extra={"notification": notification.id}, exc_info=True)
        return f"{type(exc).__name__}: {exc}"[:2000] or "unknown error"
    return ""


def notification_deliver(*, notification_id: int, last_try: bool = False) -> Notification | None:
    """Send a queued notification once. Returns None when there is nothing to do (sent, or being sent).

    A failed send records the error and raises DeliveryFailed for the task to retry; on the last try the
    notification is marked failed instead.
    """
    with transaction.atomic(durable=True):
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(id=notification_id, status=Status.QUEUED)
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        notification.error = _send(notification)
        if not notification.error:
            _transition(notification, Status.SENT)
            notification.sent_at = timezone.now()
            if kind_get(notification.kind, notification.channel).secret:
                notification.text = mask_secrets(notification.text)
        elif last_try:
            _transition(notification, Status.FAILED)
        notification.save(update_fields=["attempts", "error", "status", "sent_at", "text"])
    if notification.error and not last_try:
        raise DeliveryFailed(notification.error)
    return notification


def notification_preferences_update(*, user, actor, choices: dict[tuple[str, str], bool]) -> None:
    """Store a customer's choices: {(channel, category): enabled} for the switchable categories."""
    with transaction.atomic(durable=True):
        for (channel, category), enabled in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user, channel=channel, category=category, defaults={"enabled": enabled}
            )
    logger.info(
        "notification preferences changed",
        extra={"user": user.id, "actor": getattr(actor, "id", actor), "choices": repr(sorted(choices.items()))},
    )
