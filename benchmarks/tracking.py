"""Time a full tracking sync over 100,000 active parcels against the postal sandbox (target: < 10 min, flat memory).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/store_postal_bench REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python -m benchmarks.tracking [--parcels 100000] [--days 12] [--keep]

Not a wrk scenario: the figure is the sync's wall time. The run migrates the database, removes an earlier run's
bench parcels, inserts `--parcels` packed orders with one registered parcel each (in bulk: 100,000 orders through
the services would take an hour and measure checkout instead), starts the postal sandbox as its own process (the
partner is another machine in production) and tells it the parcels left between 0 and `--days` days ago, so they
are spread over the whole journey (China 70%, EU 20%, Russian warehouse 10%; the sandbox's scenario mix: lost,
returned, customs-held, refused COD, no data). Then, timed, the sync as beat runs it:

1. first pass: a ticket per 500 parcels (getTicket);
2. the sandbox's clock moves 15 minutes on (not timed: the partner's own wait);
3. second pass: every answer collected, events stored, parcels, orders and payments moved, shoppers notified;
4. a day later on the sandbox's clock, one more request + collect round (the steady state: fewer new events).

Memory is this process's RSS, sampled every 0.2 s: a flat line means no per-parcel growth. The tracking page's
requests/s against the ceiling is a wrk scenario of `make bench` ("track", benchmarks/scenarios.py), whose paths
come from `tracking_paths()` below.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "BTRK-"  # the bench's orders and parcels: their number/reference starts with this
SERIAL0 = 30_000_000  # S10 serials of bench parcels: 30000000 + i
TARGET_S = 600.0
POSTCODES = ("101000", "125009", "190000", "420111", "443010", "630090", "620014", "690091", "344002", "660049")
LOGIN, PASSWORD, TOKEN = "store", "sandbox-password", "sandbox-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _setup(port: int) -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is required (a database of the benchmark's own, e.g. store_postal_bench)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    base = f"http://127.0.0.1:{port}"
    os.environ.update(
        STORE_POST_SINGLE_URL=f"{base}/rtm34",
        STORE_POST_BATCH_URL=f"{base}/fc",
        STORE_POST_OTPRAVKA_URL=f"{base}/1.0/",
        STORE_POST_LOGIN=LOGIN,
        STORE_POST_PASSWORD=PASSWORD,
        STORE_POST_OTPRAVKA_TOKEN=TOKEN,
        STORE_POST_CLOCK="sandbox",
    )
    import django

    django.setup()


class Rss:
    """This process's resident memory, sampled in a thread: start, peak and the samples in between."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def now_mb() -> float:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(0.2):
            self.samples.append((time.monotonic() - started, self.now_mb()))

    def __enter__(self) -> Rss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        values = [mb for _t, mb in self.samples] or [self.now_mb()]
        quarters = [values[min(len(values) - 1, int(len(values) * q))] for q in (0, 0.25, 0.5, 0.75)] + [values[-1]]
        return {
            "start_mb": round(values[0]),
            "peak_mb": round(max(values)),
            "by_quarter_mb": [round(v) for v in quarters],
        }


# --- data
def cleanup() -> None:
    """Remove earlier bench parcels and everything the sync wrote about them (bench database only)."""
    from django.db import connection, transaction

    parcels = "SELECT id FROM logistics_parcel WHERE reference LIKE %s"
    orders = "SELECT id FROM orders_order WHERE number LIKE %s"
    like = [f"{PREFIX}%"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM postal_trackingevent WHERE parcel_id IN ({parcels})", like)
        cursor.execute(f"DELETE FROM postal_trackingpoll WHERE parcel_id IN ({parcels})", like)
        cursor.execute("DELETE FROM postal_trackingticket WHERE barcodes[1] LIKE 'RA3%%' OR barcodes[1] LIKE '14230%%'")
        cursor.execute(f"DELETE FROM logistics_parcelstatuschange WHERE parcel_id IN ({parcels})", like)
        cursor.execute(
            "DELETE FROM outbox_outboxjob WHERE key IN (SELECT 'notification:' || id FROM notifications_notification "
            f"WHERE key LIKE 'parcel:%%' AND split_part(key, ':', 2)::bigint IN ({parcels}))",
            like,
        )
        cursor.execute(
            "DELETE FROM notifications_notification "
            f"WHERE key LIKE 'parcel:%%' AND split_part(key, ':', 2)::bigint IN ({parcels})",
            like,
        )
        cursor.execute("DELETE FROM outbox_outboxjob WHERE key LIKE 'postal:react:%%'")
        cursor.execute("DELETE FROM logistics_parcel WHERE reference LIKE %s", like)
        cursor.execute(f"DELETE FROM orders_orderstatuschange WHERE order_id IN ({orders})", like)
        cursor.execute("DELETE FROM orders_order WHERE number LIKE %s", like)
    with connection.cursor() as cursor:
        for table in ("postal_trackingevent", "postal_trackingpoll", "logistics_parcel", "orders_order"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _origin(i: int) -> str:
    return "CN" if i % 10 < 7 else "EU" if i % 10 < 9 else "RU"


def _barcode(i: int, origin: str) -> str:
    from logistics.tracking_numbers import domestic_make, s10_make

    if origin == "RU":
        return domestic_make(index="142300", month_code=1 + (i // 100_000) % 96, serial=i % 100_000)
    return s10_make(serial=SERIAL0 + i, country="CN" if origin == "CN" else "LV")


def seed(count: int) -> list[dict]:
    """`count` packed orders with one registered parcel each, in bulk; returns the sandbox's view of them."""
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from logistics.models import Parcel, ParcelStatus
    from orders.models import DeliveryMethod, Order, OrderStatus, PaymentMethod

    now = timezone.now()
    sandbox_rows = []
    for start in range(0, count, 5000):
        numbers = range(start, min(start + 5000, count))
        with transaction.atomic():
            orders = Order.objects.bulk_create(
                Order(
                    number=f"{PREFIX}{n:07d}", is_guest=True, status=OrderStatus.PACKED,
                    contact_phone="+7916" + f"{n:07d}", contact_email=f"b{n}@example.ru" if n % 2 else "",
                    recipient_name="Покупатель Тестовый", postcode=POSTCODES[n % len(POSTCODES)], city="Город",
                    street="ул. Почтовая", house="1", delivery_method=DeliveryMethod.POST_PICKUP,
                    payment_method=PaymentMethod.CARD, subtotal=Decimal("2500.00"), delivery_cost=Decimal("299.00"),
                    total=Decimal("2799.00"), idempotency_key=f"{PREFIX}{n}", placed_at=now,
                )
                for n in numbers
            )  # fmt: skip
            parcels = []
            for n, order in zip(numbers, orders, strict=True):
                origin = _origin(n)
                number = _barcode(n, origin)
                parcels.append(
                    Parcel(
                        order=order, reference=f"{PREFIX}{n:07d}-1", origin=origin, tracking_number=number,
                        status=ParcelStatus.REGISTERED, weight_grams=800, declared_value=Decimal("2799.00"),
                        recipient_name=order.recipient_name, recipient_phone=order.contact_phone,
                        postcode=order.postcode, city="Город", street="ул. Почтовая", house="1",
                    )
                )  # fmt: skip
                kind = {"CN": "china", "EU": "eu", "RU": "domestic"}[origin]
                sandbox_rows.append({"barcode": number, "kind": kind, "index_to": order.postcode})
            Parcel.objects.bulk_create(parcels)
    return sandbox_rows


# --- the sandbox, as its own process
class Sandbox:
    def __init__(self, port: int) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Sandbox:
        env = {**os.environ, "STORE_POST_SANDBOX_STATE": ""}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "logistics.postal.sandbox", "--port", str(self.port), "--state-file", ""],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.call("GET", "/sandbox/clock")
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the postal sandbox did not start")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def call(self, method: str, path: str, body=None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sandbox_register(sandbox: Sandbox, rows: list[dict], days: float) -> None:
    now = sandbox.call("GET", "/sandbox/clock")["epoch"]
    spread = days * 86400
    for start in range(0, len(rows), 5000):
        chunk = [{**row, "start": now - (i * 7919) % spread} for i, row in enumerate(rows[start : start + 5000], start)]
        sandbox.call("POST", "/sandbox/parcels", chunk)


# --- the run
def _react(limit: int) -> tuple[float, dict]:
    """Run up to `limit` of the jobs the answers queued (orders follow, notifications) here, as one worker would,
    timed apart; the rest are marked relayed unrun (a bench has no workers). Returns (seconds, counts)."""
    from django.utils import timezone

    from logistics.postal.services import REACT_TASK, parcels_react
    from storefront.notifications.models import Notification
    from storefront.outbox.models import OutboxJob

    pending = OutboxJob.objects.filter(task=REACT_TASK, relayed_at__isnull=True)
    total = pending.count()
    before = Notification.objects.count()
    started = time.perf_counter()
    moved = jobs = 0
    for job_id, kwargs in list(pending.order_by("id").values_list("id", "kwargs")[:limit]):
        moved += parcels_react(**kwargs)
        OutboxJob.objects.filter(pk=job_id).update(relayed_at=timezone.now())
        jobs += 1
    elapsed = time.perf_counter() - started
    pending.update(relayed_at=timezone.now())
    counts = {"jobs": jobs, "of": total, "orders_moved": moved, "notifications": Notification.objects.count() - before}
    return elapsed, counts


def _timed(label: str, fn, sandbox: Sandbox) -> tuple[float, object]:
    cpu0 = sandbox.cpu_seconds()
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(
        f"  {label}: {elapsed:.1f} s (sandbox CPU {sandbox.cpu_seconds() - cpu0:.1f} s) {result.as_dict()}",
        flush=True,
    )
    return elapsed, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tracking", description=__doc__.split("\n")[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=12, help="parcels left between 0 and this many days ago")
    parser.add_argument("--keep", action="store_true", help="keep the bench parcels and events afterwards")
    parser.add_argument(
        "--react-jobs", type=int, default=20, help="of the jobs the answers queue (500 parcels each), run this many"
    )
    args = parser.parse_args(argv)
    port = _free_port()
    _setup(port)
    from django.core.management import call_command

    from logistics.postal.clock import SandboxClock
    from logistics.postal.sync import tracking_sync

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    cleanup()
    rows = seed(args.parcels)
    print(f"seed: {len(rows):,} packed orders with a registered parcel in {time.perf_counter() - started:.1f} s")
    with Sandbox(port) as sandbox:
        started = time.perf_counter()
        _sandbox_register(sandbox, rows, args.days)
        del rows
        print(f"sandbox: parcels on their way in {time.perf_counter() - started:.1f} s", flush=True)
        clock = SandboxClock(sandbox.base)
        with Rss() as rss:
            t1, first = _timed("pass 1 (getTicket)", lambda: tracking_sync(clock=clock, collect=False), sandbox)
            sandbox.call("POST", "/sandbox/clock", {"advance_seconds": 15 * 60})
            t2, second = _timed("pass 2 (answers)", lambda: tracking_sync(clock=clock, request=False), sandbox)
        full = t1 + t2
        events = second.events_stored
        t_react, react = _react(args.react_jobs)
        print(f"  orders and notifications (queued jobs; workers run them): {t_react:.1f} s {react}", flush=True)
        sandbox.call("POST", "/sandbox/clock", {"advance_seconds": 86400})
        t3, _again = _timed("a day later, request", lambda: tracking_sync(clock=clock, collect=False), sandbox)
        sandbox.call("POST", "/sandbox/clock", {"advance_seconds": 15 * 60})
        t4, later = _timed("a day later, answers", lambda: tracking_sync(clock=clock, request=False), sandbox)
    memory = rss.summary()
    verdict = "OK" if full < TARGET_S else "SLOWER THAN TARGET"
    print(
        f"tracking sync, {args.parcels:,} active parcels: {full:.1f} s ({t1:.1f} s tickets + {t2:.1f} s answers), "
        f"{events:,} events stored ({events / t2:,.0f}/s while collecting, {events / full:,.0f}/s overall), "
        f"{second.parcels_moved:,} parcels moved; the jobs it queued, {react['jobs']} of {react['of']} run here: "
        f"{react['orders_moved']:,} orders moved and {react['notifications']:,} notifications in {t_react:.1f} s "
        f"(one worker; {react['jobs'] / t_react if t_react else 0:.2f} jobs/s); "
        f"a day later {t3 + t4:.1f} s for {later.events_stored:,} new events; "
        f"RSS {memory}; target < {TARGET_S:.0f} s: {verdict}"
    )
    if not args.keep:
        cleanup()
    return 0 if full < TARGET_S and not first.paused and not second.paused else 1


def tracking_paths(limit: int = 1000) -> list[str]:
    """Tracking pages for `make bench`: parcels with events; makes 200 bench parcels with sandbox journeys (no
    server: the journeys are a pure function) when the database has none. Django is set up by the caller."""
    from logistics.models import Parcel
    from logistics.postal.models import TrackingEvent
    from logistics.postal.parsing import PartnerEvent
    from logistics.postal.sandbox.journeys import ParcelSpec, journey
    from logistics.postal.services import tracking_history_ingest

    numbers = list(
        Parcel.objects.filter(pk__in=TrackingEvent.objects.values("parcel_id")[: limit * 20])
        .values_list("tracking_number", flat=True)
        .distinct()[:limit]
    )
    if numbers:
        return [f"/track/{n}/" for n in numbers]
    for row in seed(200):
        parcel = Parcel.objects.get(tracking_number=row["barcode"])
        spec = ParcelSpec(row["barcode"], row["kind"], "normal", time.time() - 6 * 86400, row["index_to"])
        events = [
            PartnerEvent(parcel.tracking_number, op.type, op.attr, op.type_name(), op.local(), op.place.index, {})
            for op in journey(spec)
            if op.at <= time.time()
        ]
        tracking_history_ingest(parcel=parcel, events=events)
    return tracking_paths(limit)


if __name__ == "__main__":
    raise SystemExit(main())
