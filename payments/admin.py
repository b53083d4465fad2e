"""Support's view of payments: find by provider id / key, filter by status and method, full read-only timeline."""

from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .exceptions import PaymentError, RefundNotAllowed
from .forms import RefundForm
from .models import BankTransferRefundRequest, BankTransferStatus, EventSource, Payment, PaymentEvent, Refund
from .refunds import bank_transfer_refund_sent, order_line_refunded_quantities, order_refund, order_refundable
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
    actions = ["sync_with_provider", "refund_order"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        dropoff = path("drop-off/", self.admin_site.admin_view(self.dropoff_view), name="payments_payment_dropoff")
        refund = path(
            "<int:object_id>/refund/", self.admin_site.admin_view(self.refund_view), name="payments_payment_refund"
        )
        return [dropoff, refund, *super().get_urls()]

    def has_refund_permission(self, request) -> bool:
        return request.user.has_perm("payments.add_refund")

    @admin.action(description=_("Вернуть деньги по заказу"), permissions=["refund"])
    def refund_order(self, request, queryset):
        payments = list(queryset[:2])
        if len(payments) != 1:
            self.message_user(request, gettext("Выберите один платёж."), messages.WARNING)
            return None
        return redirect("admin:payments_payment_refund", payments[0].pk)

    def refund_view(self, request, object_id: int):
        """Refund the payment's order wholly or partly (lines and/or amount) with a reason: payments.order_refund."""
        if not self.has_refund_permission(request):
            raise PermissionDenied
        payment = get_object_or_404(Payment.objects.select_related("order"), pk=object_id)
        order = payment.order
        lines = list(order.lines.all())
        form = RefundForm(request.POST or None, lines=lines, refunded=order_line_refunded_quantities(order=order))
        if request.method == "POST" and form.is_valid():
            try:
                refunds = order_refund(
                    order=order,
                    lines=form.refund_lines() or None,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    key=form.refund_key(),  # the same form sent twice refunds once
                )
            except RefundNotAllowed as exc:
                form.add_error(None, exc.user_message)
            else:
                for refund in refunds:
                    self.message_user(
                        request,
                        gettext("Возврат %(amount)s ₽: %(status)s (%(channel)s).")
                        % {
                            "amount": refund.amount,
                            "status": refund.get_status_display(),
                            "channel": refund.get_channel_display(),
                        },
                        messages.SUCCESS if refund.status == "succeeded" else messages.INFO,
                    )
                return HttpResponseRedirect(reverse("admin:payments_payment_change", args=[payment.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Возврат по заказу %(number)s") % {"number": order.number},
            "payment": payment,
            "order": order,
            "form": form,
            "refundable": order_refundable(order=order),
        }
        return TemplateResponse(request, "admin/payments/payment/refund.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_refund": self.has_refund_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=extra)

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


@admin.register(BankTransferRefundRequest)
class BankTransferRefundRequestAdmin(admin.ModelAdmin):
    """Pay-on-delivery refunds: support collects the shopper's bank details, transfers, then marks the request sent."""

    list_display = ["id", "order", "amount", "currency", "status", "recipient_name", "created_at", "sent_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["=order__number", "=order__contact_phone", "=transfer_reference"]
    list_select_related = ["order"]
    fields = [
        "order",
        "refund",
        "amount",
        "currency",
        "status",
        "recipient_name",
        "account_number",
        "bank_bic",
        "transfer_reference",
        "created_at",
        "sent_at",
    ]
    readonly_fields = ["order", "refund", "amount", "currency", "status", "created_at", "sent_at"]
    actions = ["mark_sent"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Перевод отправлен (по номеру платёжного поручения)"), permissions=["change"])
    def mark_sent(self, request, queryset):
        for transfer in queryset.filter(status=BankTransferStatus.REQUESTED):
            try:
                bank_transfer_refund_sent(
                    request_id=transfer.pk, reference=transfer.transfer_reference, actor=request.user
                )
            except RefundNotAllowed as exc:
                self.message_user(request, f"{transfer.order}: {exc.user_message}", messages.ERROR)


from . import admin_cod  # noqa: E402, F401  (pay on delivery: collections, flags, exclusions, reconciliations)
