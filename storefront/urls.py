from django.conf import settings
from django.conf.urls.i18n import i18n_patterns  # noqa: F401 - language is chosen by cookie, URLs stay unprefixed
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("storefront.core.urls")),
    path("account/", include("storefront.accounts.urls")),
    path("", include("storefront.catalog.urls")),
    path("cart/", include("storefront.cart.urls")),
    path("checkout/", include("storefront.cart.checkout_urls")),
    path("", include("orders.urls")),
    path("", include("payments.urls")),
    path("", include("logistics.urls")),
    path("", include("logistics.postal.urls")),
    path("", include("loyalty.urls")),
    path("", include("aftersales.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "storefront.core.views.page_not_found"
handler500 = "storefront.core.views.server_error"
