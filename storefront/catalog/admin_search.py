"""Admin for the search log: what shoppers looked for and did not find, for the catalog team."""

from django.contrib import admin

from .search_models import SearchMiss


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    list_display = ["term", "count", "last_seen", "first_seen"]
    search_fields = ["term"]
    ordering = ["-count", "-last_seen"]
    date_hierarchy = "last_seen"
    readonly_fields = ["term", "count", "first_seen", "last_seen"]
    list_per_page = 100
    show_full_result_count = False  # the log can grow large: no COUNT(*) of the whole table per page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
