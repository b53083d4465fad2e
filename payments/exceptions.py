"""The payments app's errors.

PaymentError
├── PaymentDeclined        the bank / lender / shopper said no: its message is safe to show
├── RefundNotAllowed       more than was paid, or a payment that cannot be refunded (staff see the message)
├── PaymentMethodUnavailable  the method does not fit this order (safe to show)
│   └── CodUnavailable     pay on delivery not allowed for this order: why, safe to show
├── CodNotFound            no pay-on-delivery payment for that order / tracking number
├── OrderNotPayable        the order is not waiting for a payment (safe to show)
├── InvalidPaymentTransition
├── InvalidNotification    a webhook body we cannot read
├── ProviderRejected       the provider refused our request as invalid (400/404/410): a bug or stale data
│   └── ProviderNotFound
└── ProviderUnavailable    timeouts, 202/429/5xx after retries, connection errors: retry later, same key
    └── ProviderAuthError  401/403: the shop's credentials are wrong (an operator must act)

Only `user_message` is ever shown to a shopper; `str(exc)` is for logs and staff.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

GENERIC_FAILURE = _("Оплата не прошла. Попробуйте ещё раз или выберите другой способ оплаты.")

# Provider cancellation reasons (cancellation_details.reason) -> what the shopper is told.
DECLINE_MESSAGES = {
    "insufficient_funds": _("Недостаточно средств. Пополните карту или выберите другой способ оплаты."),
    "card_expired": _("Срок действия карты истёк. Оплатите другой картой."),
    "invalid_card_number": _("Неверный номер карты. Проверьте его и попробуйте ещё раз."),
    "invalid_csc": _("Неверный код CVC. Проверьте его и попробуйте ещё раз."),
    "3d_secure_failed": _("Платёж не подтверждён кодом из банка. Попробуйте ещё раз."),
    "call_issuer": _("Банк отклонил платёж. Обратитесь в банк или выберите другой способ оплаты."),
    "general_decline": _("Банк отклонил платёж. Обратитесь в банк или выберите другой способ оплаты."),
    "payment_method_restricted": _("Этот способ оплаты сейчас недоступен. Выберите другой."),
    "payment_method_limit_exceeded": _("Превышен лимит по этому способу оплаты. Выберите другой."),
    "country_forbidden": _("Карты этой страны не принимаются. Оплатите другой картой."),
    "fraud_suspected": _("Платёж отклонён из соображений безопасности. Выберите другой способ оплаты."),
    "expired_on_confirmation": _("Время на оплату истекло. Попробуйте оплатить ещё раз."),
    "rejected_by_timeout": _("Время на оплату истекло. Попробуйте оплатить ещё раз."),
    "expired_on_capture": _("Срок удержания денег истёк, платёж отменён. Деньги вернутся на карту."),
    "canceled_by_merchant": _("Платёж отменён магазином."),
    "loan_declined": _("В оплате частями отказано. Выберите другой способ оплаты."),
    "internal_timeout": _("Платёжный сервис не ответил вовремя. Попробуйте ещё раз."),
}


def decline_message(reason: str | None):
    return DECLINE_MESSAGES.get(reason or "", GENERIC_FAILURE)


class PaymentError(Exception):
    user_message = GENERIC_FAILURE


class PaymentDeclined(PaymentError):
    def __init__(self, reason: str = "", party: str = "") -> None:
        super().__init__(f"declined: {party or '?'}/{reason or '?'}")
        self.reason = reason
        self.party = party
        self.user_message = decline_message(reason)


class RefundNotAllowed(PaymentError):
    user_message = _("Нельзя вернуть больше, чем было оплачено.")

    def __init__(self, detail: str = "", *, user_message=None) -> None:
        super().__init__(detail or str(self.user_message))
        if user_message is not None:
            self.user_message = user_message


class InvalidPaymentTransition(PaymentError):
    pass


class PaymentMethodUnavailable(PaymentError):
    """The shopper asked for a method this order cannot use (pay later outside its range, an unknown method)."""

    user_message = _("Этот способ оплаты недоступен для заказа. Выберите другой.")


class OrderNotPayable(PaymentError):
    """The order is not waiting for a payment (already paid, cancelled, or pay on delivery)."""

    user_message = _("Этот заказ не ждёт оплаты.")


class InvalidNotification(PaymentError):
    pass


class ProviderRejected(PaymentError):
    def __init__(self, detail: str, *, code: str = "", parameter: str = "", status: int | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.parameter = parameter
        self.status = status


class ProviderNotFound(ProviderRejected):
    pass


class ProviderUnavailable(PaymentError):
    user_message = _("Платёжный сервис временно недоступен. Попробуйте через несколько минут.")


class ProviderAuthError(ProviderUnavailable):
    pass


class CodUnavailable(PaymentMethodUnavailable):
    """Pay on delivery is not allowed for this order (payments/cod.py cod_eligibility says why)."""

    def __init__(self, reason) -> None:
        super().__init__(str(reason))
        self.user_message = reason


class CodNotFound(PaymentError):
    """No pay-on-delivery payment for this order or tracking number (logistics reported a parcel we do not know)."""


class CodSplitInvalid(PaymentError):
    """Logistics' per-parcel COD amounts do not add up to the amount to collect, or the parcels are with the post."""


class RefundPathUnavailable(RefundNotAllowed):
    """The refund path asked for does not exist yet (points, before the loyalty ledger): nothing was written."""
