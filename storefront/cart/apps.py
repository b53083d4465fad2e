from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "storefront.cart"
    label = "cart"
    verbose_name = "Корзина"
