"""Postal in the admin: support sees a parcel's raw partner events (inline on the parcel and searchable on their
own) and ops see the batch tickets; all read-only — events are the partner's record, tickets the sync's."""

from __future__ import annotations

import logging

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from logistics.exceptions import LogisticsError
from logistics.models import Parcel, ParcelStatus
from orders.models import OrderStatus
from storefront.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .client import TrackingClient
from .exceptions import PostalError, RegistrationRejected
from .models import TrackingEvent, TrackingTicket
from .otpravka import OtpravkaClient
from .registration import parcel_post_register
from .services import tracking_history_ingest

log = logging.getLogger("logistics.postal")

REGISTER_AT_ONCE = 100  # partner calls made inside one admin request


class TrackingEventInline(ReadOnlyInline):
    model = TrackingEvent
    fields = ("occurred_at", "oper_type", "oper_attr", "name", "meaning", "index", "source", "raw", "received_at")
    readonly_fields = fields
    ordering = ("-occurred_at", "-id")
    verbose_name_plural = _("события почты (как пришли)")

    @admin.display(description=_("что значит"))
    def meaning(self, event: TrackingEvent) -> str:
        return str(event.code.label)


@admin.register(TrackingEvent)
class TrackingEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "parcel", "oper_type", "oper_attr", "name", "index", "source", "received_at")
    list_filter = ("source", "oper_type")
    search_fields = ("=parcel__tracking_number", "=parcel__reference", "=parcel__order__number")
    list_select_related = ("parcel",)
    raw_id_fields = ("parcel",)
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(TrackingTicket)
class TrackingTicketAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "status", "requested_at", "next_poll_at", "polls", "events_stored", "records_skipped")
    list_filter = ("status",)
    search_fields = ("=ticket",)
    readonly_fields = ("failed_barcodes", "error")
    show_full_result_count = False


@admin.action(description=_("Запросить историю у почты сейчас"), permissions=["view"])
def refresh_from_post(modeladmin, request, queryset):
    client = TrackingClient()
    done = 0
    for parcel in queryset.exclude(tracking_number="")[:50]:
        try:
            tracking_history_ingest(parcel=parcel, events=client.history(parcel.tracking_number), actor=request.user)
            done += 1
        except PostalError as exc:  # the partner is down: the details go to the log, not to support
            log.warning("history refresh from the admin stopped", extra={"parcel": parcel.reference, "why": str(exc)})
            text = gettext("почта сейчас недоступна; попробуйте позже.")
            modeladmin.message_user(request, f"{parcel}: {text}", messages.ERROR)
            break
    modeladmin.message_user(request, gettext("Обновлено посылок: %(n)d") % {"n": done}, messages.SUCCESS)


@admin.action(description=_("Зарегистрировать на почте сейчас (собранные заказы)"), permissions=["handle"])
def register_with_post(modeladmin, request, queryset):
    """What beat does every two minutes, for the selection now: packed parcels get their barcode from the post."""
    due = (
        queryset.select_related("order")
        .filter(status=ParcelStatus.CREATED, tracking_number="", order__status=OrderStatus.PACKED)
        .order_by("pk")
    )
    client = OtpravkaClient()
    done = 0
    for parcel in due[:REGISTER_AT_ONCE]:
        try:
            parcel_post_register(parcel=parcel, actor=request.user, client=client)
            done += 1
        except RegistrationRejected as exc:  # the post's own reasons (in Russian), the parcel left as it was
            text = gettext("почта отказала в регистрации: %(why)s") % {"why": exc}
            modeladmin.message_user(request, f"{parcel.reference}: {text}", messages.ERROR)
        except LogisticsError as exc:
            modeladmin.message_user(request, f"{parcel.reference}: {exc.message}", messages.ERROR)
        except PostalError as exc:  # the partner is down: stop, beat carries on later; the details go to the log
            log.warning("registration from the admin paused", extra={"parcel": parcel.reference, "why": str(exc)})
            text = gettext("почта сейчас недоступна; остальные посылки зарегистрирует фоновая задача позже.")
            modeladmin.message_user(request, f"{parcel.reference}: {text}", messages.ERROR)
            break
    modeladmin.message_user(request, gettext("Зарегистрировано посылок: %(n)d") % {"n": done}, messages.SUCCESS)


# The parcel admin belongs to logistics; add the partner's events and the refresh/register actions to it.
_parcel_admin = admin.site._registry.get(Parcel)
if _parcel_admin is not None:
    _parcel_admin.inlines = [*_parcel_admin.inlines, TrackingEventInline]
    _parcel_admin.actions = [*(_parcel_admin.actions or []), refresh_from_post, register_with_post]
