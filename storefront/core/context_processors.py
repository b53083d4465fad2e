from django.conf import settings


def store(request):
    cart_count = 0
    getter = getattr(request, "cart_count", None)
    if callable(getter):
        cart_count = getter()
    else:
        cart_count = request.session.get("cart_count", 0) if hasattr(request, "session") else 0
    return {"STORE_SITE_NAME": settings.STORE_SITE_NAME, "cart_count": cart_count}
