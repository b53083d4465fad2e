"""The base of the apps' domain errors whose `message` is a translated text safe to show to a shopper."""

from django.utils.translation import gettext_lazy as _


class ShopperFacingError(Exception):
    message = _("Что-то пошло не так. Попробуйте ещё раз.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)
