from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "storefront.accounts"
    label = "accounts"
    verbose_name = "Покупатели и сотрудники"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .roles import on_post_migrate
        from .sessions import on_user_logged_in

        post_migrate.connect(on_post_migrate, dispatch_uid="accounts.staff_groups_sync")
        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.auth_method_reset")


class StoreAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site (admin_site.py): staff need a password login, not only an SMS code."""

    default = False  # AccountsConfig stays this module's default config
    default_site = "storefront.accounts.admin_site.StoreAdminSite"
