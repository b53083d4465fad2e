from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "storefront.core"
    label = "core"
    verbose_name = "Ядро"

    def ready(self) -> None:
        from .sql import psycopg_statement_cache_widen

        psycopg_statement_cache_widen()
