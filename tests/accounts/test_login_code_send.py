import pytest

from storefront.accounts.exceptions import ResendTooSoon, SendLimitIp, SendLimitPhone
from storefront.accounts.models import LoginCode
from storefront.accounts.services import login_code_send

from .conftest import IP, PHONE

pytestmark = pytest.mark.django_db


def test_code_is_stored_hashed_never_raw(send_code):
    code = send_code()
    row = LoginCode.objects.get(phone=PHONE)
    assert code not in row.code_hash
    assert len(row.code_hash) == 64


def test_sms_is_sent_only_after_the_code_commits(sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        login_code_send(phone=PHONE, ip=IP)
    assert sms_outbox == []
    callbacks[0]()
    assert sms_outbox[0][0] == PHONE


def test_second_code_within_cooldown_is_refused(send_code):
    send_code()
    with pytest.raises(ResendTooSoon) as exc:
        login_code_send(phone=PHONE, ip=IP)
    assert 0 < exc.value.seconds <= 60
    assert LoginCode.objects.count() == 1


def test_send_limit_per_phone(send_code, settings, no_cooldown):
    settings.STORE_OTP_SEND_LIMIT_PER_PHONE = 2
    send_code(ip="203.0.113.1")
    send_code(ip="203.0.113.2")
    with pytest.raises(SendLimitPhone):
        login_code_send(phone=PHONE, ip="203.0.113.3")
    assert LoginCode.objects.count() == 2


def test_send_limit_per_ip(send_code, settings):
    settings.STORE_OTP_SEND_LIMIT_PER_IP = 2
    send_code(phone="+79160000001")
    send_code(phone="+79160000002")
    with pytest.raises(SendLimitIp):
        login_code_send(phone="+79160000003", ip=IP)
    assert LoginCode.objects.count() == 2
