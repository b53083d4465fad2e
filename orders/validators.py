"""Rules for order contact and address data, shared by the checkout forms and order_place."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

POSTCODE_RE = r"^[1-9][0-9]{5}$"
POSTCODE_INVALID = _("Индекс — 6 цифр и не начинается с 0, например 101000.")

postcode_validator = RegexValidator(POSTCODE_RE, POSTCODE_INVALID, code="invalid_postcode")

MAX_LINE_QUANTITY = 99  # one line of a cart or an order: 1..99 pieces
