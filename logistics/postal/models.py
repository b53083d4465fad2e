"""What the tracking sync keeps: the partner's events per parcel, its batch tickets, and where each parcel is in
the polling cycle.

Events are the partner's record, stored as received (codes raw, the record itself in `raw`) and never edited: the
same event reported twice is stored once (unique parcel + time + type + attribute), events may arrive in any order.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import code_for


class EventSource(models.TextChoices):
    BATCH = "batch", _("пакетный доступ")
    SINGLE = "single", _("единичный доступ")


class TrackingEvent(models.Model):
    parcel = models.ForeignKey(
        "logistics.Parcel", on_delete=models.CASCADE, related_name="tracking_events", verbose_name=_("посылка")
    )
    oper_type = models.IntegerField(_("код операции"))
    oper_attr = models.IntegerField(_("код атрибута"), default=0)
    name = models.CharField(_("название у почты"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("когда"))
    index = models.CharField(
        _("индекс места"),
        max_length=6,
        blank=True,
        help_text=_(
            "Пусто для операций за рубежом. Время пакетного доступа — местное время отделения: "
            "часовой пояс берётся по индексу, без индекса — московское."
        ),
    )
    source = models.CharField(_("источник"), max_length=8, choices=EventSource.choices, default=EventSource.BATCH)
    raw = models.JSONField(_("запись почты"), default=dict, blank=True)
    received_at = models.DateTimeField(_("получено"), default=timezone.now)

    class Meta:
        verbose_name = _("событие отслеживания")
        verbose_name_plural = _("события отслеживания")
        ordering = ["parcel", "occurred_at", "id"]
        constraints = [
            # also the index for "a parcel's events in time order"
            models.UniqueConstraint(
                fields=["parcel", "occurred_at", "oper_type", "oper_attr"], name="postal_event_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.oper_type}.{self.oper_attr} {self.name}"

    @property
    def code(self):
        return code_for(self.oper_type, self.oper_attr)


class TicketStatus(models.TextChoices):
    PENDING = "pending", _("ждёт ответа")
    DONE = "done", _("ответ получен")
    EXPIRED = "expired", _("ответ удалён почтой")
    FAILED = "failed", _("ошибка")


class TrackingTicket(models.Model):
    """One getTicket call: which barcodes, when to ask for the answer, what came of it."""

    ticket = models.CharField(_("билет"), max_length=64, unique=True)
    barcodes = ArrayField(models.CharField(max_length=14), verbose_name=_("трек-номера"))
    status = models.CharField(_("состояние"), max_length=8, choices=TicketStatus.choices, default=TicketStatus.PENDING)
    requested_at = models.DateTimeField(_("запрошен"))
    next_poll_at = models.DateTimeField(_("спросить ответ не раньше"))
    polls = models.PositiveIntegerField(_("обращений за ответом"), default=0)
    answered_at = models.DateTimeField(_("ответ получен"), null=True, blank=True)
    events_received = models.PositiveIntegerField(_("событий в ответе"), default=0)
    events_stored = models.PositiveIntegerField(_("новых событий"), default=0)
    records_skipped = models.PositiveIntegerField(_("пропущено битых записей"), default=0)
    failed_barcodes = ArrayField(
        models.CharField(max_length=14), default=list, blank=True, verbose_name=_("номера с ошибкой (повторить)")
    )
    error = models.CharField(_("ошибка"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("билет пакетного запроса")
        verbose_name_plural = _("билеты пакетных запросов")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["next_poll_at"], condition=Q(status="pending"), name="postal_ticket_pending"),
        ]

    def __str__(self) -> str:
        return self.ticket


class TrackingPoll(models.Model):
    """Where a parcel is in the polling cycle: in a ticket now, or due again at `next_request_at`."""

    parcel = models.OneToOneField(
        "logistics.Parcel", on_delete=models.CASCADE, primary_key=True, related_name="tracking_poll"
    )
    ticket = models.ForeignKey(
        TrackingTicket, null=True, blank=True, on_delete=models.SET_NULL, related_name="polls_in_flight"
    )
    next_request_at = models.DateTimeField(_("спросить снова"), null=True, blank=True)
    last_answer_at = models.DateTimeField(_("последний ответ"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("ошибок подряд"), default=0)
    reminded_for = models.DateField(_("напомнили о сроке хранения до"), null=True, blank=True)

    class Meta:
        verbose_name = _("опрос посылки")
        verbose_name_plural = _("опрос посылок")

    def __str__(self) -> str:
        return f"{self.parcel_id}"
