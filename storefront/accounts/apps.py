from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "storefront.accounts"
    label = "accounts"
    verbose_name = "Покупатели и сотрудники"
