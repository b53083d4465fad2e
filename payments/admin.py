"""Support's view of payments: find by provider id / key, filter by status and method, full read-only timeline."""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exceptions import PaymentError
from .models import EventSource, Payment, PaymentEvent, Refund
from .selectors import payment_dropoff_report
from .services import payment_sync

DROPOFF_DAYS = (7, 14, 30, 90)


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "source", "actor", "note", "payload"]
    readonly_fields = fields
    ordering = ["at", "id"]

    def has_add_permission(self, request, obj=None):
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ["created_at", "amount", "currency", "channel", "status", "reason", "actor", "provider_refund_id"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "method", "status", "amount", "currency", "refunded_amount", "created_at", "paid_at"]
    list_filter = ["status", "method", "created_at"]
    search_fields = ["=order__number", "=provider_payment_id", "=idempotence_key", "=order__contact_phone"]
    list_select_related = ["order"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Payment._meta.fields]
    inlines = [PaymentEventInline, RefundInline]
    actions = ["sync_with_provider"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        dropoff = path("drop-off/", self.admin_site.admin_view(self.dropoff_view), name="payments_payment_dropoff")
        return [dropoff, *super().get_urls()]

    def dropoff_view(self, request):
        """Shoppers lost between placing an order and paying: per payment method and per day."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days", DROPOFF_DAYS[1]))
        except ValueError:
            days = DROPOFF_DAYS[1]
        days = days if days in DROPOFF_DAYS else DROPOFF_DAYS[1]
        until = timezone.localdate()
        since = until - timedelta(days=days - 1)
        daily, totals = payment_dropoff_report(since=since, until=until)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Отток между заказом и оплатой"),
            "daily": daily,
            "totals": totals,
            "days": days,
            "day_choices": DROPOFF_DAYS,
            "since": since,
            "until": until,
        }
        return TemplateResponse(request, "admin/payments/dropoff.html", context)

    @admin.action(description=_("Сверить статус с платёжным сервисом"), permissions=["change"])
    def sync_with_provider(self, request, queryset):
        for payment in queryset.filter(provider_payment_id__isnull=False):
            try:
                payment_sync(payment_id=payment.pk, source=EventSource.STAFF, actor=request.user)
            except PaymentError as exc:
                self.message_user(request, f"{payment.pk}: {exc}", messages.ERROR)


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ["id", "payment", "amount", "currency", "channel", "status", "actor", "created_at"]
    list_filter = ["status", "channel", "created_at"]
    search_fields = [
        "=provider_refund_id",
        "=idempotence_key",
        "=payment__provider_payment_id",
        "=payment__order__number",
    ]
    list_select_related = ["payment", "payment__order", "actor"]
    raw_id_fields = ["payment"]
    readonly_fields = [f.name for f in Refund._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
