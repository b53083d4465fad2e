"""The store's URLs plus the benchmark-only ceiling view, so production URLs stay clean."""

from django.urls import path

from storefront.urls import handler404, handler500
from storefront.urls import urlpatterns as store_urlpatterns

from .views import constant_view

urlpatterns = [
    path("bench/constant/", constant_view, name="bench-constant"),
    *store_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
