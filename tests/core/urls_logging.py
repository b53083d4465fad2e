"""The store's URLs plus a plain view and one that fails, for the logging tests."""

from django.http import HttpResponse
from django.urls import path

from storefront.urls import handler404, handler500  # noqa: F401
from storefront.urls import urlpatterns as store_urlpatterns


def ok(request):
    return HttpResponse("ok")


def boom(request):
    raise RuntimeError("boom: a bug in a view")


urlpatterns = [path("ok/", ok), path("boom/", boom), *store_urlpatterns]
