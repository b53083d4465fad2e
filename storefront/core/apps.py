from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "storefront.core"
    label = "core"
    verbose_name = "Ядро"
