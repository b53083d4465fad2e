import pytest
from django.core.exceptions import ValidationError

from storefront.accounts.phone import normalize_phone


@pytest.mark.parametrize(
    "raw",
    ["+7 916 123-45-67", "89161234567", "8 (916) 123-45-67", "+79161234567", "9161234567", " +7(916)1234567 "],
)
def test_russian_numbers_in_any_common_spelling_normalise_to_e164(raw):
    assert normalize_phone(raw) == "+79161234567"


def test_foreign_number_with_country_code_is_kept():
    assert normalize_phone("+49 30 901820") == "+4930901820"


@pytest.mark.parametrize("raw", ["", "   ", "12345", "+7 916 123", "abcdefghijk", "+7 000 000-00-00", "8" * 40])
def test_malformed_numbers_are_rejected_with_a_readable_message(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert "Введите номер телефона полностью" in exc.value.messages[0]
