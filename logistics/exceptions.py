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
