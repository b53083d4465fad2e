from django.urls import path

from . import views

app_name = "logistics"
urlpatterns = [
    path("delivery/promise/", views.promise_view, name="promise"),
    path("delivery/postcode/", views.postcode_view, name="postcode"),
    path("delivery/cart/", views.cart_delivery_view, name="cart"),
    path("delivery/pickup-points/", views.pickup_search_view, name="pickup_search"),
]
