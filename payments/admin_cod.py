"""Pay on delivery in the admin: collections per order, refusal flags (support clears them with a reason), COD
exclusions (ops edit them), reconciliations of the post's remittance register with their lines by outcome.

The COD pages show the rules in force (settings STORE_COD_*) above their lists. Imported by payments/admin.py.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from storefront.core.admin import ReadOnlyAdmin

from .cod import cod_exclusion_add, cod_flag_clear, cod_rules
from .models import CodCollection, CodCustomerFlag, CodExclusion, CodLineOutcome, CodReconciliation, CodRemittanceLine

RULES_TEMPLATE = "admin/payments/cod_change_list.html"


class CodRulesMixin:
    """The COD rules in force above the list (settings are not editable here; the help says which setting)."""

    change_list_template = RULES_TEMPLATE

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "cod_rules": cod_rules()})


def _remittance() -> QuerySet:
    return CodRemittanceLine.objects.filter(collection=OuterRef("pk"), applied=True)


class RemittedFilter(admin.SimpleListFilter):
    title = _("перечислен почтой")
    parameter_name = "remitted"

    def lookups(self, request, model_admin):
        return [("1", _("да")), ("0", _("нет"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(Exists(_remittance()))
        if self.value() == "0":
            return queryset.exclude(Exists(_remittance()))
        return queryset


@admin.register(CodCollection)
class CodCollectionAdmin(ReadOnlyAdmin):
    list_display = [
        "order", "parcel_reference", "tracking_number", "payment_status", "amount", "collected_amount", "collected_at",
        "amount_mismatch", "refused_at", "remitted_amount", "remitted_on",
    ]  # fmt: skip
    list_filter = ["payment__status", "amount_mismatch", RemittedFilter]
    search_fields = ["=tracking_number", "=parcel_reference", "=order__number", "=order__contact_phone"]
    list_select_related = ["order", "payment"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                remitted_amount=Subquery(_remittance().values("amount")[:1]),
                remitted_on=Subquery(_remittance().values("remitted_on")[:1]),
            )
        )

    @admin.display(description=_("статус платежа"), ordering="payment__status")
    def payment_status(self, obj):
        return obj.payment.get_status_display()

    @admin.display(description=_("перечислено"))
    def remitted_amount(self, obj):
        return obj.remitted_amount

    @admin.display(description=_("дата перевода"))
    def remitted_on(self, obj):
        return obj.remitted_on


class OpenFlagFilter(admin.SimpleListFilter):
    title = _("состояние")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("1", _("действует")), ("0", _("снята"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(cleared_at__isnull=self.value() == "1")
        return queryset


class CodFlagForm(forms.ModelForm):
    clear_reason = forms.CharField(
        label=_("Снять отметку — причина"),
        required=False,
        max_length=255,
        help_text=_("Например: покупатель оплатил возврат посылки. Пусто — отметка остаётся."),
    )

    class Meta:
        model = CodCustomerFlag
        fields: list[str] = []


@admin.register(CodCustomerFlag)
class CodCustomerFlagAdmin(CodRulesMixin, admin.ModelAdmin):
    form = CodFlagForm
    list_display = ["phone", "user", "order", "reason", "created_at", "is_open", "cleared_at", "cleared_by"]
    list_filter = [OpenFlagFilter, "created_at"]
    search_fields = ["=phone", "=order__number", "=user__phone"]
    list_select_related = ["user", "order", "cleared_by"]
    readonly_fields = ["phone", "user", "order", "reason", "created_at", "cleared_at", "cleared_by", "clear_note"]
    fields = [*readonly_fields, "clear_reason"]

    @admin.display(description=_("действует"), boolean=True)
    def is_open(self, obj):
        return obj.is_open

    def has_add_permission(self, request):
        return False  # flags come from refused parcels (payments.cod.cod_refused)

    def has_delete_permission(self, request, obj=None):
        return False  # cleared, never deleted: the history stays

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("clear_reason", "").strip()
        if reason and obj.is_open:
            cod_flag_clear(flag_id=obj.pk, actor=request.user, note=reason)
            self.message_user(request, _("Отметка снята: оплата при получении снова доступна."), messages.SUCCESS)


@admin.register(CodExclusion)
class CodExclusionAdmin(CodRulesMixin, admin.ModelAdmin):
    list_display = ["__str__", "product", "sku", "reason", "starts_at", "ends_at", "in_force", "created_by"]
    list_filter = ["starts_at", "ends_at"]
    search_fields = ["product__title", "=sku__code", "reason"]
    list_select_related = ["product", "sku", "created_by"]
    autocomplete_fields = ["product", "sku"]
    fields = ["product", "sku", "reason", "starts_at", "ends_at"]

    @admin.display(description=_("действует сейчас"), boolean=True)
    def in_force(self, obj):
        now = timezone.now()
        return obj.starts_at <= now and (obj.ends_at is None or obj.ends_at > now)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.pk = cod_exclusion_add(
            reason=obj.reason,
            actor=request.user,
            product_ids=[obj.product_id] if obj.product_id else [],
            sku_ids=[obj.sku_id] if obj.sku_id else [],
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
        )[0].pk


SHOWN_OUTCOMES = [
    CodLineOutcome.MATCHED,
    CodLineOutcome.AMOUNT_MISMATCH,
    CodLineOutcome.UNKNOWN_TRACKING,
    CodLineOutcome.NOT_COLLECTED,
    CodLineOutcome.MALFORMED,
    CodLineOutcome.NOT_REMITTED,
]


@admin.register(CodReconciliation)
class CodReconciliationAdmin(ReadOnlyAdmin):
    list_display = ["id", "file_name", "started_at", "lines_total", "outcomes", "applied_amount", "actor_label"]
    list_filter = ["started_at"]
    search_fields = ["file_name", "=file_sha256"]
    date_hierarchy = "started_at"
    readonly_fields = [
        "file_name", "file_sha256", "encoding", "delimiter", "remit_days", "actor", "actor_label", "started_at",
        "finished_at", "lines_total", "outcome_links", "amount_total", "fee_total", "applied_amount",
    ]  # fmt: skip
    fields = readonly_fields

    def _links(self, obj, outcomes):
        base = reverse("admin:payments_codremittanceline_changelist")
        parts = []
        for outcome in outcomes:
            n = obj.count(outcome)
            if n:
                url = f"{base}?reconciliation__id__exact={obj.pk}&outcome__exact={outcome.value}"
                parts.append(format_html('<a href="{}">{}: {}</a>', url, outcome.label, n))
        return format_html(" · ".join(["{}"] * len(parts)), *parts) if parts else "—"

    @admin.display(description=_("исходы"))
    def outcomes(self, obj):
        return self._links(obj, SHOWN_OUTCOMES)

    @admin.display(description=_("строки по исходам"))
    def outcome_links(self, obj):
        return self._links(obj, list(CodLineOutcome))


@admin.register(CodRemittanceLine)
class CodRemittanceLineAdmin(ReadOnlyAdmin):
    list_display = [
        "reconciliation", "line_no", "outcome", "tracking_number", "amount", "expected_amount", "fee", "remitted_on",
        "payment_order_number", "error",
    ]  # fmt: skip
    list_filter = ["outcome", "applied", "remitted_on"]
    search_fields = ["=tracking_number", "=payment_order_number", "=collection__order__number"]
    list_select_related = ["reconciliation"]
    raw_id_fields = ["reconciliation", "collection"]
    show_full_result_count = False  # a register has 100,000 lines
    list_per_page = 200

    def lookup_allowed(self, lookup, value, request=None):
        # the reconciliation's page links here per outcome; no list filter of every reconciliation
        return lookup == "reconciliation__id__exact" or super().lookup_allowed(lookup, value, request)
