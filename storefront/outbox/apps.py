from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "storefront.outbox"
    label = "outbox"
    verbose_name = "Очередь заданий (outbox)"
