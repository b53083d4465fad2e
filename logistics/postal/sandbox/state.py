"""Everything the postal sandbox remembers: parcels, tickets, backlog orders, injected faults. Thread-safe.

Parcels the store never registered are adopted on first sight (journey starting then, origin and scenario
guessed from the barcode), so the demo data and the benchmark's 100,000 parcels move without a setup step.
Tickets are kept in memory only: after a restart their answers are gone, as after the partner's 32 hours.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .barcodes import s10, shpi
from .clock import SandboxClock
from .journeys import HOUR, KINDS, SCENARIOS, ParcelSpec, kind_for, scenario_for

log = logging.getLogger("logistics.postal.sandbox")

TICKET_READY_AFTER = 15 * 60.0  # seconds of sandbox time before an answer is prepared
TICKET_KEPT_FOR = 32 * HOUR
MAX_ITEMS = 3000
MAX_BARCODE = 14
FAULT_KINDS = {
    "http_500",  # HTML error page, status 500
    "http_503",
    "timeout",  # answer only after `seconds`
    "reset",  # close the connection without an answer
    "malformed",  # truncated XML/JSON with status 200
    "bad_record",  # batch answers: one operation record broken, the rest fine
    "internal_error",  # batch: ErrorTypeID 16 for the whole request; single: OperationHistoryFault
    "item_errors",  # getTicket: the ticket's answer has ErrorTypeID 16 for the first `count` barcodes
    "not_ready",  # getResponseByTicket: "not ready yet" (6) even after 15 minutes (a slow day at the partner)
}
SERVICES = {"batch", "single", "otpravka", "any"}


class BatchError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class OrderRejected(Exception):
    pass


@dataclass
class Fault:
    kind: str
    service: str = "any"
    times: int = 1
    seconds: float = 0.0
    count: int = 1


@dataclass
class Ticket:
    id: str
    barcodes: tuple[str, ...]
    issued: float
    failed: frozenset[str] = frozenset()
    polls: int = 0
    last_poll: float | None = None


@dataclass
class Stats:
    counts: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return dict(self.counts)


class SandboxState:
    def __init__(
        self,
        *,
        login: str,
        password: str,
        token: str,
        clock: SandboxClock,
        state_file: Path | None = None,
    ) -> None:
        self.login, self.password, self.token = login, password, token
        self.clock = clock
        self.state_file = state_file
        self._lock = threading.RLock()
        self._dirty = False
        self.stats = Stats()
        self._clear()
        if state_file and state_file.exists():
            self._load(state_file)

    def _clear(self) -> None:
        self.parcels: dict[str, ParcelSpec] = {}
        self.tickets: dict[str, Ticket] = {}
        self.backlog: dict[int, dict] = {}
        self.backlog_by_num: dict[str, int] = {}
        self.faults: list[Fault] = []
        self.next_backlog_id = 500_000_001
        self.next_serial = 10_000_000  # serial % 100 picks the scenario: the first 85 registered parcels are "normal"
        self._last_ticket_ms = 0
        self.stats.counts.clear()

    def reset(self) -> None:
        with self._lock:
            self._clear()
            self._dirty = True

    # --- parcels
    def parcel(self, barcode: str, *, adopt: bool = True) -> ParcelSpec | None:
        with self._lock:
            spec = self.parcels.get(barcode)
            if spec is None and adopt:
                spec = ParcelSpec(
                    barcode=barcode,
                    kind=kind_for(barcode),
                    scenario=scenario_for(barcode),
                    start=self.clock.now(),
                )
                self.parcels[barcode] = spec
                self._dirty = True
            return spec

    def parcel_set(self, barcode: str, **fields) -> ParcelSpec:
        """Create or change a parcel (control endpoint): scenario, kind, index_to, cod_kopecks, start…"""
        if fields.get("kind") not in (None, *KINDS):
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if fields.get("scenario") not in (None, *SCENARIOS):
            raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}")
        with self._lock:
            current = self.parcel(barcode)
            data = asdict(current)
            data.update({k: v for k, v in fields.items() if v is not None and k in data and k != "barcode"})
            spec = ParcelSpec(**data)
            self.parcels[barcode] = spec
            self._dirty = True
            return spec

    # --- batch tickets
    def ticket_issue(self, barcodes: list[str], *, fail_first: int = 0) -> Ticket:
        if not barcodes:
            raise BatchError(2)
        if len(barcodes) > MAX_ITEMS:
            raise BatchError(18)
        if any(len(b) > MAX_BARCODE for b in barcodes):
            raise BatchError(21)
        with self._lock:
            now = self.clock.now()
            ms = max(int(now * 1000), self._last_ticket_ms + 1)
            self._last_ticket_ms = ms
            stamp = datetime.fromtimestamp(ms / 1000, UTC)
            ticket_id = f"{stamp:%Y%m%d%H%M%S}{ms % 1000:03d}{self.login.upper()}"
            for barcode in barcodes:
                self.parcel(barcode)
            ticket = Ticket(ticket_id, tuple(barcodes), now, frozenset(barcodes[:fail_first]))
            self.tickets[ticket_id] = ticket
            self.stats.counts["tickets_issued"] += 1
            self._forget_old_tickets(now)
            return ticket

    def ticket_answer(self, ticket_id: str, *, slow: bool = False) -> tuple[Ticket, float]:
        """(ticket, the moment its answer was prepared); BatchError 6 (not ready; always when `slow`) or 17 (gone)."""
        with self._lock:
            now = self.clock.now()
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                raise BatchError(17)
            if now > ticket.issued + TICKET_KEPT_FOR:
                del self.tickets[ticket_id]
                raise BatchError(17)
            if ticket.last_poll is not None and now - ticket.last_poll < TICKET_READY_AFTER - 1:
                self.stats.counts["polls_too_frequent"] += 1
            ticket.polls += 1
            ticket.last_poll = now
            ready_at = ticket.issued + TICKET_READY_AFTER
            if now < ready_at or slow:
                self.stats.counts["polls_not_ready"] += 1
                raise BatchError(6)
            self.stats.counts["answers"] += 1
            return ticket, ready_at

    def _forget_old_tickets(self, now: float) -> None:
        for ticket_id in [t.id for t in self.tickets.values() if now > t.issued + TICKET_KEPT_FOR]:
            del self.tickets[ticket_id]

    # --- Otpravka backlog
    def backlog_create(self, orders: list) -> dict:
        """PUT /1.0/user/backlog: {"result-ids": [...], "errors": [{"position", "error-codes"}]}."""
        result_ids, errors = [], []
        with self._lock:
            for position, order in enumerate(orders):
                codes = _order_errors(order, self.backlog_by_num)
                if codes:
                    errors.append({"position": position, "error-codes": codes})
                    continue
                backlog_id = self.next_backlog_id
                self.next_backlog_id += 1
                barcode, kind = self._barcode_for(order)
                stored = {**order, "id": backlog_id, "barcode": barcode, "mail-direct": order.get("mail-direct", 643)}
                stored["version"] = 1
                self.backlog[backlog_id] = stored
                self.backlog_by_num[str(order["order-num"])] = backlog_id
                self.parcels[barcode] = ParcelSpec(
                    barcode=barcode,
                    kind=kind,
                    scenario=scenario_for(barcode),
                    start=self.clock.now() + 2 * HOUR,  # handed over at the counter a little later
                    index_to=str(order["index-to"]),
                    cod_kopecks=int(order.get("payment") or 0),
                    value_kopecks=int(order.get("insr-value") or 0),
                    mass=int(order["mass"]),
                    recipient=str(order.get("recipient-name") or "")[:100].upper(),
                )
                result_ids.append(backlog_id)
            self._dirty = True
        return {"result-ids": result_ids, "errors": errors}

    def _barcode_for(self, order: dict) -> tuple[str, str]:
        serial = self.next_serial
        self.next_serial += 1
        entries = (order.get("customs-declaration") or {}).get("customs-entries") or []
        if not entries:
            now = self.clock.now_dt()
            months = (now.year - 2016) * 12 + now.month - 4  # ШПИ month code: 01 = April 2016, cycles over 96
            return shpi(serial, month=months % 96 + 1), "domestic"
        origin = "china" if any(str(e.get("country-code")) == "156" for e in entries) else "eu"
        service = {"EMS": "EA", "POSTAL_PARCEL": "CA"}.get(order.get("mail-type"), "RA")
        return s10(serial, service=service, country="RU"), origin

    def backlog_get(self, backlog_id: int) -> dict | None:
        with self._lock:
            return self.backlog.get(backlog_id)

    def backlog_search(self, query: str) -> list[dict]:
        with self._lock:
            found = self.backlog_by_num.get(query)
            return [self.backlog[found]] if found else []

    # --- faults
    def fault_add(self, fault: Fault) -> None:
        if fault.kind not in FAULT_KINDS or fault.service not in SERVICES:
            raise ValueError(f"fault kinds: {sorted(FAULT_KINDS)}; services: {sorted(SERVICES)}")
        with self._lock:
            self.faults.append(fault)

    def fault_take(self, service: str, kinds: set[str] | None = None) -> Fault | None:
        """The next armed fault for this service (and of these kinds), used up by one request."""
        with self._lock:
            for fault in self.faults:
                if fault.service in (service, "any") and (kinds is None or fault.kind in kinds):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    self.stats.counts[f"fault_{fault.kind}"] += 1
                    return fault
            return None

    def faults_clear(self) -> None:
        with self._lock:
            self.faults.clear()

    # --- persistence (optional: the run command keeps the demo's parcels across restarts)
    def save_if_dirty(self) -> None:
        if not self.state_file or not self._dirty:
            return
        with self._lock:
            data = {
                "clock": self.clock.now(),
                "next_serial": self.next_serial,
                "next_backlog_id": self.next_backlog_id,
                "parcels": [asdict(p) for p in self.parcels.values()],
                "backlog": list(self.backlog.values()),
            }
            self._dirty = False
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False))
        os.replace(tmp, self.state_file)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text())
            self.parcels = {p["barcode"]: ParcelSpec(**p) for p in data.get("parcels", [])}
            self.backlog = {int(o["id"]): o for o in data.get("backlog", [])}
            self.backlog_by_num = {str(o["order-num"]): int(o["id"]) for o in self.backlog.values()}
            self.next_serial = int(data.get("next_serial", self.next_serial))
            self.next_backlog_id = int(data.get("next_backlog_id", self.next_backlog_id))
            saved_clock = float(data.get("clock", 0))
            if saved_clock > self.clock.now():
                self.clock.set(saved_clock)  # time never runs backwards for parcels already on their way
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("postal sandbox: state file %s unreadable (%s); starting empty", path, exc)


MAIL_TYPES = {"POSTAL_PARCEL", "ONLINE_PARCEL", "EMS", "PARCEL_CLASS_1", "SMALL_PACKET", "ECOM"}
MAIL_CATEGORIES = {
    "ORDINARY",
    "WITH_DECLARED_VALUE",
    "WITH_DECLARED_VALUE_AND_CASH_ON_DELIVERY",
    "WITH_DECLARED_VALUE_AND_COMPULSORY_PAYMENT",
    "WITH_COMPULSORY_PAYMENT",
}


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _order_errors(order, known_nums: dict) -> list[dict]:
    """Validation of one backlog order, as the partner's error codes."""
    if not isinstance(order, dict):
        return [{"code": "ILLEGAL_REQUEST", "description": "Заказ должен быть объектом JSON"}]
    errors = []

    def err(code: str, description: str) -> None:
        errors.append({"code": code, "description": description})

    num = order.get("order-num")
    if not num or not isinstance(num, str) or len(num) > 50:
        err("EMPTY_ORDER_NUM", "Не указан номер заказа (order-num)")
    elif num in known_nums:
        err("DUPLICATE_ORDER_NUM", "Заказ с таким номером уже создан")
    if order.get("mail-type") not in MAIL_TYPES:
        err("ILLEGAL_MAIL_TYPE", "Недопустимый вид отправления (mail-type)")
    category = order.get("mail-category")
    if category not in MAIL_CATEGORIES:
        err("ILLEGAL_MAIL_CATEGORY", "Недопустимая категория отправления (mail-category)")
    index_to = str(order.get("index-to") or "")
    if not (len(index_to) == 6 and index_to.isdigit() and index_to[0] != "0"):
        err("ILLEGAL_INDEX_TO", "Недопустимый индекс получателя (index-to)")
    mass = _int(order.get("mass"))
    if mass is None or mass <= 0:
        err("ILLEGAL_MASS", "Масса отправления (mass) должна быть положительным целым числом граммов")
    value = _int(order.get("insr-value"))
    if category and "DECLARED_VALUE" in category and (value is None or value <= 0):
        err("EMPTY_INSR_VALUE", "Не указана объявленная ценность (insr-value, копейки)")
    if category == "WITH_DECLARED_VALUE_AND_CASH_ON_DELIVERY":
        payment = _int(order.get("payment"))
        if payment is None or payment <= 0:
            err("EMPTY_PAYMENT", "Не указана сумма наложенного платежа (payment, копейки)")
        elif value is not None and payment > value:
            err("PAYMENT_EXCEEDS_INSR_VALUE", "Наложенный платёж больше объявленной ценности")
    declaration = order.get("customs-declaration")
    if declaration is not None:
        entries = declaration.get("customs-entries") if isinstance(declaration, dict) else None
        if not entries or not isinstance(entries, list):
            err("ILLEGAL_CUSTOMS_DECLARATION", "Таможенная декларация без вложений (customs-entries)")
        else:
            for entry in entries:
                if not isinstance(entry, dict):
                    err("ILLEGAL_CUSTOMS_ENTRY", "Вложение декларации должно быть объектом JSON")
                    continue
                tnved = str(entry.get("tnved-code") or "")
                if not entry.get("description") or not (tnved.isdigit() and len(tnved) >= 6):
                    err("ILLEGAL_CUSTOMS_ENTRY", "Вложение декларации без описания или кода ТН ВЭД (6+ цифр)")
                if _int(entry.get("amount")) is None or _int(entry.get("value")) is None:
                    err("ILLEGAL_CUSTOMS_ENTRY", "Вложение декларации без количества или стоимости")
    return errors
