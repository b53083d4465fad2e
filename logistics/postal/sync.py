"""The tracking sync: active parcels through the partner's batch service, in tickets (DOMAIN.md 1).

One pass:
1. collects the answers of tickets that are due (first poll 15 minutes after the ticket, then at most every
   15 minutes: "not ready" pushes the next poll 15 minutes on; an expired ticket's parcels are asked about again);
2. stores each answer and moves its parcels (services.tracking_answer_ingest: one transaction per ticket);
3. asks for tickets for the active parcels that are due again, `STORE_POST_TICKET_SIZE` barcodes per ticket,
   walking the parcels by id so memory stays flat however many there are;
4. reminds shoppers whose parcel waits at the office and is near its storage deadline (even when the pass paused).

A partner outage (or the circuit breaker being open) pauses the pass where it is: tickets stay pending with their
poll times, parcels not yet asked about stay due, and the next pass carries on from there. Time comes from an
injectable clock: the system's in production, the sandbox's locally and in tests.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from logistics.models import ACTIVE_STATUSES, Parcel, ParcelStatus
from storefront.celery import app as celery_app

from . import notify
from .client import TrackingClient
from .clock import Clock, clock_from_settings
from .exceptions import (
    MalformedAnswer,
    PartnerAuthError,
    PartnerError,
    PartnerUnavailable,
    TicketExpired,
    TicketNotReady,
)
from .models import TicketStatus, TrackingPoll, TrackingTicket
from .services import ACTOR, tracking_answer_ingest

log = logging.getLogger("logistics.postal")


@dataclass
class SyncReport:
    tickets_requested: int = 0
    barcodes_requested: int = 0
    tickets_answered: int = 0
    tickets_not_ready: int = 0
    tickets_expired: int = 0
    tickets_failed: int = 0
    events_stored: int = 0
    parcels_moved: int = 0
    orders_to_follow: int = 0
    notifications: int = 0
    reminders: int = 0
    paused: str = ""
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def merge(self, other: SyncReport) -> None:
        for name, value in asdict(other).items():
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(self, name, getattr(self, name) + value)
        self.errors += other.errors[:20]


def tracking_sync(
    *,
    clock: Clock | None = None,
    client: TrackingClient | None = None,
    actor=ACTOR,
    request: bool = True,
    collect: bool = True,
    max_tickets: int | None = None,
) -> SyncReport:
    """One pass (see the module docstring). Never raises for partner trouble: the report says it paused."""
    clock = clock or clock_from_settings()
    client = client or TrackingClient()
    report = SyncReport()
    started = time.monotonic()
    try:
        if collect:
            _collect(client, clock, report, actor)
        if request:
            _request(client, clock, report, max_tickets)
    except (PartnerUnavailable, PartnerAuthError) as exc:  # CircuitOpen included
        report.paused = f"{type(exc).__name__}: {exc}"
        log.warning("tracking sync paused", extra={"why": report.paused})
    try:  # reminders need nothing from the partner: they go out while it is down too
        report.reminders = parcels_storage_remind(today=timezone.localtime(clock.now()).date())
    except PartnerUnavailable as exc:  # only the sandbox's clock can be unreachable
        log.warning("storage reminders skipped", extra={"why": str(exc)})
    report.seconds = round(time.monotonic() - started, 3)
    log.info("tracking sync pass", extra={k: v for k, v in report.as_dict().items() if k != "errors"})
    return report


# --- answers
def _collect(client: TrackingClient, clock: Clock, report: SyncReport, actor) -> None:
    """Collect every due ticket; with STORE_POST_SYNC_WORKERS > 1, that many tickets at once (each its own
    transaction on its own connection; tickets hold disjoint parcels, so they never wait on each other's locks)."""
    due = list(
        TrackingTicket.objects.filter(status=TicketStatus.PENDING, next_poll_at__lte=clock.now())
        .order_by("next_poll_at", "id")
        .values_list("id", "ticket")
    )
    workers = max(1, settings.STORE_POST_SYNC_WORKERS)
    if workers == 1 or len(due) < 2:
        for ticket_id, ticket in due:
            _collect_one(client, clock, report, actor, ticket_id=ticket_id, ticket=ticket)
        return
    celery_app.loader.import_default_modules()  # the task registry, filled here: threads would race to import it
    lock = threading.Lock()

    def run(item: tuple[int, str]) -> None:
        part = SyncReport()
        try:
            _collect_one(TrackingClient(client.config), clock, part, actor, ticket_id=item[0], ticket=item[1])
        finally:
            connection.close()  # this thread's own connection
            with lock:
                report.merge(part)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="postal-sync") as pool:
        futures = [pool.submit(run, item) for item in due]
        try:
            for future in futures:
                future.result()  # a partner outage in any thread pauses the pass
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _collect_one(
    client: TrackingClient, clock: Clock, report: SyncReport, actor, *, ticket_id: int, ticket: str
) -> None:
    poll_every = timedelta(minutes=settings.STORE_POST_POLL_MINUTES)
    try:
        answer = client.ticket_answer(ticket)
    except TicketNotReady:
        now = clock.now()
        TrackingTicket.objects.filter(pk=ticket_id).update(next_poll_at=now + poll_every, polls=F("polls") + 1)
        report.tickets_not_ready += 1
        return
    except TicketExpired as exc:
        _ticket_close(ticket_id, TicketStatus.EXPIRED, str(exc), clock)
        report.tickets_expired += 1
        return
    except PartnerError as exc:  # a coded whole-request error (e.g. 2): this ticket will not get an answer
        _ticket_close(ticket_id, TicketStatus.FAILED, str(exc), clock)
        report.tickets_failed += 1
        return
    except MalformedAnswer as exc:
        # Unreadable even after the client's retries: give up on this ticket alone (its parcels are asked about
        # again in a new ticket, whose answer carries their whole history), the other tickets go on. A partner
        # that answers only garbage still pauses the pass once the breaker opens.
        log.error("unreadable ticket answer; ticket closed", extra={"ticket": ticket, "why": str(exc)})
        _ticket_close(ticket_id, TicketStatus.FAILED, str(exc), clock)
        report.tickets_failed += 1
        report.errors.append(f"{ticket}: {exc}"[:300])
        return
    result = tracking_answer_ingest(ticket_id=ticket_id, answer=answer, now=clock.now(), actor=actor)
    report.tickets_answered += 1
    report.events_stored += result.events_stored
    report.parcels_moved += result.parcels_moved
    report.orders_to_follow += result.orders_to_follow
    report.notifications += result.notifications
    report.errors += result.errors[:20]


def _ticket_close(ticket_id: int, status: str, error: str, clock: Clock) -> None:
    """The ticket will never answer: its parcels are due again at once."""
    now = clock.now()
    with transaction.atomic(durable=True):
        TrackingTicket.objects.filter(pk=ticket_id).update(status=status, error=error[:500], polls=F("polls") + 1)
        TrackingPoll.objects.filter(ticket_id=ticket_id).update(ticket=None, next_request_at=now)
    log.warning("tracking ticket closed without an answer", extra={"ticket": ticket_id, "status": status})


# --- new tickets
_DUE = """
SELECT p.id, p.tracking_number
FROM logistics_parcel p
LEFT JOIN postal_trackingpoll t ON t.parcel_id = p.id
WHERE p.status = ANY(%s) AND p.tracking_number <> '' AND p.id > %s
  AND (t.parcel_id IS NULL OR (t.ticket_id IS NULL AND (t.next_request_at IS NULL OR t.next_request_at <= %s)))
ORDER BY p.id
LIMIT %s
"""
_IN_FLIGHT = """
INSERT INTO postal_trackingpoll (parcel_id, ticket_id, next_request_at, failures)
SELECT unnest(%s::bigint[]), %s, NULL, 0
ON CONFLICT (parcel_id) DO UPDATE SET ticket_id = EXCLUDED.ticket_id, next_request_at = NULL
"""


def _request(client: TrackingClient, clock: Clock, report: SyncReport, max_tickets: int | None) -> None:
    size = settings.STORE_POST_TICKET_SIZE
    active = sorted(ACTIVE_STATUSES)
    after_id = 0
    while max_tickets is None or report.tickets_requested < max_tickets:
        now = clock.now()
        with connection.cursor() as cursor:
            cursor.execute(_DUE, [active, after_id, now, size])
            rows = cursor.fetchall()
        if not rows:
            return
        after_id = rows[-1][0]
        ids, barcodes = [r[0] for r in rows], [r[1] for r in rows]
        try:
            ticket = client.ticket_get(barcodes)
        except PartnerError as exc:  # the partner refused this request (format, size): try these again later
            _later(ids, now)
            report.errors.append(f"getTicket: {exc}")
            log.error("getTicket refused", extra={"why": str(exc), "barcodes": len(barcodes)})
            continue
        with transaction.atomic(durable=True):
            row = TrackingTicket.objects.create(
                ticket=ticket,
                barcodes=barcodes,
                requested_at=now,
                next_poll_at=now + timedelta(minutes=settings.STORE_POST_POLL_MINUTES),
            )
            with connection.cursor() as cursor:
                cursor.execute(_IN_FLIGHT, [ids, row.pk])
        report.tickets_requested += 1
        report.barcodes_requested += len(barcodes)


def _later(parcel_ids: list[int], now) -> None:
    later = now + timedelta(minutes=settings.STORE_POST_REFRESH_MINUTES)
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO postal_trackingpoll (parcel_id, ticket_id, next_request_at, failures)
                   SELECT unnest(%s::bigint[]), NULL, %s, 1
                   ON CONFLICT (parcel_id) DO UPDATE
                   SET next_request_at = EXCLUDED.next_request_at, failures = postal_trackingpoll.failures + 1""",
            [parcel_ids, later],
        )


# --- storage reminders
def parcels_storage_remind(*, today) -> int:
    """Remind once per deadline: parcels waiting at the office whose storage ends within STORE_POST_REMINDER_DAYS."""
    window_end = today + timedelta(days=settings.STORE_POST_REMINDER_DAYS)
    parcels = (
        Parcel.objects.select_related("order", "order__user")
        .filter(status=ParcelStatus.ARRIVED, storage_deadline__gte=today, storage_deadline__lte=window_end)
        .exclude(tracking_poll__reminded_for=F("storage_deadline"))
        .order_by("pk")
    )
    sent = 0
    for parcel in list(parcels[:10_000]):  # a day's worth at most; the rest on the next pass
        with transaction.atomic(durable=True):
            notify.parcel_notify(parcel=parcel, kind=notify.STORAGE_REMINDER, office=parcel.postcode)
            TrackingPoll.objects.update_or_create(parcel=parcel, defaults={"reminded_for": parcel.storage_deadline})
        sent += 1
    return sent
