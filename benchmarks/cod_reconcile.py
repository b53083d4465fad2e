"""Time `manage.py reconcile_cod` on a 100,000-line remittance register (target: under 30 s on this machine).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/store_bench REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python -m benchmarks.cod_reconcile [--lines 100000] [--repeats 2]

Not a wrk scenario: the figure is one command's wall time. The run migrates the database, makes sure it holds
`--lines` collected COD payments with tracking numbers of the bench's own post office (800826…; inserted once, in
bulk: 100,000 orders through the services would take the benchmark an hour and measure checkout instead), writes the
register with payments.cod_register_generate (about 1% amount mismatches, 0.5% unknown numbers, 0.2% repeats, 0.1%
malformed lines, 1% of the payments left out so the not-remitted scan finds them), then per repeat: forgets the
bench's earlier loads, loads the file (the figure) and loads it again (every line already reconciled). Each load waits
(bounded) for a quiet machine first, like benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INDEX = "800826"  # the bench's made-up post office: its tracking numbers are the bench's own rows
FILE_PREFIX = "bench-cod-"
TARGET_S = 30.0


def _setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL is required (a database of the benchmark's own, e.g. store_bench)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()


def seed(lines: int) -> int:
    """At least `lines` + 1% collected COD payments of the bench's office; returns how many were inserted now."""
    from django.db import transaction
    from django.utils import timezone

    from orders.models import DeliveryMethod, Order, OrderStatus, PaymentMethod
    from payments.cod_register_generate import tracking_number_make
    from payments.models import CodCollection, Payment, PaymentStatus

    wanted = lines + lines // 100
    have = CodCollection.objects.filter(tracking_number__startswith=INDEX).count()
    collected_at = timezone.now() - timedelta(days=30)
    for start in range(have, wanted, 5000):
        numbers = range(start, min(start + 5000, wanted))
        with transaction.atomic():
            orders = Order.objects.bulk_create(
                Order(
                    number=f"BENCH-COD-{n:07d}", is_guest=True, status=OrderStatus.DELIVERED,
                    contact_phone="+79160000000", recipient_name="Бенчмарк", postcode="101000", city="Москва",
                    street="Тверская", house="1", delivery_method=DeliveryMethod.POST_PICKUP,
                    payment_method=PaymentMethod.CASH_ON_DELIVERY, subtotal=Decimal(1000 + n % 40000),
                    delivery_cost=Decimal("299.00"), total=Decimal(1000 + n % 40000) + Decimal("299.00"),
                    idempotency_key=f"bench-cod-{n}", placed_at=collected_at - timedelta(days=5),
                )
                for n in numbers
            )  # fmt: skip
            payments = Payment.objects.bulk_create(
                Payment(
                    order=o, method=PaymentMethod.CASH_ON_DELIVERY, status=PaymentStatus.COLLECTED, amount=o.total,
                    capture=False, paid_at=collected_at,
                )
                for o in orders
            )  # fmt: skip
            CodCollection.objects.bulk_create(
                CodCollection(
                    payment=p, order_id=p.order_id, tracking_number=tracking_number_make(n, index=INDEX),
                    amount=p.amount, collected_amount=p.amount, collected_at=collected_at,
                )
                for n, p in zip(numbers, payments, strict=True)
            )  # fmt: skip
    return max(0, wanted - have)


def register(path: Path, lines: int) -> None:
    from payments.cod_register_generate import Mix, register_rows, register_write
    from payments.models import CodCollection

    parcels = (
        CodCollection.objects.filter(tracking_number__startswith=INDEX)
        .order_by("tracking_number")
        .values_list("tracking_number", "amount")
        .iterator(chunk_size=5000)
    )
    mix = Mix(mismatch_every=97, unknown_every=199, duplicate_every=499, malformed_every=997)
    register_write(path, register_rows(parcels, lines=lines, mix=mix, seed=1))


def reset() -> None:
    """Forget the bench's earlier loads, so each repeat reconciles from the same state, and vacuum what that left
    behind (in production autovacuum does; here the repeats would otherwise measure the previous run's dead rows)."""
    from django.db import connection, transaction

    from payments.models import CodCollection, CodReconciliation, CodRemittanceLine

    collections, lines, recons = (m._meta.db_table for m in (CodCollection, CodRemittanceLine, CodReconciliation))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {lines} WHERE reconciliation_id IN (SELECT id FROM {recons} WHERE file_name LIKE %s)",
            [f"{FILE_PREFIX}%"],
        )
        cursor.execute(f"DELETE FROM {recons} WHERE file_name LIKE %s", [f"{FILE_PREFIX}%"])
    with connection.cursor() as cursor:
        for table in (collections, lines, recons):
            cursor.execute(f"VACUUM ANALYZE {table}")


def load(path: Path, *, quiet_below: float, quiet_wait: int) -> tuple[float, float, float | None, dict]:
    """One `reconcile_cod` run: (wall s, this process's CPU s, machine busy before, outcome counts). It waits
    (bounded) for a quiet machine first, as benchmarks/run.py does; the database's CPU is not in the CPU figure."""
    from django.core.management import call_command

    from benchmarks import cpu
    from payments.models import CodReconciliation

    busy = cpu.wait_until_quiet(threshold=quiet_below, timeout=quiet_wait) if quiet_wait else None
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    call_command("reconcile_cod", str(path), stdout=StringIO())
    elapsed = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    used = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    return elapsed, used, busy, CodReconciliation.objects.latest("started_at").counts


def _pct(value: float | None) -> str:
    return "?" if value is None else f"{value:.0%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cod_reconcile", description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quiet-below", type=float, default=0.15, help="wait for the machine to be less busy")
    parser.add_argument("--quiet-wait", type=int, default=60, help="at most this many seconds per wait (0: never)")
    args = parser.parse_args(argv)
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    inserted = seed(args.lines)
    print(f"seed: {inserted} COD payments inserted in {time.perf_counter() - started:.1f} s", flush=True)
    path = ROOT / "var" / "bench" / f"{FILE_PREFIX}{args.lines}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    register(path, args.lines)
    print(f"register: {path} ({path.stat().st_size / 1e6:.1f} MB) written in {time.perf_counter() - started:.1f} s")
    firsts, seconds = [], []
    quiet = {"quiet_below": args.quiet_below, "quiet_wait": args.quiet_wait}
    for i in range(args.repeats):
        reset()
        first, first_cpu, busy, counts = load(path, **quiet)
        second, second_cpu, busy2, again = load(path, **quiet)
        firsts.append(first)
        seconds.append(second)
        print(
            f"  run {i + 1}: first load {first:.1f} s (python CPU {first_cpu:.1f} s, machine busy before "
            f"{_pct(busy)}), same file again {second:.1f} s (python CPU {second_cpu:.1f} s, busy before {_pct(busy2)})",
            flush=True,
        )
    print(f"outcomes of the first load: {counts}")
    print(f"outcomes of the second load: {again}")
    median = statistics.median(firsts)
    verdict = "OK" if median < TARGET_S else "SLOWER THAN TARGET"
    print(
        f"reconcile_cod, {args.lines:,} lines: first load median {median:.1f} s (runs: "
        f"{', '.join(f'{t:.1f}' for t in firsts)}), same file again median {statistics.median(seconds):.1f} s; "
        f"target < {TARGET_S:.0f} s: {verdict}"
    )
    return 0 if median < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
