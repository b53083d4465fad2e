import pytest
from django.core.exceptions import ValidationError

from logistics.tracking_numbers import (
    KIND_DOMESTIC,
    KIND_S10,
    S10_WEIGHTS,
    domestic_check_digit,
    domestic_make,
    is_valid,
    s10_check_digit,
    s10_make,
    tracking_number_parse,
)


def test_s10_check_digit_of_the_worked_example():
    assert s10_check_digit("12345678") == 5


def test_s10_known_valid_number_parses_as_international():
    parsed = tracking_number_parse("RA123456785CN")
    assert parsed.kind == KIND_S10
    assert parsed.country == "CN"


@pytest.mark.parametrize("number", ["RA644000001RU", "RA123456788RU"])
def test_s10_spec_examples_fail_the_check_digit(number):
    with pytest.raises(ValidationError) as exc:
        tracking_number_parse(number)
    assert exc.value.code == "check"
    assert "контрольная цифра" in exc.value.messages[0]


def test_s10_check_digit_ten_becomes_zero_and_eleven_becomes_five():
    # S mod 11 == 1 -> C = 10 -> 0; S mod 11 == 0 -> C = 11 -> 5
    serial_mod1 = next(
        f"{n:08d}"
        for n in range(1000)
        if sum(int(d) * w for d, w in zip(f"{n:08d}", S10_WEIGHTS, strict=True)) % 11 == 1
    )
    serial_mod0 = "00000000"
    assert s10_check_digit(serial_mod1) == 0
    assert s10_check_digit(serial_mod0) == 5


def test_s10_typed_with_spaces_and_lower_case_is_normalised():
    assert tracking_number_parse(" ra 1234 5678 5cn ").number == "RA123456785CN"


def test_s10_one_mistyped_serial_digit_is_rejected():
    assert not is_valid("RA123456795CN")


@pytest.mark.parametrize("number", ["10944022440321", "11172522364055", "10944022490302", "14102192069353"])
def test_domestic_real_barcodes_are_valid(number):
    assert tracking_number_parse(number).kind == KIND_DOMESTIC


def test_domestic_wrong_last_digit_is_rejected_with_a_clear_message():
    with pytest.raises(ValidationError) as exc:
        tracking_number_parse("10944022440322")
    assert exc.value.code == "check"
    assert "10944022440322" in exc.value.messages[0]


@pytest.mark.parametrize("value", ["RA12345678CN", "1094402244032", "ABCDEFGHIJKLM", "RA1234567850CN"])
def test_wrong_shape_gets_the_format_message(value):
    with pytest.raises(ValidationError) as exc:
        tracking_number_parse(value)
    assert exc.value.code == "format"
    assert "14 цифр" in exc.value.messages[0]


def test_empty_number_asks_to_enter_one():
    with pytest.raises(ValidationError) as exc:
        tracking_number_parse("   ")
    assert exc.value.code == "empty"


def test_generated_s10_numbers_are_valid():
    assert s10_make(serial=12345678, country="CN") == "RA123456785CN"
    assert all(is_valid(s10_make(serial=n * 7919, service="CP", country="DE")) for n in range(500))


def test_generated_domestic_numbers_are_valid_and_match_a_real_one():
    assert domestic_make(index="109440", month_code=22, serial=44032) == "10944022440321"
    assert all(is_valid(domestic_make(index="101000", month_code=1 + n % 96, serial=n)) for n in range(500))


def test_domestic_check_digit_needs_thirteen_digits():
    with pytest.raises(ValueError):
        domestic_check_digit("123")
