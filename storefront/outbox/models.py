"""The transactional outbox: jobs written in the caller's transaction, relayed to Celery after commit."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxJob(models.Model):
    task = models.CharField(_("задача"), max_length=200)
    args = models.JSONField(_("аргументы"), default=list, blank=True)
    kwargs = models.JSONField(_("именованные аргументы"), default=dict, blank=True)
    queue = models.CharField(_("очередь"), max_length=50, blank=True, help_text=_("Пусто — по маршрутам Celery"))
    key = models.CharField(_("ключ"), max_length=200, unique=True, help_text=_("Один ключ — одно задание"))
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    available_at = models.DateTimeField(_("не раньше"), default=timezone.now)
    relayed_at = models.DateTimeField(_("передано в Celery"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("попыток передачи"), default=0)
    last_error = models.TextField(_("последняя ошибка"), blank=True)

    class Meta:
        verbose_name = _("задание outbox")
        verbose_name_plural = _("задания outbox")
        indexes = [
            # The relay and the health check only ever look at pending rows: keep that index tiny.
            models.Index(fields=["available_at", "id"], condition=Q(relayed_at__isnull=True), name="outbox_pending"),
            models.Index(fields=["relayed_at"], condition=Q(relayed_at__isnull=False), name="outbox_relayed"),
        ]

    def __str__(self) -> str:
        return f"{self.task} [{self.key}]"


class JobExecution(models.Model):
    """A job (by its Celery task id, which the relay sets to the outbox key) whose effect has committed."""

    key = models.CharField(_("ключ"), max_length=200, unique=True)
    task = models.CharField(_("задача"), max_length=200)
    finished_at = models.DateTimeField(_("выполнено"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("выполненное задание")
        verbose_name_plural = _("выполненные задания")

    def __str__(self) -> str:
        return f"{self.task} [{self.key}]"
