from django.utils.translation import gettext_lazy as _


class CatalogError(Exception):
    message = _("Ошибка каталога.")

    def __init__(self, message=None):
        super().__init__(message or self.message)
        self.message = message or self.message


class FxRateMissing(CatalogError):
    message = _("Нет курса валюты: цены в этой валюте сейчас не показываются.")


class InvalidPrice(CatalogError):
    message = _("Цена должна быть положительным числом с точностью до копейки.")


class InvalidCurrency(CatalogError):
    message = _("Неизвестная валюта: допустимы RUB, CNY и EUR.")


class InvalidStock(CatalogError):
    message = _("Остаток не может быть отрицательным.")


class CategoryCycle(CatalogError):
    message = _("Категорию нельзя вложить в саму себя или в её подкатегорию.")


class FeedError(CatalogError):
    """A file ops load (rates, catalog feed) cannot be read at all; `line` points at the place when known."""

    message = _("Файл не удалось прочитать.")

    def __init__(self, message=None, *, line: int | None = None):
        super().__init__(message)
        self.line = line

    def __str__(self) -> str:
        return f"строка {self.line}: {self.message}" if self.line else str(self.message)
