"""Accounts writes: sending and checking one-time login codes, creating the shopper on first login.

Locking policy: verification locks the phone's newest LoginCode row (`select_for_update`), so a code is consumed
exactly once even when several requests present it at the same moment.
"""

import secrets
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from .exceptions import (
    AccountDisabled,
    CodeBurnt,
    CodeExpired,
    CodeUsed,
    CodeWrong,
    LoginCodeError,
    ResendTooSoon,
    SendLimitIp,
    SendLimitPhone,
    VerifyLimit,
)
from .models import LoginCode, User
from .ratelimit import limit_hit

HOUR = 3600
LOGIN_CODE_KEEP = timedelta(days=1)  # support looks up "the SMS never came" the same day


def login_code_hash(*, phone: str, code: str) -> str:
    """HMAC keyed by SECRET_KEY: a leaked table alone does not reveal codes (a bare hash of 6 digits would)."""
    return salted_hmac("storefront.accounts.login-code", f"{phone}:{code}", algorithm="sha256").hexdigest()


def _cooldown_key(phone: str) -> str:
    return f"otp:cooldown:{phone}"


def login_code_cooldown_left(*, phone: str) -> int:
    """Seconds until another code may be sent to `phone` (0 when it may be sent now)."""
    until = cache.get(_cooldown_key(phone))
    return max(0, int(until - time.time()) + 1) if until else 0


def _cooldown_start(phone: str) -> None:
    seconds = settings.STORE_OTP_RESEND_SECONDS
    if seconds > 0 and not cache.add(_cooldown_key(phone), time.time() + seconds, timeout=seconds):
        raise ResendTooSoon(login_code_cooldown_left(phone=phone))


def _deliver_code(phone: str, code: str) -> None:
    text = gettext("%(code)s — код для входа в %(site)s. Никому его не сообщайте.") % {
        "code": code,
        "site": settings.STORE_SITE_NAME,
    }
    import_string(settings.STORE_SMS_BACKEND)().send(phone, text)


def login_code_send(*, phone: str, ip: str | None) -> LoginCode:
    """Create a fresh code for `phone` (E.164) and text it after commit; the phone's older codes stop working."""
    _cooldown_start(phone)
    if not limit_hit(f"otp:send:ip:{ip}", limit=settings.STORE_OTP_SEND_LIMIT_PER_IP, window=HOUR):
        cache.delete(_cooldown_key(phone))  # nothing was sent: the limit, not a cooldown, is what the user must see
        raise SendLimitIp
    if not limit_hit(f"otp:send:phone:{phone}", limit=settings.STORE_OTP_SEND_LIMIT_PER_PHONE, window=HOUR):
        cache.delete(_cooldown_key(phone))
        raise SendLimitPhone
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    with transaction.atomic(durable=True):
        login_code = LoginCode.objects.create(
            phone=phone,
            code_hash=login_code_hash(phone=phone, code=code),
            ip=ip,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.STORE_OTP_TTL_SECONDS),
        )
        # robust: a gateway failure is logged, not shown as an error page; the shopper can resend after the cooldown
        transaction.on_commit(lambda: _deliver_code(phone, code), robust=True)
    return login_code


def _code_problem(login_code: LoginCode | None, code: str, phone: str) -> LoginCodeError | None:
    if login_code is None:
        return CodeExpired()
    if login_code.used_at is not None:
        return CodeUsed()
    if login_code.attempts >= settings.STORE_OTP_MAX_ATTEMPTS:
        return CodeBurnt()
    if login_code.expires_at <= timezone.now():
        return CodeExpired()
    if not constant_time_compare(login_code.code_hash, login_code_hash(phone=phone, code=code)):
        return CodeWrong(settings.STORE_OTP_MAX_ATTEMPTS - login_code.attempts - 1)
    return None


def login_code_verify(*, phone: str, code: str, ip: str | None) -> User:
    """Consume the phone's live code and return its user, created on first login; raise a LoginCodeError otherwise."""
    if not limit_hit(f"otp:verify:ip:{ip}", limit=settings.STORE_OTP_VERIFY_LIMIT_PER_IP, window=HOUR):
        raise VerifyLimit
    with transaction.atomic(durable=True):
        login_code = LoginCode.objects.select_for_update().filter(phone=phone).order_by("-created_at", "-pk").first()
        problem = _code_problem(login_code, code, phone)
        if isinstance(problem, CodeWrong):
            LoginCode.objects.filter(pk=login_code.pk).update(attempts=F("attempts") + 1)
        if problem is None:
            user, _created = User.objects.get_or_create(phone=phone, defaults={"password": make_password(None)})
            if not user.is_active:
                raise AccountDisabled  # rolls back: the code stays unused
            LoginCode.objects.filter(pk=login_code.pk).update(used_at=timezone.now())
    # raised after the block so the counted wrong attempt is committed
    if problem is not None:
        raise problem
    return user


def login_code_cleanup(*, now: datetime | None = None) -> int:
    """Delete codes that stopped working more than LOGIN_CODE_KEEP ago (never a live one); return how many."""
    cutoff = (now or timezone.now()) - LOGIN_CODE_KEEP
    # one DELETE: a day's codes are few, and verification only ever locks a phone's newest row
    return LoginCode.objects.filter(expires_at__lt=cutoff).delete()[0]
