from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("payments/webhook/", views.webhook, name="webhook"),
]
