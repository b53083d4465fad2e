"""Orders errors; every `message` is translated text safe to show to a shopper or to support staff."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from storefront.core.exceptions import ShopperFacingError


class OrderError(ShopperFacingError):
    message = _("Не удалось оформить заказ. Попробуйте ещё раз.")


class EmptyOrder(OrderError):
    message = _("В корзине нет товаров.")


class QuantityInvalid(OrderError):
    message = _("Количество должно быть от 1 до 99.")


class ItemUnavailable(OrderError):
    """A SKU that is unknown, no longer sold, or priced in a currency without a rate."""

    def __init__(self, title: str | None = None):
        if title:
            super().__init__(gettext("Товар «%(title)s» сейчас нельзя заказать.") % {"title": title})
        else:
            super().__init__(gettext("Такого товара нет в каталоге."))


class PricesChanged(OrderError):
    """A price changed between the shopper's last look at it (the cart the checkout read) and the placing."""

    message = _("Цены изменились. Проверьте сумму и подтвердите заказ ещё раз.")


class OutOfStock(OrderError):
    """Not enough stock for one or more lines; `items` is [(title, available)]."""

    def __init__(self, items: list[tuple[str, int]]):
        self.items = items
        parts = []
        for title, available in items:
            if available > 0:
                parts.append(gettext("«%(title)s» — осталось %(n)d шт.") % {"title": title, "n": available})
            else:
                parts.append(gettext("«%(title)s» — закончился") % {"title": title})
        super().__init__(gettext("Не хватает товара на складе: %(items)s.") % {"items": "; ".join(parts)})


class OrderDetailsInvalid(OrderError):
    """Contact or address data that fails the rules; `field` names the field."""

    def __init__(self, field: str, message):
        self.field = field
        super().__init__(message)


class InvalidTransition(OrderError):
    def __init__(self, *, number: str, from_label: str, to_label: str):
        self.number = number
        super().__init__(
            gettext("Заказ %(number)s нельзя перевести из статуса «%(from)s» в «%(to)s».")
            % {"number": number, "from": from_label, "to": to_label}
        )


class CancelRefused(OrderError):
    """Another app says the order can no longer be cancelled (orders/hooks.py); the message says why."""


class ReasonRequired(OrderError):
    message = _("Укажите причину.")
