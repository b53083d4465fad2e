from django.apps import AppConfig


class LogisticsConfig(AppConfig):
    name = "logistics"
    label = "logistics"
    verbose_name = "Доставка"

    def ready(self) -> None:
        from orders.hooks import on_order_cancel_check

        # an order whose parcel has left our warehouse is not cancelled any more: it comes back as a return
        on_order_cancel_check("logistics.services.cancel.order_cancel_check")
