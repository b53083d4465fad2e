from django.utils.translation import gettext_lazy as _


class CatalogError(Exception):
    message = _("Ошибка каталога.")

    def __init__(self, message=None):
        super().__init__(message or self.message)
        self.message = message or self.message


class FxRateMissing(CatalogError):
    message = _("Нет курса валюты: цены в этой валюте сейчас не показываются.")
