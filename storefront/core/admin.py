from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For history the code writes and staff only read (outbox jobs, notifications, audit rows)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent and never edited there (order lines, status history)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
