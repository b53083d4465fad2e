from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "storefront.accounts"
    label = "accounts"
    verbose_name = "Покупатели и сотрудники"

    def ready(self) -> None:
        from .roles import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="accounts.staff_groups_sync")
