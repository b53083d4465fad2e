"""Postal writes: store the partner's events and move parcels, orders and payments along.

Locking policy: everything for one ticket answer runs in one transaction; parcels are locked (by
logistics.services.parcel_status_change) in ascending id order, then their orders (orders.services), never the
other way round. Payments are told about COD outcomes through the outbox (payments.cod runs its own durable
transaction, payment row first), so no payment lock is taken while parcels are locked.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from logistics.exceptions import LogisticsError
from logistics.models import ACCEPTED_BY_POST, ALLOWED_TRANSITIONS, FINAL_STATUSES, Parcel, ParcelStatus
from logistics.services import parcel_status_change
from orders.exceptions import OrderError
from orders.models import Order, OrderStatus, PaymentMethod
from orders.services import order_deliver, order_mark_returned, order_ship
from storefront.outbox.services import outbox_enqueue

from . import notify
from .cod import COLLECTED, REFUSED, parcel_cod_report
from .codes import CUSTOMS_CLEARED, code_for
from .models import EventSource, TicketStatus, TrackingEvent, TrackingPoll, TrackingTicket
from .parsing import NO_DATA, BatchAnswer, PartnerEvent
from .timezones import zone_for_index

log = logging.getLogger("logistics.postal")
ACTOR = "postal"
REACT_TASK = "logistics.postal.tasks.parcels_react"
SETTLED = frozenset({ParcelStatus.DELIVERED, ParcelStatus.RETURNING, ParcelStatus.RETURNED, ParcelStatus.LOST})
BACK_TO_SENDER = frozenset({ParcelStatus.RETURNING, ParcelStatus.RETURNED})
ON_THE_WAY = frozenset({ParcelStatus.IN_TRANSIT, ParcelStatus.CUSTOMS, ParcelStatus.ARRIVED})
ARRIVAL_CODES = {(8, 2), (8, 9)}


def page_cache_key(tracking_number: str, language: str, kind: str) -> str:
    """The tracking page's cache entry: `kind` "page" (whole, for visitors without a session) or "part"."""
    return f"postal:track:{tracking_number}:{language}:{kind}"


def page_cache_drop(tracking_numbers: Iterable[str]) -> None:
    """After commit: the tracking pages of these parcels are rendered afresh."""
    keys = [
        page_cache_key(number, language, kind)
        for number in tracking_numbers
        for language, _name in settings.LANGUAGES
        for kind in ("page", "part")
    ]
    if keys:
        transaction.on_commit(lambda: cache.delete_many(keys))


@dataclass
class ApplyResult:
    events_stored: int = 0
    parcels_moved: int = 0
    orders_to_follow: int = 0  # orders whose parcels moved: the REACT_TASK job moves them after commit
    notifications: int = 0  # messages that job sends
    errors: list[str] = field(default_factory=list)


# --- events
_INSERT = """
INSERT INTO postal_trackingevent (parcel_id, oper_type, oper_attr, name, occurred_at, index, source, raw, received_at)
SELECT p, t, a, n, o, i, %s, r::jsonb, %s
FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::text[], %s::timestamptz[], %s::text[], %s::text[])
    AS e(p, t, a, n, o, i, r)
ON CONFLICT (parcel_id, occurred_at, oper_type, oper_attr) DO NOTHING
RETURNING parcel_id, oper_type, oper_attr, occurred_at
"""


def tracking_events_store(
    *, events: Iterable[tuple[int, PartnerEvent]], source: str, received_at: datetime
) -> list[tuple[int, int, int, datetime]]:
    """Insert (parcel id, event) pairs in one statement; the ones not seen before come back. Inside a transaction."""
    columns: list[list] = [[], [], [], [], [], [], []]
    for parcel_id, event in events:
        for column, value in zip(
            columns,
            (
                parcel_id,
                event.oper_type,
                event.oper_attr,
                event.name,
                event.occurred_at,
                event.index,
                json.dumps(event.raw, ensure_ascii=False),
            ),
            strict=True,
        ):
            column.append(value)
    if not columns[0]:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [source, received_at, *columns])
        return cursor.fetchall()


# --- parcels
_JOURNEY_ORDER = list(ParcelStatus)  # ties broken the way parcels usually go: in transit before arrived


def _path(from_status: str, to_status: str) -> list[str]:
    """Shortest way through the transition table (a parcel first seen long after it left may skip steps)."""
    frontier, seen = [[from_status]], {from_status}
    while frontier:
        next_frontier = []
        for path in frontier:
            for step in sorted(ALLOWED_TRANSITIONS.get(path[-1], ()), key=_JOURNEY_ORDER.index):
                if step == to_status:
                    return [*path[1:], step]
                if step not in seen:
                    seen.add(step)
                    next_frontier.append([*path, step])
        frontier = next_frontier
    return []


def _storage_deadline(arrived_at: datetime, index: str) -> date:
    local_day = arrived_at.astimezone(zone_for_index(index)).date()
    return local_day + timedelta(days=settings.STORE_POST_STORAGE_DAYS)


@dataclass
class _Outcome:
    """What the events say about one parcel."""

    status: str | None = None
    at: datetime | None = None
    reason: str = ""
    arrival: tuple[datetime, str] | None = None  # (when, office index) of the latest arrival at a delivery office
    refused_at: datetime | None = None


def _outcome(events: list[tuple[int, int, datetime, str, str]]) -> _Outcome:
    """events: (type, attr, occurred_at, index, name) in time order."""
    result = _Outcome()
    for oper_type, oper_attr, occurred_at, index, name in events:
        code = code_for(oper_type, oper_attr)
        if result.status in BACK_TO_SENDER and code.status in ON_THE_WAY:
            continue  # sorting and export scans on the way back do not make it travel to the shopper again
        if code.status is not None:
            result.status, result.at = code.status, occurred_at
            result.reason = f"{oper_type}.{oper_attr} {name or code.label}"[:500]
        if (oper_type, oper_attr) in ARRIVAL_CODES:
            result.arrival = (occurred_at, index)
        if (oper_type, oper_attr) == (12, 6):
            result.refused_at = occurred_at
    return result


def parcels_follow_events(
    *, parcel_ids: set[int], new_events: dict[int, list[tuple[int, int]]], actor=ACTOR
) -> ApplyResult:
    """Move each parcel to the status its latest known event means, and everything that follows from that.

    `new_events`: the (type, attr) codes stored just now per parcel (for once-only reactions such as "customs
    cleared"). Runs inside the caller's transaction. A parcel that cannot move (a final status, a transition the
    table forbids) is logged and left as it is; the other parcels go on.
    """
    result = ApplyResult()
    if not parcel_ids:
        return result
    history: dict[int, list] = defaultdict(list)
    rows = (
        TrackingEvent.objects.filter(parcel_id__in=parcel_ids)
        .order_by("parcel_id", "occurred_at", "id")
        .values_list("parcel_id", "oper_type", "oper_attr", "occurred_at", "index", "name")
    )
    for parcel_id, *event in rows:
        history[parcel_id].append(tuple(event))
    parcels = Parcel.objects.filter(pk__in=parcel_ids).order_by("pk")
    moved_orders: set[int] = set()
    notices: list[tuple[int, str, str]] = []
    cod: list[dict] = []
    for parcel in parcels:
        before = parcel.status
        outcome = _outcome(history.get(parcel.pk, []))
        try:
            _parcel_move(parcel, outcome, actor)  # the service's own savepoint undoes a refused move
        except LogisticsError as exc:
            result.errors.append(f"{parcel.reference}: {exc}")
            log.warning("parcel not moved by tracking", extra={"parcel": parcel.pk, "why": str(exc)})
            continue
        if parcel.status != before:
            result.parcels_moved += 1
            moved_orders.add(parcel.order_id)
        parcel_notices, parcel_cod = _parcel_react(parcel, before, outcome, set(new_events.get(parcel.pk, ())))
        notices += parcel_notices
        cod += parcel_cod
    result.notifications = len(notices)
    result.orders_to_follow = len(moved_orders)
    if notices or moved_orders or cod:
        # Orders and shoppers hear of it after commit, in one job per answer (a worker, not this pass, pays
        # for hundreds of order moves and messages): idempotent, as order moves check statuses and messages
        # have keys.
        outbox_enqueue(
            task=REACT_TASK,
            kwargs={"notices": notices, "order_ids": sorted(moved_orders), "cod": cod, "actor": _actor_label(actor)},
            key=f"postal:react:{uuid.uuid4().hex}",
            queue="partners",
        )
    return result


def _actor_label(actor) -> str:
    return actor if isinstance(actor, str) else f"staff:{getattr(actor, 'pk', '')}"


def _parcel_move(parcel: Parcel, outcome: _Outcome, actor) -> None:
    if parcel.status in FINAL_STATUSES or outcome.status is None:
        return
    deadline = None
    if outcome.arrival and outcome.status == ParcelStatus.ARRIVED:
        deadline = _storage_deadline(*outcome.arrival)
    if outcome.status == parcel.status:
        if deadline and deadline != parcel.storage_deadline:
            parcel_status_change(parcel=parcel, to=parcel.status, actor=actor, storage_deadline=deadline)
        return
    steps = _path(parcel.status, outcome.status)
    if not steps:
        raise LogisticsError(f"no way from {parcel.status} to {outcome.status}")
    for step in steps:
        parcel_status_change(
            parcel=parcel,
            to=step,
            actor=actor,
            reason=outcome.reason,
            at=outcome.at,
            storage_deadline=deadline if step == ParcelStatus.ARRIVED else None,
        )


def _parcel_react(
    parcel: Parcel, before: str, outcome: _Outcome, new_codes: set[tuple[int, int]]
) -> tuple[list[tuple[int, str, str]], list[dict]]:
    """What follows from one parcel's move: messages to the shopper as (parcel id, kind, office), and COD reports."""
    after = parcel.status
    kinds = []
    if before in (ParcelStatus.CREATED, ParcelStatus.REGISTERED) and after in ACCEPTED_BY_POST - FINAL_STATUSES:
        kinds.append(notify.SHIPPED)
    if new_codes & CUSTOMS_CLEARED and after in (ParcelStatus.IN_TRANSIT, ParcelStatus.CUSTOMS):
        kinds.append(notify.CUSTOMS_CLEARED)
    if after != before:
        kinds += {
            ParcelStatus.ARRIVED: [notify.ARRIVED],
            ParcelStatus.DELIVERED: [notify.DELIVERED],
            ParcelStatus.RETURNING: [notify.RETURNED],
            ParcelStatus.RETURNED: [] if before == ParcelStatus.RETURNING else [notify.RETURNED],
        }.get(after, [])
    cod = []
    if parcel.cod_amount > 0 and after != before:
        if after == ParcelStatus.DELIVERED:
            at = parcel.delivered_at or outcome.at
            cod.append({"parcel_id": parcel.pk, "outcome": COLLECTED, "at": at.isoformat() if at else ""})
        elif after in BACK_TO_SENDER and before not in BACK_TO_SENDER:
            at = outcome.refused_at or outcome.at
            cod.append(
                {
                    "parcel_id": parcel.pk,
                    "outcome": REFUSED,
                    "at": at.isoformat() if at else "",
                    "reason": outcome.reason,
                }
            )
    office = outcome.arrival[1] if outcome.arrival else ""
    return [(parcel.pk, kind, office) for kind in kinds], cod


def parcels_react(*, notices: list, order_ids: list[int], cod: list[dict] = (), actor: str = ACTOR) -> int:
    """After a sync step (the outbox job REACT_TASK): orders follow their parcels, shoppers are told, and payments
    hears of pay-on-delivery money — in that order, so a refusal finds its order already shipped.

    Orders and messages in one durable transaction, then each COD report in payments' own (payments.cod is
    durable). Safe to run again after a failure anywhere: order moves check statuses, messages have keys,
    payments.cod is idempotent. Returns how many orders moved.
    """
    with transaction.atomic(durable=True):
        moved = _orders_follow(set(order_ids), actor)
        parcels = Parcel.objects.select_related("order", "order__user").in_bulk({n[0] for n in notices})
        for parcel_id, kind, office in notices:
            parcel = parcels.get(parcel_id)
            if parcel is not None and parcel.tracking_number:
                notify.parcel_notify(parcel=parcel, kind=kind, office=office)
    for report in cod:
        parcel_cod_report(**report, actor=actor)
    return moved


def _orders_follow(order_ids: set[int], actor) -> int:
    """Orders follow their parcels: shipped when the post has any of them; delivered when every parcel is settled
    and one was handed over; returned when every parcel goes back (pay-on-delivery orders: payments does that when
    it hears of the refusal)."""
    if not order_ids:
        return 0
    # Orders locked first (in id order), their parcels read after: a job for another answer about the same order,
    # running beside this one, waits here and then decides on the order's fresh status and all parcels it moved.
    orders = list(Order.objects.select_for_update(no_key=True).filter(pk__in=order_ids).order_by("pk"))
    statuses: dict[int, list[str]] = defaultdict(list)
    for order_id, status in Parcel.objects.filter(order_id__in=order_ids).values_list("order_id", "status"):
        if status != ParcelStatus.CANCELLED:
            statuses[order_id].append(status)
    moved = 0
    for order in orders:
        live = statuses.get(order.pk, [])
        try:
            with transaction.atomic():
                moved += _order_follow(order, live, actor)
        except OrderError as exc:
            log.warning("order not moved by tracking", extra={"order": order.number, "why": str(exc)})
    return moved


def _order_follow(order: Order, live: list[str], actor) -> int:
    moved = 0
    if order.status == OrderStatus.PACKED and any(s in ACCEPTED_BY_POST for s in live):
        order_ship(order=order, actor=actor, reason="Почта приняла посылку")
        moved += 1
    if order.status != OrderStatus.SHIPPED or not live or not all(s in SETTLED for s in live):
        return moved
    if ParcelStatus.DELIVERED in live:
        order_deliver(order=order, actor=actor, reason="Почта вручила посылку")
        moved += 1
    elif all(s in BACK_TO_SENDER for s in live) and order.payment_method != PaymentMethod.CASH_ON_DELIVERY:
        order_mark_returned(order=order, actor=actor, reason="Посылка не вручена и возвращается отправителю")
        moved += 1
    return moved


def orders_follow_sweep(*, limit: int = 2000, actor=ACTOR) -> int:
    """Beat's safety net: orders that should have followed their parcels and did not (a react job that failed for
    good, a worker lost with its job). Moves them the same way the job does; returns how many moved.

    Pay-on-delivery orders whose parcels all went back are payments' to move (on the refusal report), so they
    are not picked up here.
    """
    live = Parcel.objects.filter(order=OuterRef("pk")).exclude(status=ParcelStatus.CANCELLED)
    packed_but_accepted = Q(status=OrderStatus.PACKED) & Exists(live.filter(status__in=ACCEPTED_BY_POST))
    shipped_and_settled = (
        Q(status=OrderStatus.SHIPPED)
        & Exists(live)
        & ~Exists(live.exclude(status__in=SETTLED))
        & (
            Exists(live.filter(status=ParcelStatus.DELIVERED))
            | (~Q(payment_method=PaymentMethod.CASH_ON_DELIVERY) & ~Exists(live.exclude(status__in=BACK_TO_SENDER)))
        )
    )  # what _order_follow would move: a lost parcel leaves its order to support, so it is not picked every time
    order_ids = list(
        Order.objects.filter(packed_but_accepted | shipped_and_settled)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    moved = 0
    for start in range(0, len(order_ids), 200):  # short transactions: orders are locked while they move
        with transaction.atomic(durable=True):
            moved += _orders_follow(set(order_ids[start : start + 200]), actor)
    if moved:
        log.info("orders moved by the sweep, not by their react job", extra={"orders": moved})
    return moved


# --- a ticket's answer
def tracking_answer_ingest(*, ticket_id: int, answer: BatchAnswer, now: datetime, actor=ACTOR) -> ApplyResult:
    """Store a ticket's answer and move its parcels, in one transaction; a no-op for a ticket already answered."""
    with transaction.atomic(durable=True):
        ticket = TrackingTicket.objects.select_for_update().filter(pk=ticket_id, status=TicketStatus.PENDING).first()
        if ticket is None:
            return ApplyResult()
        result = _answer_store(ticket, answer, now, actor)
    return result


def _answer_store(ticket: TrackingTicket, answer: BatchAnswer, now: datetime, actor) -> ApplyResult:
    asked = set(ticket.barcodes)
    parcel_ids = dict(
        Parcel.objects.filter(tracking_number__in=asked).values_list("tracking_number", "id")
    )  # fmt: skip
    pairs, failed, answered = [], [], set()
    for item in answer.items:
        parcel_id = parcel_ids.get(item.barcode)
        if parcel_id is None:
            continue  # not asked for, or no longer ours: ignore
        if item.error_code is not None and item.error_code != NO_DATA:
            failed.append(item.barcode)
            continue
        answered.add(parcel_id)
        pairs.extend((parcel_id, event) for event in item.events)
    missing = [b for b in asked if b in parcel_ids and parcel_ids[b] not in answered and b not in failed]
    failed.extend(missing)  # asked but absent from the answer: ask again
    stored = tracking_events_store(events=pairs, source=EventSource.BATCH, received_at=timezone.now())
    new_events: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for parcel_id, oper_type, oper_attr, _occurred in stored:
        new_events[parcel_id].append((oper_type, oper_attr))
    result = parcels_follow_events(parcel_ids=set(new_events), new_events=new_events, actor=actor)
    result.events_stored = len(stored)

    refresh = now + timedelta(minutes=settings.STORE_POST_REFRESH_MINUTES)
    failed_ids = [parcel_ids[b] for b in failed]
    TrackingPoll.objects.filter(parcel_id__in=answered).update(
        ticket=None, next_request_at=refresh, last_answer_at=now, failures=0
    )
    if failed_ids:
        TrackingPoll.objects.filter(parcel_id__in=failed_ids).update(
            ticket=None, next_request_at=now, failures=F("failures") + 1
        )
    TrackingTicket.objects.filter(pk=ticket.pk).update(
        status=TicketStatus.DONE,
        answered_at=now,
        polls=ticket.polls + 1,
        events_received=len(pairs),
        events_stored=len(stored),
        records_skipped=answer.skipped,
        failed_barcodes=failed,
    )
    page_cache_drop(b for b, pid in parcel_ids.items() if pid in new_events)
    return result


def tracking_history_ingest(*, parcel: Parcel, events: list[PartnerEvent], actor=ACTOR) -> ApplyResult:
    """Store a single-access history (support's "refresh now") and move the parcel, in one transaction."""
    with transaction.atomic(durable=True):
        stored = tracking_events_store(
            events=[(parcel.pk, e) for e in events], source=EventSource.SINGLE, received_at=timezone.now()
        )
        new_events = {parcel.pk: [(t, a) for _p, t, a, _o in stored]}
        result = parcels_follow_events(parcel_ids={parcel.pk} if stored else set(), new_events=new_events, actor=actor)
        result.events_stored = len(stored)
        page_cache_drop([parcel.tracking_number])
    return result
