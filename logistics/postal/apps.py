from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostalConfig(AppConfig):
    name = "logistics.postal"
    label = "postal"
    verbose_name = _("Почта: отслеживание")
