from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    label = "orders"
    verbose_name = "Заказы"

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - the outbox refuses task names this process does not know
