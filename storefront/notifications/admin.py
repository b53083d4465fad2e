from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from storefront.core.admin import ReadOnlyAdmin

from .kinds import KINDS, mask_secrets
from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "channel", "recipient", "user", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "kind", "language", "created_at")
    search_fields = ("=phone", "email", "=key", "user__phone", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"
    fields = (
        ("key", "kind", "channel", "language"),
        ("user", "phone", "email"),
        ("status", "attempts", "created_at", "sent_at"),
        "subject",
        "shown_text",
        "error",
    )
    readonly_fields = ("shown_text",)

    @admin.display(description=_("текст"))
    def shown_text(self, obj: Notification) -> str:
        kind = KINDS.get(obj.kind)
        return mask_secrets(obj.text) if kind and kind.secret else obj.text


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "channel", "category", "enabled", "updated_at")
    list_filter = ("channel", "category", "enabled")
    search_fields = ("=user__phone", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
