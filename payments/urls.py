from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("payments/webhook/", views.webhook, name="webhook"),
    # an order's payment panel (htmx polls it) and "pay / pay again": by number for its owner, by signed link for
    # a guest (the same token as the order page's)
    path("payments/orders/guest/<str:token>/state/", views.order_payment_state_view, name="guest_state"),
    path("payments/orders/guest/<str:token>/pay/", views.order_pay_view, name="guest_pay"),
    path("payments/orders/<str:number>/state/", views.order_payment_state_view, name="state"),
    path("payments/orders/<str:number>/pay/", views.order_pay_view, name="pay"),
]
