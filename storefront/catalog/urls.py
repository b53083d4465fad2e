from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("c/<slug:slug>/", views.category_view, name="category"),
    path("p/<slug:slug>/", views.product_view, name="product"),
    path("p/<slug:slug>/variant/", views.product_variant_view, name="product_variant"),
]
