import pytest

from storefront.accounts.exceptions import AccountDisabled, CodeBurnt, CodeExpired, CodeUsed, CodeWrong, VerifyLimit
from storefront.accounts.models import LoginCode, User
from storefront.accounts.services import login_code_verify

from .conftest import IP, PHONE
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_right_code_creates_the_user_on_first_login(send_code):
    code = send_code()
    user = login_code_verify(phone=PHONE, code=code, ip=IP)
    assert user.phone == PHONE
    assert not user.has_usable_password()
    assert LoginCode.objects.get().used_at is not None


def test_right_code_logs_in_an_existing_user(send_code):
    existing = UserFactory(phone=PHONE)
    code = send_code()
    assert login_code_verify(phone=PHONE, code=code, ip=IP) == existing
    assert User.objects.count() == 1


def test_used_code_is_rejected(send_code):
    code = send_code()
    login_code_verify(phone=PHONE, code=code, ip=IP)
    with pytest.raises(CodeUsed):
        login_code_verify(phone=PHONE, code=code, ip=IP)


def test_expired_code_is_rejected(send_code, settings):
    settings.STORE_OTP_TTL_SECONDS = 0
    code = send_code()
    with pytest.raises(CodeExpired):
        login_code_verify(phone=PHONE, code=code, ip=IP)
    assert not User.objects.exists()


def test_code_never_requested_is_rejected_as_expired():
    with pytest.raises(CodeExpired):
        login_code_verify(phone=PHONE, code="123456", ip=IP)


def test_wrong_code_counts_down_the_tries_left(send_code, settings):
    settings.STORE_OTP_MAX_ATTEMPTS = 3
    code = send_code()
    with pytest.raises(CodeWrong) as first:
        login_code_verify(phone=PHONE, code=_wrong(code), ip=IP)
    with pytest.raises(CodeWrong) as second:
        login_code_verify(phone=PHONE, code=_wrong(code), ip=IP)
    assert (first.value.attempts_left, second.value.attempts_left) == (2, 1)
    assert "Осталось попыток: 1" in str(second.value)


def test_code_is_burnt_after_max_wrong_tries_even_for_the_right_code(send_code, settings):
    settings.STORE_OTP_MAX_ATTEMPTS = 2
    code = send_code()
    for _ in range(2):
        with pytest.raises(CodeWrong):
            login_code_verify(phone=PHONE, code=_wrong(code), ip=IP)
    with pytest.raises(CodeBurnt):
        login_code_verify(phone=PHONE, code=code, ip=IP)
    assert LoginCode.objects.get().attempts == 2
    assert not User.objects.exists()


def test_new_code_replaces_the_older_one(send_code, no_cooldown):
    old = send_code()
    new = send_code()
    if old != new:  # one in a million they coincide
        with pytest.raises(CodeWrong):
            login_code_verify(phone=PHONE, code=old, ip=IP)
    assert login_code_verify(phone=PHONE, code=new, ip=IP).phone == PHONE


def test_disabled_user_cannot_log_in_and_the_code_stays_unused(send_code):
    UserFactory(phone=PHONE, is_active=False)
    code = send_code()
    with pytest.raises(AccountDisabled):
        login_code_verify(phone=PHONE, code=code, ip=IP)
    assert LoginCode.objects.get().used_at is None


def test_verify_limit_per_ip(send_code, settings):
    settings.STORE_OTP_VERIFY_LIMIT_PER_IP = 2
    code = send_code()
    for _ in range(2):
        with pytest.raises(CodeWrong):
            login_code_verify(phone=PHONE, code=_wrong(code), ip=IP)
    with pytest.raises(VerifyLimit):
        login_code_verify(phone=PHONE, code=code, ip=IP)
    assert LoginCode.objects.get().used_at is None
