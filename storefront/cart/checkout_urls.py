from django.urls import path

from . import checkout

app_name = "checkout"
urlpatterns = [
    path("", checkout.checkout_view, name="page"),
]
