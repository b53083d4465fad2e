from django.urls import path

from . import views

app_name = "cart"
urlpatterns = [
    path("", views.cart_detail_view, name="detail"),
    path("add/", views.cart_add_view, name="add"),
    path("line/<int:line_id>/", views.cart_line_update_view, name="line_update"),
    path("line/<int:line_id>/remove/", views.cart_line_remove_view, name="line_remove"),
    path("continue/", views.cart_continue_view, name="continue"),
]
