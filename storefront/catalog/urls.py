from django.urls import path

from . import views, views_search

app_name = "catalog"
urlpatterns = [
    path("c/<slug:slug>/", views.category_view, name="category"),
    path("p/<slug:slug>/", views.product_view, name="product"),
    path("p/<slug:slug>/variant/", views.product_variant_view, name="product_variant"),
    path("search/", views_search.search, name="search"),
    path("search/suggest/", views_search.suggest, name="suggest"),
]
