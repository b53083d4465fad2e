from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import LoginCode, User
from .phone import normalize_phone


def _phone_field() -> forms.CharField:
    # longer than the stored E.164 so staff can paste "+7 (916) 123-45-67"; clean_phone normalises it
    help_text = _("Можно с пробелами и скобками; сохранится как +79161234567.")
    return forms.CharField(label=_("телефон"), max_length=32, help_text=help_text)


class _PhoneCleanMixin:
    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class UserCreateForm(_PhoneCleanMixin, AdminUserCreationForm):
    phone = _phone_field()

    class Meta:
        model = User
        fields = ("phone",)


class UserEditForm(_PhoneCleanMixin, UserChangeForm):
    phone = _phone_field()

    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        (_("Личные данные"), {"fields": ("first_name", "last_name", "email", "language")}),
        (_("Права"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("phone", "usable_password", "password1", "password2")}),)
    list_display = ("phone", "first_name", "last_name", "email", "is_staff", "date_joined")
    list_filter = ("is_staff", "groups", "is_active", "is_superuser")
    search_fields = ("phone", "email", "first_name", "last_name")
    ordering = ("-date_joined",)
    readonly_fields = ("last_login", "date_joined")


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin):
    """Read-only: lets support see whether and when a code was sent ("the SMS never came")."""

    list_display = ("phone", "created_at", "expires_at", "attempts", "used_at", "ip")
    search_fields = ("phone",)
    date_hierarchy = "created_at"
    exclude = ("code_hash",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
