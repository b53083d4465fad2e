"""Carts, read-only: support can see what a shopper has in the cart ("the button does nothing")."""

from django.contrib import admin

from storefront.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Cart, CartLine


class CartLineInline(ReadOnlyInline):
    model = CartLine
    fields = ("sku", "quantity", "price_rub_seen", "added_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku")


@admin.register(Cart)
class CartAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "created_at", "updated_at")
    list_select_related = ("user",)
    search_fields = ("=user__phone",)
    show_full_result_count = False
    readonly_fields = ("user", "created_at", "updated_at")
    inlines = (CartLineInline,)
