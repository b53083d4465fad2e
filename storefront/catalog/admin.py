"""The catalog in the admin: the catalog team's and support's workplace.

Every save goes through one catalog service (price history, rouble prices, product aggregates, cache versions):
the change form's save is a single service call, which is its own durable transaction, so these admins leave out
the outer transaction Django's change form would open around it (ServiceSaveMixin). Lists select their related
rows up front, so the number of queries does not grow with the page size.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from storefront.core.admin import ReadOnlyAdmin, ReadOnlyInline
from storefront.core.money import format_money

from .exceptions import CategoryCycle
from .images import upload_check
from .models import Brand, Category, FxRate, PriceHistory, Product, ProductImage, Sku
from .services import brand_save, category_save, product_save, products_activate, sku_save


class ServiceSaveMixin:
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The service called from save_model/save_related is the transaction (atomic(durable=True)); the admin's
        # own atomic around the form would nest it. Validation happens before, so nothing is half-saved.
        return self._changeform_view(request, object_id, form_url, extra_context)


# --- categories and brands --------------------------------------------------------------------------------------


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "position", "is_active", "external_id"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        own = self.instance
        if parent is not None and own.pk is not None and (parent.pk == own.pk or parent.path.startswith(own.path)):
            raise forms.ValidationError(CategoryCycle.message)
        return parent


@admin.register(Category)
class CategoryAdmin(ServiceSaveMixin, admin.ModelAdmin):
    form = CategoryForm
    list_display = ["tree_name", "slug", "position", "is_active", "external_id"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "=external_id"]
    ordering = ["path"]  # "1/", "1/5/", "12/": the tree in order, children under their parent
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["path"]
    list_per_page = 100

    @admin.display(description=_("категория"), ordering="path")
    def tree_name(self, obj: Category) -> str:
        depth = max(0, obj.path.count("/") - 1)
        return format_html("{}{}", "\u2014 " * depth, obj.name)

    def save_model(self, request, obj, form, change):
        category_save(category=obj, actor=request.user)


@admin.register(Brand)
class BrandAdmin(ServiceSaveMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        brand_save(brand=obj, actor=request.user)


# --- products -----------------------------------------------------------------------------------------------------


class SkuForm(forms.ModelForm):
    """Stock moves while a form is open (orders): the form posts the stock it showed, so an untouched stock field
    counts as unchanged and is not written back over what was sold meanwhile."""

    class Meta:
        model = Sku
        fields = ["product", "code", "options", "price", "currency", "stock", "is_active", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stock"].show_hidden_initial = True


class SkuInline(admin.TabularInline):
    model = Sku
    form = SkuForm
    fields = ["code", "options", "price", "currency", "price_rub_display", "stock", "is_active", "position"]
    readonly_fields = ["price_rub_display"]
    extra = 0
    can_delete = False  # order lines point at SKUs: take one off sale (is_active) instead
    show_change_link = True  # its page shows the price history

    @admin.display(description=_("цена в рублях"))
    def price_rub_display(self, obj: Sku) -> str:
        return format_money(obj.price_rub) if obj.price_rub is not None else "—"


class ProductImageForm(forms.ModelForm):
    source_url = forms.URLField(label=_("источник"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = ProductImage
        fields = ["image", "alt", "position", "source_url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].required = False  # imported pictures are known by URL only

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and "image" in self.changed_data:  # a new upload, not the stored file
            upload_check(image)
        return image

    def clean(self):
        data = super().clean()
        if not data.get("image") and not data.get("source_url"):
            raise forms.ValidationError(_("Загрузите изображение или укажите адрес источника."))
        return data


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    fields = ["preview", "image", "alt", "position", "source_url", "fetch_error_reason"]
    readonly_fields = ["preview", "fetch_error_reason"]
    extra = 0

    @admin.display(description=_("ошибка загрузки"))
    def fetch_error_reason(self, obj: ProductImage) -> str:
        return obj.fetch_error_text or "—"

    @admin.display(description=_("миниатюра"))
    def preview(self, obj: ProductImage) -> str:
        if obj.thumbnail:
            return format_html('<img src="{}" width="80" height="80" alt="">', obj.thumbnail.url)
        if obj.source_url and not obj.image and not obj.fetch_error:
            return gettext("загружается из фида")
        return "—"


@admin.register(Product)
class ProductAdmin(ServiceSaveMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "category",
        "brand",
        "origin",
        "price_display",
        "in_stock",
        "is_active",
        "is_own_collection",
        "popularity",
    ]
    list_filter = ["origin", "is_active", "in_stock", "is_own_collection", "category"]
    search_fields = ["title", "=external_id", "=skus__code"]
    search_help_text = _("Название, id в фиде или точный артикул SKU")
    list_select_related = ["category", "brand"]
    autocomplete_fields = ["brand", "category"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["min_price_rub", "in_stock", "created_at", "updated_at"]
    inlines = [SkuInline, ProductImageInline]
    actions = ["take_off_sale", "put_on_sale"]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) of the whole catalog on every filtered page
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "brand", "description", "attributes", "is_active"]}),
        (_("Доставка и таможня"), {"fields": ["origin", "weight_grams", "country_of_origin", "hs_code"]}),
        (_("Объявленная ценность"), {"fields": ["declared_value", "declared_currency"]}),
        (_("Сервис и витрина"), {"fields": ["is_own_collection", "popularity", "external_id"]}),
        (_("Считается автоматически"), {"fields": ["min_price_rub", "in_stock", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("цена от"), ordering="min_price_rub")
    def price_display(self, obj: Product) -> str:
        return format_money(obj.min_price_rub) if obj.min_price_rub is not None else "—"

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # products with orders cannot go; taking them off sale is the way
        return actions

    @admin.action(description=_("Снять с продажи"), permissions=["change"])
    def take_off_sale(self, request, queryset):
        self._activate(request, queryset, active=False)

    @admin.action(description=_("Вернуть в продажу"), permissions=["change"])
    def put_on_sale(self, request, queryset):
        self._activate(request, queryset, active=True)

    def _activate(self, request, queryset, *, active: bool) -> None:
        count = products_activate(
            product_ids=list(queryset.values_list("pk", flat=True)), active=active, actor=request.user
        )
        self.message_user(
            request,
            ngettext("Изменён %(n)d товар.", "Изменено товаров: %(n)d.", count) % {"n": count},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        pass  # saved with its variants and images in one service call, in save_related

    def save_related(self, request, form, formsets, change):
        skus, images, images_deleted = [], [], []
        for formset in formsets:
            formset.save(commit=False)  # fills new_objects / changed_objects / deleted_objects, writes nothing
            pairs = [(obj, None) for obj in formset.new_objects] + list(formset.changed_objects)
            if formset.model is Sku:
                skus += pairs
            elif formset.model is ProductImage:
                images += pairs
                images_deleted += formset.deleted_objects
        product_save(
            product=form.instance,
            changed_fields=form.changed_data if change else None,
            skus=skus,
            images=images,
            images_deleted=images_deleted,
            actor=request.user,
        )


# --- SKUs and their price history -----------------------------------------------------------------------------------


class PriceHistoryInline(ReadOnlyInline):
    model = PriceHistory
    fields = ["changed_at", "price", "currency", "source", "changed_by"]
    readonly_fields = fields
    ordering = ["-changed_at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


@admin.register(Sku)
class SkuAdmin(ServiceSaveMixin, admin.ModelAdmin):
    form = SkuForm
    list_display = ["code", "product", "options", "price", "currency", "price_rub", "stock", "is_active"]
    list_filter = ["currency", "is_active"]
    search_fields = ["^code", "=product__external_id"]
    search_help_text = _("Артикул (начало) или id товара в фиде")
    list_select_related = ["product"]
    autocomplete_fields = ["product"]
    readonly_fields = ["price_rub"]
    inlines = [PriceHistoryInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        sku_save(sku=obj, changed_fields=form.changed_data if change else None, actor=request.user)


@admin.register(PriceHistory)
class PriceHistoryAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "sku", "product_title", "price", "currency", "source", "changed_by"]
    list_filter = ["source", "currency"]
    search_fields = ["=sku__code"]
    search_help_text = _("Точный артикул SKU")
    list_select_related = ["sku__product", "changed_by"]
    date_hierarchy = "changed_at"
    show_full_result_count = False

    @admin.display(description=_("товар"), ordering="sku__product__title")
    def product_title(self, obj: PriceHistory) -> str:
        return obj.sku.product.title


@admin.register(FxRate)
class FxRateAdmin(ReadOnlyAdmin):
    """Rates are loaded by `manage.py update_fx_rates FILE` (the Central Bank's XML), not typed in."""

    list_display = ["date", "currency", "rate", "nominal", "per_unit", "loaded_at"]
    list_filter = ["currency"]
    search_fields = ["=currency"]
    date_hierarchy = "date"

    @admin.display(description=_("рублей за единицу"))
    def per_unit(self, obj: FxRate) -> str:
        return str((obj.rate / obj.nominal).quantize(Decimal("0.0001")))
