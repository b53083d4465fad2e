"""The payment provider's client: the official `yookassa` SDK with our transport and our errors.

What the SDK gives: request validation and serialisation, response parsing, paths, its exception per status.
What it lacks, and we add by subclassing its ApiClient (not by patching it):
- per-call configuration instead of the SDK's global `Configuration` class state (thread-safe; tests and
  settings overrides point it at the sandbox);
- a timeout on every HTTP attempt (the SDK sets none);
- retries on http:// too (the SDK mounts its retry adapter on https:// only), on connection errors, read
  timeouts, 202 ("still processing"), 429 and 5xx, with exponential backoff. Retrying a POST is safe because
  every call that moves money carries an Idempotence-Key taken from our own records: the retry carries
  the same key and the provider answers the first result instead of charging again;
- a connection error surfacing as ProviderUnavailable (the SDK turns it into an AttributeError).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3 import Retry
from yookassa import Payment as SdkPayment
from yookassa import Refund as SdkRefund
from yookassa.client import ApiClient
from yookassa.domain.common import RequestObject, UserAgent
from yookassa.domain.exceptions import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    GoneError,
    NotFoundError,
    UnauthorizedError,
)

from storefront.core.money import Money

from .exceptions import (
    PaymentError,
    ProviderAuthError,
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
    RefundNotAllowed,
)

log = logging.getLogger("payments.provider")

# The provider's payment_method_data.type for each of our methods (cash on delivery never reaches it).
METHOD_TYPES = {"card": "bank_card", "sbp": "sbp", "pay_later": "sber_bnpl"}
RETRY_STATUSES = (202, 429, 500, 502, 503, 504)


@dataclass(frozen=True)
class ProviderConfig:
    shop_id: str
    secret_key: str
    api_url: str
    timeout: float = 15.0
    retries: int = 3
    backoff: float = 0.5

    @classmethod
    def from_settings(cls) -> ProviderConfig:
        return cls(
            shop_id=settings.STORE_YOOKASSA_SHOP_ID,
            secret_key=settings.STORE_YOOKASSA_SECRET_KEY,
            api_url=settings.STORE_YOOKASSA_API_URL,
            timeout=settings.STORE_YOOKASSA_TIMEOUT,
            retries=settings.STORE_YOOKASSA_RETRIES,
            backoff=settings.STORE_YOOKASSA_RETRY_BACKOFF,
        )


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider reports it (GET /payments/{id} and friends)."""

    id: str
    status: str  # pending | waiting_for_capture | succeeded | canceled
    paid: bool
    amount: Money
    refunded: Money
    method_type: str = ""
    confirmation_url: str = ""
    cancellation_party: str = ""
    cancellation_reason: str = ""
    captured_at: datetime | None = None
    expires_at: datetime | None = None
    metadata: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_sdk(cls, response) -> ProviderPayment:
        raw = dict(response)
        currency = response.amount.currency
        refunded = response.refunded_amount
        cancellation = response.cancellation_details
        confirmation = response.confirmation
        return cls(
            id=response.id,
            status=response.status,
            paid=bool(response.paid),
            amount=Money(Decimal(response.amount.value), currency),
            refunded=Money(Decimal(refunded.value) if refunded else Decimal(0), currency),
            method_type=response.payment_method.type if response.payment_method else "",
            confirmation_url=getattr(confirmation, "confirmation_url", None) or "",
            cancellation_party=cancellation.party if cancellation else "",
            cancellation_reason=cancellation.reason if cancellation else "",
            captured_at=_parse_time(raw.get("captured_at")),
            expires_at=_parse_time(raw.get("expires_at")),
            metadata=dict(response.metadata or {}),
            raw=raw,
        )


@dataclass(frozen=True)
class ProviderRefund:
    id: str
    payment_id: str
    status: str  # pending | succeeded | canceled
    amount: Money
    raw: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_sdk(cls, response) -> ProviderRefund:
        return cls(
            id=response.id,
            payment_id=response.payment_id,
            status=response.status,
            amount=Money(Decimal(response.amount.value), response.amount.currency),
            raw=dict(response),
        )


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _amount(money: Money) -> dict:
    return {"value": f"{money.amount:.2f}", "currency": money.currency}


class YooKassaClient:
    """One object per use; cheap. `YooKassaClient()` reads the settings at call time, never at import."""

    def __init__(self, config: ProviderConfig | None = None) -> None:
        self.config = config or ProviderConfig.from_settings()

    def payment_create(
        self,
        *,
        amount: Money,
        method: str,
        return_url: str,
        description: str,
        idempotence_key: str,
        metadata: dict[str, str] | None = None,
        capture: bool = True,
    ) -> ProviderPayment:
        """POST /payments: a redirect confirmation; the shopper pays on the provider's page."""
        params = {
            "amount": _amount(amount),
            "capture": capture,
            "confirmation": {"type": "redirect", "return_url": return_url},
            "description": description[:128],
            "metadata": {str(k): str(v) for k, v in (metadata or {}).items()},
        }
        if method:
            params["payment_method_data"] = {"type": METHOD_TYPES.get(method, method)}
        response = self._call("payment_create", idempotence_key, _Payment.create, params, idempotence_key)
        return ProviderPayment.from_sdk(response)

    def payment_get(self, provider_payment_id: str) -> ProviderPayment:
        return ProviderPayment.from_sdk(self._call("payment_get", "", _Payment.find_one, provider_payment_id))

    def payment_capture(
        self, provider_payment_id: str, *, idempotence_key: str, amount: Money | None = None
    ) -> ProviderPayment:
        params = {"amount": _amount(amount)} if amount is not None else None
        response = self._call(
            "payment_capture", idempotence_key, _Payment.capture, provider_payment_id, params, idempotence_key
        )
        return ProviderPayment.from_sdk(response)

    def payment_cancel(self, provider_payment_id: str, *, idempotence_key: str) -> ProviderPayment:
        response = self._call("payment_cancel", idempotence_key, _Payment.cancel, provider_payment_id, idempotence_key)
        return ProviderPayment.from_sdk(response)

    def refund_create(
        self, *, provider_payment_id: str, amount: Money, description: str, idempotence_key: str
    ) -> ProviderRefund:
        params = {"payment_id": provider_payment_id, "amount": _amount(amount), "description": description[:250]}
        try:
            response = self._call("refund_create", idempotence_key, _Refund.create, params, idempotence_key)
        except ProviderRejected as exc:
            if exc.parameter.startswith("amount") or exc.parameter == "payment_id":
                raise RefundNotAllowed(f"provider refused the refund: {exc}") from exc
            raise
        return ProviderRefund.from_sdk(response)

    def refund_get(self, provider_refund_id: str) -> ProviderRefund:
        return ProviderRefund.from_sdk(self._call("refund_get", "", _Refund.find_one, provider_refund_id))

    def _call(self, operation: str, key: str, fn, *args):
        """Run one SDK call with this client's configuration; SDK errors become ours."""
        token = _config.set(self.config)
        try:
            result = fn(*args)
        except PaymentError:
            raise
        except (UnauthorizedError, ForbiddenError) as exc:
            log.error("yookassa %s: credentials refused (%s)", operation, _describe(exc))
            raise ProviderAuthError(f"{operation}: the provider refused the shop's credentials") from exc
        except NotFoundError as exc:
            raise ProviderNotFound(f"{operation}: {_describe(exc)}", **_error_fields(exc)) from exc
        except (BadRequestError, GoneError) as exc:
            log.warning("yookassa %s key=%s rejected: %s", operation, key, _describe(exc))
            raise ProviderRejected(f"{operation}: {_describe(exc)}", **_error_fields(exc)) from exc
        except ApiError as exc:  # 202 after retries, 429, 500 and anything unexpected
            log.warning("yookassa %s key=%s unavailable: %s", operation, key, _describe(exc))
            raise ProviderUnavailable(f"{operation}: {_describe(exc)}") from exc
        except (ValueError, TypeError) as exc:  # the SDK's validation of our request or of the answer
            raise ProviderRejected(f"{operation}: {exc}") from exc
        finally:
            _config.reset(token)
        log.info("yookassa %s key=%s ok", operation, key)
        return result


def _error_fields(exc: ApiError) -> dict:
    content = exc.content or {}
    return {
        "code": str(content.get("code", "")),
        "parameter": str(content.get("parameter", "")),
        "status": exc.HTTP_CODE or None,
    }


def _describe(exc: ApiError) -> str:
    content = exc.content or {}
    parts = [str(content.get(k)) for k in ("code", "parameter", "description") if content.get(k)]
    return f"HTTP {exc.HTTP_CODE or '?'} " + " ".join(parts)


# --- the SDK, with our transport

_config: ContextVar[ProviderConfig] = ContextVar("yookassa_config")


class _ApiClient(ApiClient):
    def __init__(self) -> None:  # the SDK's reads the global Configuration; ours the current call's
        config = _config.get()
        self.configuration = None
        self.endpoint = config.api_url.rstrip("/")
        self.shop_id = config.shop_id
        self.shop_password = config.secret_key
        self.auth_token = None
        self.timeout = config.timeout
        self.max_attempts = config.retries
        self.user_agent = UserAgent()
        self._config = config

    def request(self, method="", path="", query_params=None, headers=None, body=None):
        if isinstance(body, RequestObject):
            body.validate()
            body = dict(body)
        request_headers = self.prepare_request_headers(headers)
        session = self.get_session()
        try:
            response = session.request(
                method,
                self.endpoint + path,
                params=query_params,
                headers=request_headers,
                json=body,
                timeout=(min(self._config.timeout, 5.0), self._config.timeout),
            )
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"{method} {path}: {exc.__class__.__name__}: {exc}") from exc
        finally:
            session.close()
        if response.status_code == 200:
            return response.json()
        try:
            self._ApiClient__handle_error(response)  # the SDK's exception for the status
        except ValueError:  # not JSON: a proxy's error page
            raise ApiError({"code": "bad_response", "description": f"HTTP {response.status_code}"}) from None
        raise AssertionError("unreachable")  # pragma: no cover - __handle_error always raises

    def get_session(self) -> requests.Session:
        retries = self._config.retries
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            allowed_methods=frozenset({"GET", "POST"}),  # POSTs carry an Idempotence-Key
            status_forcelist=RETRY_STATUSES,
            backoff_factor=self._config.backoff,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session


class _Payment(SdkPayment):
    def __init__(self) -> None:
        self.client = _ApiClient()


class _Refund(SdkRefund):
    def __init__(self) -> None:
        self.client = _ApiClient()
