from django.conf import settings


def store(request):
    from storefront.cart.session import cart_count_from_session

    cart_count = cart_count_from_session(request)  # a mirror the cart views keep in the session: no query
    return {"STORE_SITE_NAME": settings.STORE_SITE_NAME, "cart_count": cart_count}
