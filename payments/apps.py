from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    label = "payments"
    verbose_name = "Платежи"

    def ready(self) -> None:
        from orders.hooks import on_order_cancelled

        # an order cancelled anywhere (admin, abandonment, refusal) voids its open payments: payments/cancel.py
        on_order_cancelled("payments.tasks.order_cancelled_process")
        # ... and gives back what was paid for it: payments/cancel.py (order_cancelled_refund)
        on_order_cancelled("payments.tasks.order_cancelled_refund_process")
