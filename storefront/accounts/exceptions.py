"""Accounts errors; every `message` is a translated constant safe to show to a shopper."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AccountsError(Exception):
    message = _("Не удалось войти. Попробуйте ещё раз.")

    def __str__(self) -> str:
        return str(self.message)


class LoginCodeError(AccountsError):
    """The code cannot log the shopper in."""


class CodeBurnt(LoginCodeError):
    message = _("Слишком много неверных попыток. Запросите новый код.")


class CodeWrong(LoginCodeError):
    def __init__(self, attempts_left: int):
        super().__init__(attempts_left)
        self.attempts_left = attempts_left
        if attempts_left > 0:
            self.message = gettext("Неверный код. Осталось попыток: %(n)d.") % {"n": attempts_left}
        else:  # that was the last try: the code is burnt
            self.message = CodeBurnt.message


class CodeExpired(LoginCodeError):
    message = _("Срок действия кода истёк. Запросите новый код.")


class CodeUsed(LoginCodeError):
    message = _("Этот код уже использован. Запросите новый код.")


class AccountDisabled(LoginCodeError):
    message = _("Вход с этим номером недоступен. Обратитесь в поддержку.")


class RateLimited(AccountsError):
    """Too many requests; shown on the page with status 429."""


class SendLimitPhone(RateLimited):
    message = _("На этот номер отправлено слишком много кодов. Попробуйте через час.")


class SendLimitIp(RateLimited):
    message = _("Слишком много запросов кода с вашего адреса. Попробуйте через час.")


class VerifyLimit(RateLimited):
    message = _("Слишком много попыток входа с вашего адреса. Попробуйте через час.")


class ResendTooSoon(RateLimited):
    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds
        self.message = gettext("Новый код можно запросить через %(s)d с.") % {"s": seconds}
