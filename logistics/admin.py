"""Logistics in the admin: parcels (search by tracking or order number), the rules ops edit (regions, promises,
cut-offs, tariffs, customs regimes), pickup points, dispatches with their manifests, and the promise report.

Parcel statuses change only through services; the tracking sync (logistics.postal) adds its raw events inline
to ParcelAdmin (`ParcelAdmin.inlines`).
"""

from __future__ import annotations

import datetime
import io
import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.exceptions import OrderError
from orders.models import OrderStatus
from orders.services import order_pack
from payments.exceptions import PaymentError
from storefront.catalog.exceptions import FxRateMissing
from storefront.core.admin import ReadOnlyAdmin, ReadOnlyInline
from storefront.core.money import format_money

from .exceptions import LogisticsError
from .manifest import manifest_get, manifest_write_csv, manifest_write_xml
from .models import (
    CustomsDeclaration,
    CustomsDeclarationLine,
    CustomsRule,
    DeliveryTariff,
    Dispatch,
    DispatchCutoff,
    OrderDelivery,
    Parcel,
    ParcelLine,
    ParcelStatusChange,
    PickupPoint,
    PromiseRule,
    Region,
)
from .promise import rules_cache_clear
from .report import delivery_report
from .services import dispatch_create, dispatch_hand_over, dispatch_parcels_add, parcels_create_for_order

logger = logging.getLogger(__name__)


class HandleParcelsMixin:
    """Actions marked permissions=["handle"]: for staff with logistics.handle_parcel (ops), not support."""

    def has_handle_permission(self, request) -> bool:
        return request.user.has_perm("logistics.handle_parcel")


def each_through_service(modeladmin, request, items, act, *, name, refused, summary: str) -> int:
    """A bulk action done one item at a time through a service (each in its own transaction): an item the service
    refuses (`refused`, errors with a Russian `message`) is reported by `name(item)` and left as it was, the others
    go on; ends with `summary` % {"n": done}."""
    done = 0
    for item in items:
        try:
            act(item)
            done += 1
        except refused as exc:
            modeladmin.message_user(request, f"{name(item)}: {exc.message}", messages.ERROR)
    modeladmin.message_user(request, summary % {"n": done}, messages.SUCCESS)
    return done


class RuleCacheMixin:
    """Rules are cached for a minute (logistics.promise): an edit here takes effect at once."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        rules_cache_clear()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        rules_cache_clear()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        rules_cache_clear()


# --- parcels -------------------------------------------------------------------------------------------------------


class ParcelLineInline(ReadOnlyInline):
    model = ParcelLine
    fields = ("order_line", "quantity")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_line")


class ParcelStatusChangeInline(ReadOnlyInline):
    model = ParcelStatusChange
    fields = ("at", "from_status", "to_status", "actor", "actor_label", "reason", "recorded_at")
    readonly_fields = fields
    verbose_name_plural = _("история статусов")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ParcelActionForm(ActionForm):
    """The action bar of the parcel list, with the dispatch that "add to dispatch" fills."""

    dispatch = forms.ModelChoiceField(
        queryset=Dispatch.objects.filter(handed_over_at__isnull=True).order_by("-created_at", "-id"),
        required=False,
        label=_("отгрузка"),
        empty_label=_("— отгрузка —"),
    )


@admin.register(Parcel)
class ParcelAdmin(HandleParcelsMixin, admin.ModelAdmin):
    list_display = ("reference", "tracking_number", "order_link", "origin", "status", "postcode", "city",
                    "promised_by", "delivered_at", "cod")  # fmt: skip
    list_filter = ("status", "origin", ("dispatch", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("=tracking_number", "=reference", "=order__number", "=recipient_phone")
    search_help_text = _("Трек-номер, номер посылки, номер заказа или телефон получателя — целиком")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    inlines = [ParcelLineInline, ParcelStatusChangeInline]
    # Support sees parcels; staff with logistics.handle_parcel (ops) act on them, always through the services.
    actions = ["pack_orders", "make_dispatch", "add_to_dispatch"]
    action_form = ParcelActionForm
    readonly_fields = (
        "order", "reference", "origin", "dispatch", "tracking_number", "status", "status_changed_at", "weight_grams",
        "declared_value", "declared_currency", "cod_amount", "promised_from", "promised_by", "storage_deadline",
        "delivered_at", "created_at", "updated_at", "customs_link",
    )  # fmt: skip
    fieldsets = [
        (
            None,
            {"fields": ("reference", "order", "origin", "dispatch", "tracking_number", "status", "status_changed_at")},
        ),
        (
            _("Получатель"),
            {"fields": ("recipient_name", "recipient_phone", "postcode", "city", "street", "house", "flat")},
        ),
        (
            _("Посылка"),
            {"fields": ("weight_grams", "declared_value", "declared_currency", "cod_amount", "customs_link")},
        ),
        (
            _("Сроки"),
            {
                "fields": (
                    "promised_from",
                    "promised_by",
                    "storage_deadline",
                    "delivered_at",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    ]

    def has_add_permission(self, request):
        return False  # parcels are made from orders (logistics.services.parcels_create_for_order)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("заказ"), ordering="order__number")
    def order_link(self, parcel: Parcel) -> str:
        url = reverse("admin:orders_order_change", args=[parcel.order_id])
        return format_html('<a href="{}">{}</a>', url, parcel.order.number)

    @admin.display(description=_("наложенный платёж"), ordering="cod_amount")
    def cod(self, parcel: Parcel) -> str:
        return format_money(parcel.cod_amount) if parcel.cod_amount else "—"

    @admin.display(description=_("декларация CN23"))
    def customs_link(self, parcel: Parcel) -> str:
        declaration = CustomsDeclaration.objects.filter(parcel=parcel).only("pk").first()
        if declaration is None:
            return "—"
        url = reverse("admin:logistics_customsdeclaration_change", args=[declaration.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("открыть"))

    @admin.action(description=_("Заказы выбранных посылок собраны"), permissions=["handle"])
    def pack_orders(self, request, queryset):
        """Each order (confirmed or paid) of the selection packed through orders' service, in its own transaction;
        packed orders' parcels are then registered with the post by beat (or "Зарегистрировать на почте")."""
        orders = {p.order for p in queryset.select_related("order").filter(
            order__status__in=(OrderStatus.CONFIRMED, OrderStatus.PAID)
        )}  # fmt: skip
        each_through_service(
            self,
            request,
            sorted(orders, key=lambda o: o.pk),
            lambda order: order_pack(order=order, actor=request.user),
            name=lambda order: order.number,
            refused=OrderError,
            summary=gettext("Собрано заказов: %(n)d."),
        )

    @admin.action(description=_("Добавить в выбранную отгрузку"), permissions=["handle"])
    def add_to_dispatch(self, request, queryset):
        try:  # the admin validated the action bar already (an unknown or handed-over dispatch never gets here)
            dispatch = ParcelActionForm.base_fields["dispatch"].clean(request.POST.get("dispatch"))
        except ValidationError:
            dispatch = None
        if dispatch is None:
            self.message_user(request, gettext("Выберите отгрузку рядом со списком действий."), messages.ERROR)
            return
        try:
            added = dispatch_parcels_add(
                dispatch=dispatch, parcel_ids=queryset.values_list("pk", flat=True), actor=request.user
            )
        except LogisticsError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        skipped = queryset.count() - added
        text = gettext("В отгрузку «%(d)s» добавлено посылок: %(n)d.") % {"d": dispatch, "n": added}
        if skipped:
            text += " " + gettext("Не добавлено: %(n)d (другой склад, уже у почты или в другой отгрузке).") % {
                "n": skipped
            }
        self.message_user(request, text, messages.SUCCESS if added else messages.WARNING)

    @admin.action(description=_("Собрать в новую отгрузку (один склад)"), permissions=["handle"])
    def make_dispatch(self, request, queryset):
        try:
            dispatch = dispatch_create(parcel_ids=queryset.values_list("pk", flat=True), actor=request.user)
        except LogisticsError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        url = reverse("admin:logistics_dispatch_change", args=[dispatch.pk])
        self.message_user(
            request,
            format_html('{} <a href="{}">{}</a>', gettext("Отгрузка создана:"), url, dispatch),
            messages.SUCCESS,
        )

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [path("report/", report, name="logistics_parcel_report"), *super().get_urls()]

    def report_view(self, request):
        """Promised vs actual delivery per origin and region."""
        if not self.has_view_permission(request):
            raise Http404
        try:
            days = max(1, min(int(request.GET.get("days", 90)), 3650))
        except ValueError:
            days = 90
        group_by = request.GET.get("by") if request.GET.get("by") in ("subject", "district") else "subject"
        until = timezone.now()
        rows = delivery_report(since=until - datetime.timedelta(days=days), until=until, group_by=group_by)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Обещано и доставлено"),
            "rows": rows,
            "days": days,
            "by": group_by,
        }
        return TemplateResponse(request, "admin/logistics/parcel/report.html", context)


class CustomsDeclarationLineInline(admin.TabularInline):
    model = CustomsDeclarationLine
    extra = 0
    fields = ("description_ru", "description_en", "hs_code", "quantity", "net_weight_grams", "value", "currency",
              "country_of_origin")  # fmt: skip


@admin.register(CustomsDeclaration)
class CustomsDeclarationAdmin(admin.ModelAdmin):
    list_display = ("parcel", "contents_type", "total_value", "currency", "gross_weight_grams", "duty_eur",
                    "duty_rub", "customs_rule")  # fmt: skip
    list_filter = ("contents_type", "customs_rule")
    search_fields = ("=parcel__reference", "=parcel__tracking_number", "=invoice_number")
    list_select_related = ("parcel", "customs_rule")
    readonly_fields = ("parcel", "customs_rule", "duty_eur", "duty_rub", "eur_rate", "created_at")
    inlines = [CustomsDeclarationLineInline]

    def has_add_permission(self, request):
        return False


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ("__str__", "origin", "parcel_count", "created_at", "handed_over_at", "manifest_links")
    list_filter = ("origin", ("handed_over_at", admin.EmptyFieldListFilter))
    readonly_fields = ("origin", "created_at", "handed_over_at", "manifest_links")
    fields = ("name", "origin", "handed_over_at", "created_at", "manifest_links")
    actions = ["hand_over"]

    @admin.action(description=_("Передана почте"), permissions=["change"])
    def hand_over(self, request, queryset):
        """Each dispatch through logistics' service: refused while a parcel in it has no tracking number."""
        each_through_service(
            self,
            request,
            queryset.filter(handed_over_at__isnull=True).order_by("pk"),
            lambda dispatch: dispatch_hand_over(dispatch=dispatch, actor=request.user),
            name=str,
            refused=LogisticsError,
            summary=gettext("Передано почте отгрузок: %(n)d."),
        )

    def has_add_permission(self, request):
        return False  # from the parcel list: "Собрать в отгрузку"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("parcels"))

    @admin.display(description=_("посылок"), ordering="n")
    def parcel_count(self, dispatch: Dispatch) -> int:
        return getattr(dispatch, "n", 0)

    @admin.display(description=_("манифест"))
    def manifest_links(self, dispatch: Dispatch) -> str:
        if not dispatch.pk:
            return "—"
        csv_url = reverse("admin:logistics_dispatch_manifest", args=[dispatch.pk, "csv"])
        xml_url = reverse("admin:logistics_dispatch_manifest", args=[dispatch.pk, "xml"])
        return format_html('<a href="{}">CSV</a> · <a href="{}">XML</a>', csv_url, xml_url)

    def get_urls(self):
        view = self.admin_site.admin_view(self.manifest_view)
        return [path("<int:pk>/manifest.<str:fmt>", view, name="logistics_dispatch_manifest"), *super().get_urls()]

    def manifest_view(self, request, pk: int, fmt: str):
        if fmt not in ("csv", "xml") or not self.has_view_permission(request):
            raise Http404
        get_object_or_404(Dispatch, pk=pk)
        manifest = manifest_get(dispatch_id=pk)
        if fmt == "csv":
            text = io.StringIO()
            manifest_write_csv(manifest, text)
            response = HttpResponse(text.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
        else:
            data = io.BytesIO()
            manifest_write_xml(manifest, data)
            response = HttpResponse(data.getvalue(), content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="manifest-{pk}.{fmt}"'
        return response


@admin.register(OrderDelivery)
class OrderDeliveryAdmin(HandleParcelsMixin, ReadOnlyAdmin):
    list_display = ("order", "method", "pickup_point", "cost", "region_subject", "promised_from", "promised_by",
                    "duty_rub", "created_at")  # fmt: skip
    list_filter = ("method", "promised_by")
    search_fields = ("=order__number", "=pickup_point__postcode")
    list_select_related = ("order", "pickup_point")
    actions = ["make_parcels"]

    @admin.action(description=_("Создать посылки (для подтверждённых и оплаченных заказов)"), permissions=["handle"])
    def make_parcels(self, request, queryset):
        made = 0
        for delivery in queryset.select_related("order"):
            try:  # each order in its own transaction: one that cannot be split now keeps no parcels
                made += len(parcels_create_for_order(order=delivery.order, actor=request.user))
            except (LogisticsError, FxRateMissing) as exc:
                self.message_user(request, f"{delivery.order.number}: {exc.message}", messages.ERROR)
            except PaymentError:  # payments refused the COD amounts per parcel: nothing was written for this order
                logger.exception("parcels not made: COD plan refused", extra={"order": delivery.order.number})
                text = gettext(
                    "%(number)s: оплату при получении не удалось разделить между посылками, посылки не созданы. "
                    "Подробности — в журнале."
                )
                self.message_user(request, text % {"number": delivery.order.number}, messages.ERROR)
        self.message_user(request, gettext("Посылок у выбранных заказов: %(n)d.") % {"n": made}, messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        return False


# --- rules ---------------------------------------------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(RuleCacheMixin, admin.ModelAdmin):
    list_display = ("prefix", "subject", "federal_district", "part", "is_central")
    list_editable = ("part", "is_central")
    list_filter = ("federal_district", "part", "is_central")
    search_fields = ("=prefix", "subject")
    ordering = ("prefix",)
    list_per_page = 300


@admin.register(PromiseRule)
class PromiseRuleAdmin(RuleCacheMixin, admin.ModelAdmin):
    list_display = ("origin", "scope", "min_days", "max_days", "priority", "is_active", "note")
    list_editable = ("min_days", "max_days", "is_active")
    list_filter = ("origin", "is_active", "federal_district", "part")
    fields = ("origin", "subject", "federal_district", "part", "is_central", "min_days", "max_days", "priority",
              "is_active", "note")  # fmt: skip

    @admin.display(description=_("куда"))
    def scope(self, rule: PromiseRule) -> str:
        return rule.scope_text


@admin.register(DispatchCutoff)
class DispatchCutoffAdmin(RuleCacheMixin, admin.ModelAdmin):
    list_display = ("origin", "before", "dispatch_days", "is_active")
    list_editable = ("dispatch_days", "is_active")
    list_filter = ("origin",)


@admin.register(DeliveryTariff)
class DeliveryTariffAdmin(RuleCacheMixin, admin.ModelAdmin):
    list_display = ("method", "scope", "base_rub", "per_kg_rub", "free_from_rub", "priority", "is_active")
    list_editable = ("base_rub", "per_kg_rub", "free_from_rub", "is_active")
    list_filter = ("method", "is_active")
    fields = ("method", "subject", "federal_district", "part", "is_central", "base_rub", "per_kg_rub",
              "free_from_rub", "priority", "is_active")  # fmt: skip

    @admin.display(description=_("куда"))
    def scope(self, tariff: DeliveryTariff) -> str:
        return tariff.scope_text


@admin.register(CustomsRule)
class CustomsRuleAdmin(RuleCacheMixin, admin.ModelAdmin):
    list_display = ("name", "valid_from", "valid_until", "threshold_eur", "threshold_kg", "rate", "duty_base",
                    "min_eur_per_kg", "split_allowed")  # fmt: skip
    fieldsets = [
        (None, {"fields": ("name", "valid_from", "valid_until")}),
        (_("Порог"), {"fields": ("threshold_eur", "threshold_kg")}),
        (_("Пошлина"), {"fields": ("rate", "duty_base", "min_eur_per_kg", "min_per_kg_base")}),
        (_("Деление заказа"), {"fields": ("split_allowed", "max_parcels")}),
        (
            _("Источники"),
            {
                "fields": ("notes",),
                "description": _(
                    "Режим с 1 июля 2026 принят, но не проверен по тексту решения: ставка 5 % со всей стоимости, "
                    "минимум 1 € за кг, порог 31 кг, запрет делить заказ и сочетание с НДС — уточните и поправьте."
                ),
            },
        ),
    ]


@admin.register(PickupPoint)
class PickupPointAdmin(admin.ModelAdmin):
    list_display = ("postcode", "kind", "city", "address", "hours", "has_parcel_window", "is_active")
    list_filter = ("kind", "has_parcel_window", "is_active", "city")
    search_fields = ("=postcode", "city", "address")
    search_help_text = _("Индекс целиком, город или часть адреса")
    ordering = ("city", "postcode")
