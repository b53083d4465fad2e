"""Support's view of payments: find by provider id / key, filter by status and method, full read-only timeline."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .exceptions import PaymentError
from .models import EventSource, Payment, PaymentEvent, Refund
from .services import payment_sync


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
