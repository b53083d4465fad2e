"""The sandbox's bookkeeping: payments, refunds, idempotence records and a movable clock.

Speaks the YooKassa v3 object shapes (what the official SDK parses). Everything goes through one lock:
it is a sandbox, not a bank, and correctness under concurrent calls matters more than throughput.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

# What the real API accepts as payment_method_data.type; the sandbox settles them all the same way
# (the confirmation page looks different for sbp and sber_bnpl).
METHOD_TYPES = frozenset(
    {
        "bank_card",
        "sbp",
        "sber_bnpl",
        "sber_loan",
        "yoo_money",
        "sberbank",
        "tinkoff_bank",
        "installments",
        "cash",
        "mobile_balance",
    }
)
RUB_ONLY_METHODS = frozenset({"sbp", "sber_bnpl", "sber_loan"})
# DOMAIN.md 6: «Плати частями» takes 1 000–150 000 ₽.
BNPL_MIN = Decimal("1000.00")
BNPL_MAX = Decimal("150000.00")
PENDING_TTL = timedelta(hours=1)  # time to confirm (the sber_bnpl docs: 1 h to pay)
CAPTURE_HOLD = timedelta(days=7)  # a two-stage payment not captured in 7 days is canceled
MAX_IDEMPOTENCE_KEY = 64
DECLINE_REASONS = {
    # reason -> party, as the real API reports them
    "insufficient_funds": "payment_network",
    "general_decline": "payment_network",
    "card_expired": "payment_network",
    "fraud_suspected": "yoo_money",
    "3d_secure_failed": "payment_network",
    "call_issuer": "payment_network",
    "payment_method_restricted": "payment_network",
    "rejected_by_timeout": "payment_network",
    "canceled_by_merchant": "merchant",
    "expired_on_confirmation": "yoo_money",
    "expired_on_capture": "yoo_money",
    "internal_timeout": "yoo_money",
}
TERMINAL = frozenset({"succeeded", "canceled"})


class ApiError(Exception):
    """An error the API answers with: HTTP status + the YooKassa error object."""

    def __init__(self, status: int, code: str, description: str, parameter: str | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.parameter = parameter

    def body(self) -> dict:
        data = {"type": "error", "id": str(uuid.uuid4()), "code": self.code, "description": self.description}
        if self.parameter:
            data["parameter"] = self.parameter
        return data


def bad_request(description: str, parameter: str | None = None) -> ApiError:
    return ApiError(400, "invalid_request", description, parameter)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} doesn't exist or access denied", None)


def iso(moment: datetime) -> str:
    """2018-07-18T10:51:18.139Z, the API's format."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_amount(data: object, parameter: str = "amount") -> tuple[Decimal, str]:
    if not isinstance(data, dict):
        raise bad_request("Amount is required", parameter)
    raw, currency = data.get("value"), data.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        raise bad_request("Invalid currency", f"{parameter}.currency")
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise bad_request("Invalid amount value", f"{parameter}.value") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise bad_request("Invalid amount value", f"{parameter}.value")
    return value.quantize(Decimal("0.01")), currency


def money(value: Decimal, currency: str) -> dict:
    return {"value": f"{value:.2f}", "currency": currency}


@dataclass
class SandboxPayment:
    id: str
    amount: Decimal
    currency: str
    capture: bool
    method: str
    return_url: str
    description: str
    metadata: dict
    created_at: datetime
    status: str = "pending"
    paid: bool = False
    captured_at: datetime | None = None
    expires_at: datetime | None = None
    captured_amount: Decimal = Decimal("0.00")
    refunded: Decimal = Decimal("0.00")
    cancellation: dict | None = None
    card_last4: str | None = None

    def to_api(self, base_url: str, shop_id: str) -> dict:
        data = {
            "id": self.id,
            "status": self.status,
            "paid": self.paid,
            "amount": money(self.amount, self.currency),
            "created_at": iso(self.created_at),
            "description": self.description,
            "metadata": dict(self.metadata),
            "recipient": {"account_id": shop_id, "gateway_id": f"{shop_id}-sandbox"},
            "refundable": self.status == "succeeded" and self.refunded < self.captured_amount,
            "test": True,
            "payment_method": self._payment_method(),
        }
        if self.status == "pending":
            data["confirmation"] = {
                "type": "redirect",
                "confirmation_url": f"{base_url}/checkout/{self.id}",
                "return_url": self.return_url,
            }
        if self.expires_at and self.status == "waiting_for_capture":
            data["expires_at"] = iso(self.expires_at)
        if self.status == "succeeded":
            data["captured_at"] = iso(self.captured_at or self.created_at)
            data["amount"] = money(self.captured_amount, self.currency)
            # the provider's fee: 3.5 % for the sandbox
            fee = (self.captured_amount * Decimal("0.035")).quantize(Decimal("0.01"))
            data["income_amount"] = money(self.captured_amount - fee, self.currency)
        if self.refunded:
            data["refunded_amount"] = money(self.refunded, self.currency)
        if self.cancellation:
            data["cancellation_details"] = dict(self.cancellation)
        return data

    def _payment_method(self) -> dict:
        method = {"type": self.method, "id": self.id, "saved": False}
        if self.method == "bank_card" and self.card_last4:
            method["title"] = f"Bank card *{self.card_last4}"
            method["card"] = {
                "first6": "220220",
                "last4": self.card_last4,
                "expiry_month": "12",
                "expiry_year": "2030",
                "card_type": "Mir",
                "issuer_country": "RU",
            }
        return method


@dataclass
class SandboxRefund:
    id: str
    payment_id: str
    amount: Decimal
    currency: str
    description: str
    created_at: datetime
    status: str = "succeeded"

    def to_api(self) -> dict:
        data = {
            "id": self.id,
            "payment_id": self.payment_id,
            "status": self.status,
            "created_at": iso(self.created_at),
            "amount": money(self.amount, self.currency),
        }
        if self.description:
            data["description"] = self.description
        return data


@dataclass
class IdempotentResult:
    fingerprint: str
    status: int
    body: dict


@dataclass
class Fault:
    """One injected failure for tests: answer `status` (or drop the connection) instead of/after processing."""

    method: str
    path_prefix: str
    kind: str  # "status" | "drop"
    status: int = 500
    process: bool = False  # do the work first (stored for idempotence), then fail the answer
    times: int = 1


Notify = Callable[[str, dict], None]


@dataclass
class Sandbox:
    """All state of one sandbox instance. `notify(event, object)` is called (outside the lock) on settlements."""

    base_url: str
    shop_id: str
    state_file: Path | None = None
    notify: Notify | None = None
    payments: dict[str, SandboxPayment] = field(default_factory=dict)
    refunds: dict[str, SandboxRefund] = field(default_factory=dict)
    idempotence: dict[str, IdempotentResult] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    clock_offset: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._load()

    # --- time
    def now(self) -> datetime:
        return datetime.now(UTC) + self.clock_offset

    def advance_clock(self, seconds: float) -> None:
        with self._lock:
            self.clock_offset += timedelta(seconds=seconds)
        self.expire_overdue()

    # --- idempotence
    def idempotent(self, key: str | None, method: str, path: str, body: dict, work: Callable[[], dict]) -> dict:
        """Run `work` once per Idempotence-Key; a repeat with the same request answers the stored result."""
        if not key:
            raise bad_request("Idempotence-Key header is required", "Idempotence-Key")
        if len(key) > MAX_IDEMPOTENCE_KEY:
            raise bad_request("Idempotence-Key is too long", "Idempotence-Key")
        fingerprint = hashlib.sha256(
            f"{method} {path} {json.dumps(body, sort_keys=True, ensure_ascii=False)}".encode()
        ).hexdigest()
        with self._lock:
            stored = self.idempotence.get(key)
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    raise bad_request(
                        "Idempotence key duplicated: a request with this key had other parameters", "Idempotence-Key"
                    )
                return copy.deepcopy(stored.body)
            result = work()  # raises ApiError: errors are not stored, the request may be repeated
            self.idempotence[key] = IdempotentResult(fingerprint, 200, copy.deepcopy(result))
            self._save()
            return result

    # --- payments
    def payment_create(self, body: dict) -> dict:
        amount, currency = parse_amount(body.get("amount"))
        confirmation = body.get("confirmation")
        if not isinstance(confirmation, dict) or confirmation.get("type") != "redirect":
            raise bad_request("The sandbox supports confirmation.type=redirect only", "confirmation.type")
        return_url = confirmation.get("return_url")
        if not isinstance(return_url, str) or not return_url.startswith(("http://", "https://")):
            raise bad_request("Invalid return_url", "confirmation.return_url")
        method_data = body.get("payment_method_data") or {"type": "bank_card"}
        method = method_data.get("type") if isinstance(method_data, dict) else None
        if method not in METHOD_TYPES:
            raise bad_request("Unknown payment method type", "payment_method_data.type")
        if method in RUB_ONLY_METHODS and currency != "RUB":
            raise bad_request(f"{method} accepts RUB only", "amount.currency")
        if method == "sber_bnpl" and not BNPL_MIN <= amount <= BNPL_MAX:
            raise bad_request("Amount is out of the range allowed for sber_bnpl", "amount.value")
        metadata = body.get("metadata") or {}
        if not isinstance(metadata, dict) or len(metadata) > 16:
            raise bad_request("Invalid metadata", "metadata")
        description = body.get("description") or ""
        if not isinstance(description, str) or len(description) > 128:
            raise bad_request("Invalid description", "description")
        capture = body.get("capture", False)
        if not isinstance(capture, bool):
            raise bad_request("Invalid capture", "capture")
        now = self.now()
        payment = SandboxPayment(
            id=str(uuid.uuid4()),
            amount=amount,
            currency=currency,
            capture=capture,
            method=method,
            return_url=return_url,
            description=description,
            metadata={str(k): str(v) for k, v in metadata.items()},
            created_at=now,
            expires_at=now + PENDING_TTL,
        )
        with self._lock:
            self.payments[payment.id] = payment
            self._save()
            return self._api(payment)

    def payment_get(self, payment_id: str) -> dict:
        self.expire_overdue()
        with self._lock:
            return self._api(self._payment(payment_id))

    def payment_list(self, *, status: str | None = None, limit: int = 10) -> dict:
        self.expire_overdue()
        with self._lock:
            items = sorted(self.payments.values(), key=lambda p: p.created_at, reverse=True)
            if status:
                items = [p for p in items if p.status == status]
            return {"type": "list", "items": [self._api(p) for p in items[: max(1, min(limit, 100))]]}

    def payment_confirm(self, payment_id: str, *, card_last4: str | None = None, notify: bool = True) -> dict:
        """The shopper paid on the confirmation page (or a test said so)."""
        with self._lock:
            payment = self._payment(payment_id)
            self._require(payment, {"pending"})
            payment.paid = True
            payment.card_last4 = card_last4 or "4444"
            if payment.capture:
                event = self._succeed(payment, payment.amount)
            else:
                payment.status = "waiting_for_capture"
                payment.expires_at = self.now() + CAPTURE_HOLD
                event = "payment.waiting_for_capture"
            data = self._api(payment)
            self._save()
        if notify:
            self._emit(event, data)
        return data

    def payment_decline(
        self, payment_id: str, *, reason: str = "general_decline", party: str | None = None, notify: bool = True
    ) -> dict:
        """The bank (or the shopper, or the lender) said no."""
        with self._lock:
            payment = self._payment(payment_id)
            self._require(payment, {"pending", "waiting_for_capture"})
            data = self._cancel(payment, reason, party)
        if notify:
            self._emit("payment.canceled", data)
        return data

    def payment_capture(self, payment_id: str, body: dict) -> dict:
        with self._lock:
            payment = self._payment(payment_id)
            self._require(payment, {"waiting_for_capture"})
            amount = payment.amount
            if body.get("amount") is not None:
                amount, currency = parse_amount(body["amount"])
                if currency != payment.currency:
                    raise bad_request("Currency differs from the payment's", "amount.currency")
                if amount > payment.amount:
                    raise bad_request("Capture amount exceeds the authorized amount", "amount.value")
            event = self._succeed(payment, amount)
            data = self._api(payment)
            self._save()
        self._emit(event, data)
        return data

    def payment_cancel(self, payment_id: str) -> dict:
        with self._lock:
            payment = self._payment(payment_id)
            self._require(payment, {"waiting_for_capture"})
            data = self._cancel(payment, "canceled_by_merchant", "merchant")
        self._emit("payment.canceled", data)
        return data

    def expire_overdue(self) -> None:
        """Lazily do what the real provider does on its own clock: expire unconfirmed and uncaptured payments."""
        events = []
        with self._lock:
            now = self.now()
            for payment in self.payments.values():
                due = payment.expires_at is not None and payment.expires_at <= now
                if due and payment.status in {"pending", "waiting_for_capture"}:
                    reason = "expired_on_confirmation" if payment.status == "pending" else "expired_on_capture"
                    events.append(self._cancel(payment, reason, None))
        for data in events:
            self._emit("payment.canceled", data)

    # --- refunds
    def refund_create(self, body: dict) -> dict:
        payment_id = body.get("payment_id")
        if not isinstance(payment_id, str):
            raise bad_request("payment_id is required", "payment_id")
        amount, currency = parse_amount(body.get("amount"))
        description = body.get("description") or ""
        with self._lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                raise bad_request("Payment doesn't exist", "payment_id")
            if payment.status != "succeeded":
                raise bad_request("Only a succeeded payment can be refunded", "payment_id")
            if currency != payment.currency:
                raise bad_request("Currency differs from the payment's", "amount.currency")
            if amount > payment.captured_amount - payment.refunded:
                raise bad_request("Refund amount exceeds the amount available for refund", "amount.value")
            refund = SandboxRefund(
                id=str(uuid.uuid4()),
                payment_id=payment.id,
                amount=amount,
                currency=currency,
                description=str(description)[:250],
                created_at=self.now(),
            )
            payment.refunded += amount
            self.refunds[refund.id] = refund
            data = refund.to_api()
            self._save()
        self._emit("refund.succeeded", data)
        return data

    def refund_get(self, refund_id: str) -> dict:
        with self._lock:
            refund = self.refunds.get(refund_id)
            if refund is None:
                raise not_found("Refund")
            return refund.to_api()

    def refund_list(self, *, payment_id: str | None = None) -> dict:
        with self._lock:
            items = [r for r in self.refunds.values() if payment_id in (None, r.payment_id)]
            return {"type": "list", "items": [r.to_api() for r in sorted(items, key=lambda r: r.created_at)]}

    # --- test controls
    def object_for_event(self, event: str, object_id: str) -> dict:
        with self._lock:
            if event.startswith("refund."):
                return self.refund_get(object_id)
            return self._api(self._payment(object_id))

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.method == method and path.startswith(fault.path_prefix):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def reset(self) -> None:
        with self._lock:
            self.payments.clear()
            self.refunds.clear()
            self.idempotence.clear()
            self.faults.clear()
            self.clock_offset = timedelta(0)
            self._save()

    # --- internals (called with the lock held)
    def _payment(self, payment_id: str) -> SandboxPayment:
        payment = self.payments.get(payment_id)
        if payment is None:
            raise not_found("Payment")
        return payment

    def _require(self, payment: SandboxPayment, allowed: set[str]) -> None:
        if payment.status not in allowed:
            raise bad_request(f"Payment is in status {payment.status}", "payment_id")

    def _succeed(self, payment: SandboxPayment, amount: Decimal) -> str:
        payment.status = "succeeded"
        payment.paid = True
        payment.captured_amount = amount
        payment.captured_at = self.now()
        payment.expires_at = None
        return "payment.succeeded"

    def _cancel(self, payment: SandboxPayment, reason: str, party: str | None) -> dict:
        payment.status = "canceled"
        payment.paid = False
        payment.expires_at = None
        payment.cancellation = {"party": party or DECLINE_REASONS.get(reason, "yoo_money"), "reason": reason}
        self._save()
        return self._api(payment)

    def _api(self, payment: SandboxPayment) -> dict:
        return payment.to_api(self.base_url, self.shop_id)

    def _emit(self, event: str, data: dict) -> None:
        if self.notify is not None:
            self.notify(event, data)

    # --- optional persistence: a JSON file rewritten atomically after each change
    def _save(self) -> None:
        if self.state_file is None:
            return
        data = {
            "payments": [_dump(p) for p in self.payments.values()],
            "refunds": [_dump(r) for r in self.refunds.values()],
            "idempotence": {k: [v.fingerprint, v.status, v.body] for k, v in self.idempotence.items()},
        }
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False))
        os.replace(tmp, self.state_file)

    def _load(self) -> None:
        if self.state_file is None or not self.state_file.exists():
            return
        with contextlib.suppress(ValueError, KeyError, TypeError):
            data = json.loads(self.state_file.read_text())
            self.payments = {p["id"]: _undump(SandboxPayment, p) for p in data["payments"]}
            self.refunds = {r["id"]: _undump(SandboxRefund, r) for r in data["refunds"]}
            self.idempotence = {k: IdempotentResult(*v) for k, v in data["idempotence"].items()}


_DECIMALS = {"amount", "captured_amount", "refunded"}
_DATES = {"created_at", "captured_at", "expires_at"}


def _dump(obj: SandboxPayment | SandboxRefund) -> dict:
    out = {}
    for name, value in vars(obj).items():
        if isinstance(value, Decimal):
            out[name] = str(value)
        elif isinstance(value, datetime):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


def _undump(cls: type, data: dict):
    values = dict(data)
    for name in _DECIMALS & values.keys():
        values[name] = Decimal(values[name])
    for name in _DATES & values.keys():
        values[name] = datetime.fromisoformat(values[name]) if values[name] else None
    return cls(**values)
