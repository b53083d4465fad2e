from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "storefront.catalog"
    label = "catalog"
    verbose_name = "Каталог"

    def ready(self):
        from . import admin_search  # noqa: F401 - the search log's admin (admin.py belongs to the catalog admin)
