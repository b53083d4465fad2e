"""Orders in the admin: the support team's workplace. Statuses change only through actions that call the services."""

from __future__ import annotations

import contextlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from storefront.accounts.phone import normalize_phone
from storefront.catalog.models import Origin
from storefront.core.admin import ReadOnlyInline
from storefront.core.money import format_money

from .exceptions import OrderError
from .models import Order, OrderLine, OrderStatusChange
from .services import order_cancel, order_confirm, order_pack


class OriginFilter(admin.SimpleListFilter):
    """Orders with at least one item shipping from this warehouse (a semi-join: no duplicate rows)."""

    title = _("откуда отправляется")
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return Origin.choices

    def queryset(self, request, queryset):
        if self.value() in Origin.values:
            with_origin = OrderLine.objects.filter(sku__product__origin=self.value()).values("order_id")
            return queryset.filter(pk__in=with_origin)
        return queryset


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("sku_code", "product_title", "options_text", "quantity", "seller_price", "fx_rate", "unit_price_rub",
              "line_total_rub")  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("цена продавца"))
    def seller_price(self, line: OrderLine) -> str:
        return format_money(line.unit_price, line.currency)

    @admin.display(description=_("параметры"))
    def options_text(self, line: OrderLine) -> str:
        return line.options_text


class OrderStatusChangeInline(ReadOnlyInline):
    model = OrderStatusChange
    fields = ("at", "from_status", "to_status", "actor", "actor_label", "reason")
    readonly_fields = fields
    verbose_name_plural = _("история статусов")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class OrderAdminForm(forms.ModelForm):
    contact_phone = forms.CharField(
        label=_("телефон"), max_length=32, help_text=_("Можно с пробелами и скобками; сохранится как +79161234567.")
    )

    class Meta:
        model = Order
        fields = ("contact_phone", "contact_email", "recipient_name", "postcode", "city", "street", "house", "flat")

    def clean_contact_phone(self) -> str:
        return normalize_phone(self.cleaned_data["contact_phone"])

    def clean_contact_email(self) -> str:
        return self.cleaned_data["contact_email"].strip().lower()


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина отмены"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Её увидят коллеги в истории заказа."),
    )


PAYMENT_FIELDS = ("delivery_method", "payment_method", "subtotal", "delivery_cost", "total", "currency")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    form = OrderAdminForm
    list_display = ("number", "placed_at", "status", "recipient_name", "contact_phone", "total_rub", "customer")
    list_display_links = ("number",)
    list_filter = ("status", ("placed_at", admin.DateFieldListFilter), OriginFilter, "delivery_method", "is_guest")
    list_select_related = ("user",)
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over every order on each filtered page
    search_fields = ("=number", "=contact_phone", "=contact_email", "=lines__sku__code")  # see get_search_results
    search_help_text = _("Номер заказа, телефон (в любом виде), эл. почта или артикул")
    ordering = ("-placed_at", "-id")
    inlines = (OrderLineInline, OrderStatusChangeInline)

    class Media:
        css = {"all": ("orders/admin.css",)}

    actions = ("confirm_orders", "pack_orders", "cancel_orders")
    readonly_fields = ("number", "status", "customer", "is_guest", "placed_at", "updated_at", "delivery_method",
                       "payment_method", "subtotal", "delivery_cost", "total", "currency", "idempotency_key",
                       "cancel_link")  # fmt: skip
    fieldsets = (
        (None, {"fields": ("number", "status", "cancel_link", "placed_at", "updated_at", "customer", "is_guest")}),
        (_("Контакты"), {"fields": ("contact_phone", "contact_email", "recipient_name")}),
        (_("Адрес"), {"fields": ("postcode", "city", "street", "house", "flat")}),
        (_("Доставка и оплата"), {"fields": PAYMENT_FIELDS}),
        (_("Служебное"), {"classes": ("collapse",), "fields": ("idempotency_key",)}),
    )

    @admin.display(description=_("итого"), ordering="total")
    def total_rub(self, order: Order) -> str:
        return format_money(order.total, order.currency)

    @admin.display(description=_("покупатель"))
    def customer(self, order: Order) -> str:
        if order.user_id is None:
            return gettext("гость")
        url = reverse("admin:accounts_user_change", args=[order.user_id])
        return format_html('<a href="{}">{}</a>', url, order.user)

    @admin.display(description=_("отмена"))
    def cancel_link(self, order: Order) -> str:
        if order.pk is None:
            return "—"
        url = reverse("admin:orders_order_cancel", args=[order.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("Отменить с указанием причины"))

    def has_add_permission(self, request) -> bool:
        return False  # orders come from checkout (order_place), never typed in

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an order is cancelled, not deleted: its history stays

    def get_search_results(self, request, queryset, search_term):
        """Exact, indexed look-ups the way support asks: a number, a phone in any format, an email, a SKU code."""
        term = search_term.strip()
        if not term:
            return queryset, False
        match = Q(number=term.upper()) | Q(contact_email=term.lower())
        match |= Q(pk__in=OrderLine.objects.filter(sku__code__iexact=term).values("order_id"))
        with contextlib.suppress(ValidationError):  # not a phone number: the other look-ups still apply
            match |= Q(contact_phone=normalize_phone(term))
        return queryset.filter(match), False

    # --- actions: each order in its own transaction, through the services -------------------------------------

    def _each(self, request, orders, change, done_message) -> None:
        done = 0
        for order in orders:
            try:
                change(order)
                done += 1
            except OrderError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Подтвердить (оплата при получении)"), permissions=["change"])
    def confirm_orders(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda o: order_confirm(order=o, actor=request.user, reason=gettext("подтверждён в админке")),
            gettext("Подтверждено заказов: %(n)d."),
        )

    @admin.action(description=_("Отметить как собранные"), permissions=["change"])
    def pack_orders(self, request, queryset):
        self._each(
            request, queryset, lambda o: order_pack(order=o, actor=request.user), gettext("Собрано заказов: %(n)d.")
        )

    @admin.action(description=_("Отменить с указанием причины…"), permissions=["change"])
    def cancel_orders(self, request, queryset):
        return self._cancel_page(request, list(queryset.order_by("id")))

    def _cancel_page(self, request, orders: list[Order]):
        """Ask for the reason; with it, cancel each order (stock goes back) and return to the list."""
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(
                request,
                orders,
                lambda o: order_cancel(order=o, actor=request.user, reason=reason),
                gettext("Отменено заказов: %(n)d."),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Отмена заказов"),
            "opts": self.model._meta,
            "orders": orders,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/orders/order/cancel.html", context)

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="orders_order_cancel",
            )
        ]
        return urls + super().get_urls()

    def cancel_view(self, request, object_id: int):
        order = get_object_or_404(Order, pk=object_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        response = self._cancel_page(request, [order])
        return response or redirect("admin:orders_order_change", object_id)
