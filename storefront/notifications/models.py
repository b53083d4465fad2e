"""A record of every notification, and each customer's choices of what to receive."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import Category, Channel


class Status(models.TextChoices):
    QUEUED = "queued", _("в очереди")
    SENT = "sent", _("отправлено")
    FAILED = "failed", _("не отправлено")
    SKIPPED_OPT_OUT = "skipped_opt_out", _("отписан")


# Created as queued, skipped (opt-out) or failed (no address); only a queued one moves on.
ALLOWED_TRANSITIONS = {Status.QUEUED: {Status.SENT, Status.FAILED}}


class Notification(models.Model):
    key = models.CharField(_("ключ"), max_length=200, unique=True, help_text=_("Один ключ — одно сообщение"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("покупатель"), null=True, blank=True, on_delete=models.SET_NULL
    )
    phone = models.CharField(_("телефон"), max_length=16, blank=True)
    email = models.EmailField(_("эл. почта"), blank=True)
    channel = models.CharField(_("канал"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("вид"), max_length=50)
    language = models.CharField(_("язык"), max_length=5)
    subject = models.CharField(_("тема"), max_length=200, blank=True)
    text = models.TextField(_("текст"))
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("ошибка"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    created_at = models.DateTimeField(_("создано"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        indexes = [
            models.Index(fields=["phone", "-created_at"], name="notification_phone"),
            models.Index(fields=["email", "-created_at"], name="notification_email"),
            models.Index(fields=["status", "-created_at"], name="notification_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=Status.SENT) | Q(sent_at__isnull=False), name="notification_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"

    @property
    def recipient(self) -> str:
        return self.phone if self.channel == Channel.SMS else self.email


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("покупатель"), on_delete=models.CASCADE)
    channel = models.CharField(_("канал"), max_length=10, choices=Channel.choices)
    category = models.CharField(
        _("категория"),
        max_length=20,
        choices=[(c.value, c.label) for c in (Category.SERVICE, Category.MARKETING)],
    )
    enabled = models.BooleanField(_("получать"))
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("настройка уведомлений")
        verbose_name_plural = _("настройки уведомлений")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel", "category"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.channel}/{self.category}={'on' if self.enabled else 'off'}"
