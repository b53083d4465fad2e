"""Cart errors; every `message` is a translated text safe to show to the shopper."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from storefront.core.exceptions import ShopperFacingError


class CartError(ShopperFacingError):
    message = _("Не удалось изменить корзину. Попробуйте ещё раз.")


class SkuNotFound(CartError):
    message = _("Такого товара нет в каталоге.")


class SkuUnavailable(CartError):
    message = _("Этот товар сейчас нельзя купить.")


class QuantityInvalid(CartError):
    message = _("Укажите количество от 1 до 99.")  # MAX_LINE_QUANTITY


class NotEnoughStock(CartError):
    def __init__(self, *, available: int, in_cart: int = 0):
        self.available = available
        if available <= 0:
            text = gettext("Этот товар закончился.")
        elif in_cart:
            text = gettext("На складе осталось %(n)d шт., и %(in_cart)d уже в корзине.") % {
                "n": available,
                "in_cart": in_cart,
            }
        else:
            text = gettext("На складе осталось только %(n)d шт.") % {"n": available}
        super().__init__(text)


class LineNotFound(CartError):
    message = _("Этого товара уже нет в корзине.")
