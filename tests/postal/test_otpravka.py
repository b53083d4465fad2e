"""Registering parcels with the partner (Otpravka REST) against the sandbox over HTTP."""

from __future__ import annotations

import pytest

from logistics.postal.exceptions import PartnerAuthError, RegistrationRejected
from logistics.postal.otpravka import OtpravkaClient
from logistics.tracking_numbers import is_valid

ORDER = {
    "order-num": "MS-2611-000001-1",
    "mail-type": "POSTAL_PARCEL",
    "mail-category": "WITH_DECLARED_VALUE",
    "index-to": 101000,
    "mass": 800,
    "insr-value": 150000,
    "recipient-name": "Иван Петров",
}


def test_registered_order_gets_a_valid_barcode(post_sandbox):
    registered = OtpravkaClient().order_register(ORDER)
    assert registered.created
    assert is_valid(registered.barcode)


def test_registering_the_same_order_again_returns_the_first_barcode(post_sandbox):
    first = OtpravkaClient().order_register(ORDER)
    again = OtpravkaClient().order_register(ORDER)
    assert (again.barcode, again.backlog_id, again.created) == (first.barcode, first.backlog_id, False)


def test_invalid_order_is_rejected_with_the_partner_codes(post_sandbox):
    with pytest.raises(RegistrationRejected) as caught:
        OtpravkaClient().order_register({**ORDER, "index-to": "12345", "mass": 0})
    assert [e["code"] for e in caught.value.errors] == ["ILLEGAL_INDEX_TO", "ILLEGAL_MASS"]


def test_wrong_token_is_an_auth_error(post_sandbox, settings):
    settings.STORE_POST_OTPRAVKA_TOKEN = "stolen"
    with pytest.raises(PartnerAuthError):
        OtpravkaClient().order_register(ORDER)
