"""Logistics errors; every `message` is translated text safe to show to a shopper or to support staff."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from storefront.core.exceptions import ShopperFacingError


class LogisticsError(ShopperFacingError):
    message = _("Не удалось обработать доставку. Попробуйте ещё раз.")


class InvalidParcelTransition(LogisticsError):
    def __init__(self, *, reference: str, from_label: str, to_label: str):
        self.reference = reference
        super().__init__(
            gettext("Посылку %(ref)s нельзя перевести из статуса «%(from)s» в «%(to)s».")
            % {"ref": reference, "from": from_label, "to": to_label}
        )


class TrackingNumberTaken(LogisticsError):
    def __init__(self, number: str):
        self.number = number
        super().__init__(gettext("Трек-номер %(number)s уже присвоен другой посылке.") % {"number": number})


class DispatchMixedOrigins(LogisticsError):
    message = _("В отгрузку попадают посылки одного склада, ещё не переданные почте и не входящие в другую отгрузку.")


class DispatchHandedOver(LogisticsError):
    message = _("Отгрузка уже передана почте: добавить в неё посылки нельзя.")


class DispatchNotReady(LogisticsError):
    def __init__(self, *, empty: bool = False, unregistered: int = 0):
        self.unregistered = unregistered
        if empty:
            text = gettext("В отгрузке нет посылок.")
        else:
            text = gettext(
                "Не зарегистрировано на почте посылок в отгрузке: %(n)d. Зарегистрируйте их и повторите."
            ) % {"n": unregistered}
        super().__init__(text)
