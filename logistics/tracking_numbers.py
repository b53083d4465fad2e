"""Tracking numbers (DOMAIN.md 2): UPU S10 for international items, the 14-digit ШПИ for domestic ones.

- S10: 2 letters (service indicator) + 8-digit serial + check digit + ISO alpha-2 country, e.g. RA123456785CN.
  Check digit: weights 8,6,4,2,3,5,9,7 over the serial; C = 11 − (S mod 11); 10 → 0, 11 → 5.
- ШПИ: 6-digit accepting-office index + 2-digit month code + 5-digit serial + check digit, e.g. 10944022440321.
  S = 3 × (digits 1,3,…,13) + (digits 2,4,…,12); check = (10 − S mod 10) mod 10.

`tracking_number_parse` is the one entry point for anything typed by a person or sent by a partner: it normalises
(spaces, dashes, case) and raises `django.core.exceptions.ValidationError` with a message a shopper can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
S10_RE = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
DOMESTIC_RE = re.compile(r"^\d{14}$")
MONTH_CODES = 96  # the ШПИ month code cycles 01..96

KIND_S10 = "s10"
KIND_DOMESTIC = "domestic"

MSG_EMPTY = _("Введите трек-номер.")
MSG_FORMAT = _(
    "Трек-номер выглядит так: 14 цифр (например, 10944022440321) или 13 знаков — две латинские буквы, "
    "девять цифр и две буквы (например, RA123456785CN)."
)
MSG_S10_CHECK = _("В номере %(number)s не сходится контрольная цифра: проверьте, нет ли опечатки.")
MSG_DOMESTIC_CHECK = _("В номере %(number)s не сходится последняя (контрольная) цифра: проверьте, нет ли опечатки.")


@dataclass(frozen=True)
class TrackingNumber:
    number: str  # normalised: upper case, no spaces
    kind: str  # KIND_S10 or KIND_DOMESTIC

    @property
    def is_international(self) -> bool:
        return self.kind == KIND_S10

    @property
    def country(self) -> str:
        """ISO alpha-2 of the issuing post for S10 numbers ("CN"), "RU" for a domestic ШПИ."""
        return self.number[-2:] if self.kind == KIND_S10 else "RU"

    def __str__(self) -> str:
        return self.number


def normalize(value: str) -> str:
    """Upper case without spaces, dashes or dots: what people paste from emails and labels."""
    return re.sub(r"[\s\-.\u00a0]", "", value or "").upper()


def s10_check_digit(serial: str) -> int:
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("an S10 serial is 8 digits")
    c = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(c, c)


def domestic_check_digit(first13: str) -> int:
    if len(first13) != 13 or not first13.isdigit():
        raise ValueError("a ШПИ without its check digit is 13 digits")
    odd = sum(int(d) for d in first13[0::2])  # positions 1, 3, …, 13
    even = sum(int(d) for d in first13[1::2])  # positions 2, 4, …, 12
    return (10 - (3 * odd + even) % 10) % 10


def tracking_number_parse(value: str) -> TrackingNumber:
    """A valid tracking number or ValidationError (code "empty", "format" or "check") with a Russian message."""
    number = normalize(value)
    if not number:
        raise ValidationError(MSG_EMPTY, code="empty")
    match = S10_RE.match(number)
    if match:
        if int(match.group(3)) != s10_check_digit(match.group(2)):
            raise ValidationError(MSG_S10_CHECK, code="check", params={"number": number})
        return TrackingNumber(number, KIND_S10)
    if DOMESTIC_RE.match(number):
        if int(number[13]) != domestic_check_digit(number[:13]):
            raise ValidationError(MSG_DOMESTIC_CHECK, code="check", params={"number": number})
        return TrackingNumber(number, KIND_DOMESTIC)
    raise ValidationError(MSG_FORMAT, code="format")


def is_valid(value: str) -> bool:
    try:
        tracking_number_parse(value)
    except ValidationError:
        return False
    return True


def tracking_number_validator(value: str) -> None:
    """Model/form field validator."""
    tracking_number_parse(value)


def s10_make(*, serial: int, service: str = "RA", country: str = "RU") -> str:
    """An S10 number for `serial` (0..99 999 999) with its check digit: s10_make(serial=12345678, country="CN")."""
    service, country = service.upper(), country.upper()
    if not re.fullmatch(r"[A-Z]{2}", service) or not re.fullmatch(r"[A-Z]{2}", country):
        raise ValueError("service indicator and country are two Latin letters")
    if not 0 <= serial <= 99_999_999:
        raise ValueError("an S10 serial has 8 digits")
    digits = f"{serial:08d}"
    return f"{service}{digits}{s10_check_digit(digits)}{country}"


def domestic_make(*, index: str, month_code: int, serial: int) -> str:
    """A 14-digit ШПИ: office index (6 digits), month code 1..96, serial 0..99 999, check digit."""
    if not re.fullmatch(r"[1-9]\d{5}", index or ""):
        raise ValueError("the accepting office index is 6 digits")
    if not 1 <= month_code <= MONTH_CODES:
        raise ValueError("the month code is 1..96")
    if not 0 <= serial <= 99_999:
        raise ValueError("a ШПИ serial has 5 digits")
    first13 = f"{index}{month_code:02d}{serial:05d}"
    return f"{first13}{domestic_check_digit(first13)}"
