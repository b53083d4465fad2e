from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from storefront.core.admin import ReadOnlyAdmin

from .models import JobExecution, OutboxJob


class PendingFilter(admin.SimpleListFilter):
    title = _("состояние")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", _("ждёт передачи")), ("failing", _("с ошибкой")), ("relayed", _("передано"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(relayed_at__isnull=True)
        if self.value() == "failing":
            return queryset.filter(relayed_at__isnull=True).exclude(last_error="")
        if self.value() == "relayed":
            return queryset.filter(relayed_at__isnull=False)
        return queryset


@admin.register(OutboxJob)
class OutboxJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "task", "queue", "key", "created_at", "available_at", "relayed_at", "attempts", "last_error")
    list_filter = (PendingFilter, "task", "queue")
    search_fields = ("=key", "task")
    date_hierarchy = "created_at"
    ordering = ("-id",)


@admin.register(JobExecution)
class JobExecutionAdmin(ReadOnlyAdmin):
    list_display = ("key", "task", "finished_at")
    list_filter = ("task",)
    search_fields = ("=key",)
    date_hierarchy = "finished_at"
