from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "storefront.cart"
    label = "cart"
    verbose_name = "Корзина"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .receivers import cart_merge_on_login

        user_logged_in.connect(cart_merge_on_login, dispatch_uid="cart_merge_on_login")
