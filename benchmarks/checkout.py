"""The `checkout` scenario: every request places one order, each from its own guest session prepared before the run.

A shopper's last click at checkout is "Подтвердить заказ" on the review step: `POST /checkout/` with the CSRF token,
`step=place` and the one-time idempotency key the review step issued. What it needs is in the shopper's session:
the guest cart's id and the checkout draft (contact, address, delivery, payment, all four steps done, the key).
`checkout_paths()` (called by the harness once per run, after migrate and seeding) builds that state for N shoppers
at once, as the checkout itself would have left it: a guest cart with one or two lines of distinct products (in
stock, sellable, allowed for pay on delivery), a draft with a phone, a recipient, the address of a post office
with that office chosen as the pickup point (or courier delivery to it), pay on delivery (no call to a partner in
the request), stored through the session engine's own encoding in its database table and its cache (cached_db: a
session the shopper just used is in the cache). Each line of the paths file is one shopper:
`/checkout/?session=…&csrf=…&token=…&key=…`; wrk/checkout.lua posts the form of each line once, never twice.

The script counts as placed only a redirect to the order's page (`?placed=1`); anything else (the review page shown
again with an error, a redirect to the cart) is a wrong answer, reported among the errors. After a run,
`python -m benchmarks.checkout verify` checks the database against what wrk saw (benchmarks/README.md).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ROOT / "var" / "bench"
MANIFEST = STATE_DIR / "checkout-manifest.json"  # the prepared keys and stock, for `verify`
ANSWERS_LOG = STATE_DIR / "checkout-answers.jsonl"  # one line per wrk run: requests, placed, wrong answers
CURSOR = STATE_DIR / "checkout-cursor.txt"  # how many shoppers each wrk thread has used (wrk/checkout.lua)
SESSIONS_ENV = "BENCH_CHECKOUT_SESSIONS"
DEFAULT_SESSIONS = 40_000  # a 3 s warm-up and 2 × 10 s runs (+ re-runs) at up to ~900 orders/s
TWO_LINE_SHARE = 0.5  # half the carts have two products
DELIVERY_ALLOWANCE = Decimal(5000)  # roubles of delivery cost kept free under the pay-on-delivery limit
COURIER_SHARE = 0.3  # the rest go to a post office (the chosen pickup point)
STREETS = ["Ленина", "Мира", "Садовая", "Центральная", "Молодёжная", "Школьная", "Лесная", "Советская"]
NAMES = ["Анна Петрова", "Иван Смирнов", "Ольга Козлова", "Дмитрий Волков", "Елена Соколова", "Сергей Новиков"]


@dataclass(frozen=True)
class Shopper:
    session_key: str
    csrf_secret: str
    csrf_token: str
    idempotency_key: str


def _sellable_skus(wanted: int, rng: random.Random) -> list[tuple[int, Decimal]]:
    """(sku id, rouble price) of `wanted` SKUs of distinct products that can be ordered with pay on delivery now."""
    from django.db import connection
    from django.utils import timezone

    from payments.cod import cod_max_total
    from storefront.catalog.models import FxRate
    from storefront.catalog.selectors import fx_rate_get, price_to_rub

    currencies = ["RUB", *FxRate.objects.values_list("currency", flat=True).distinct()]
    rates = {c: fx_rate_get(currency=c) for c in currencies}
    # two lines of at most this, and the delivery, stay under the pay-on-delivery limit
    limit = (cod_max_total() - DELIVERY_ALLOWANCE) / 2
    with connection.cursor() as cursor:
        # one SKU per product (the one with most stock), among products not excluded from pay on delivery
        cursor.execute(
            """
            SELECT DISTINCT ON (s.product_id) s.id, s.price, s.currency
            FROM catalog_sku s JOIN catalog_product p ON p.id = s.product_id
            WHERE s.is_active AND p.is_active AND s.stock >= 1 AND s.currency = ANY(%s)
              AND NOT EXISTS (
                SELECT 1 FROM payments_codexclusion x
                WHERE (x.sku_id = s.id OR x.product_id = s.product_id)
                  AND x.starts_at <= %s AND (x.ends_at IS NULL OR x.ends_at > %s))
            ORDER BY s.product_id, s.stock DESC, s.id
            """,
            [currencies, timezone.now(), timezone.now()],
        )
        rows = cursor.fetchall()
    skus = []
    for pk, price, currency in rows:
        rub = price_to_rub(amount=price, currency=currency, rate=rates[currency])
        if rub <= limit:
            skus.append((pk, rub))
    rng.shuffle(skus)
    if len(skus) < wanted:
        raise RuntimeError(f"only {len(skus)} sellable products for {wanted} cart lines: seed more products")
    return skus[:wanted]


def _phone(rng: random.Random) -> str:
    """A mobile number the checkout accepts (phonenumbers refuses some ranges, e.g. +7 930 00x: the contact step
    came back for 3 of 2,541 shoppers with plain random numbers)."""
    from django.core.exceptions import ValidationError

    from storefront.accounts.phone import normalize_phone

    while True:
        try:
            return normalize_phone(f"+79{rng.randrange(10**9):09d}")
        except ValidationError:
            continue


def checkout_prepare(n: int, *, seed: int | None = None, record: bool = True) -> list[Shopper]:
    """N guest shoppers at the review step of checkout, each with their own cart, session, CSRF cookie and key.

    `record`: start a new run for `verify` (the manifest of keys and stock; the cursor and answers forgotten)."""
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.db import connection
    from django.middleware.csrf import _mask_cipher_secret
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from logistics.models import PickupPoint
    from storefront.cart.checkout import SESSION_CHECKOUT, STEPS
    from storefront.cart.models import Cart, CartLine
    from storefront.cart.session import SESSION_CART_COUNT, SESSION_CART_ID
    from storefront.catalog.models import Sku

    engine = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"])
    store = engine.SessionStore()
    rng = random.Random(seed)
    sizes = [2 if rng.random() < TWO_LINE_SHARE else 1 for _ in range(n)]
    skus = _sellable_skus(sum(sizes), rng)
    points = list(PickupPoint.objects.filter(is_active=True).values_list("pk", "postcode", "city"))
    if not points:
        raise RuntimeError("no pickup points: run migrate (logistics seeds them)")
    now = timezone.now()
    carts = Cart.objects.bulk_create([Cart(created_at=now) for _ in range(n)], batch_size=5000)
    lines, it = [], iter(skus)
    for cart, size in zip(carts, sizes, strict=True):
        for _ in range(size):
            pk, rub = next(it)
            lines.append(CartLine(cart=cart, sku_id=pk, quantity=1, price_rub_seen=rub, added_at=now))
    CartLine.objects.bulk_create(lines, batch_size=5000)
    stock_before = dict(Sku.objects.filter(pk__in=[pk for pk, _ in skus]).values_list("pk", "stock"))

    shoppers, rows, cached = [], [], {}
    expires = now + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    for cart, size in zip(carts, sizes, strict=True):
        point_pk, postcode, city = rng.choice(points)
        courier = rng.random() < COURIER_SHARE
        key = uuid.uuid4().hex
        data = {
            SESSION_CART_ID: cart.pk,
            SESSION_CART_COUNT: size,
            SESSION_CHECKOUT: {
                "data": {
                    "contact_phone": _phone(rng),
                    "contact_email": "",
                    "recipient_name": rng.choice(NAMES),
                    "postcode": postcode,
                    "city": city,
                    "street": rng.choice(STREETS),
                    "house": str(rng.randrange(1, 120)),
                    "flat": str(rng.randrange(1, 300)),
                    "delivery_method": "courier" if courier else "post_pickup",
                    "pickup_point": None if courier else point_pk,
                    "payment_method": "cod",
                },
                "done": [s.name for s in STEPS],
                "keys": [key],
            },
        }
        session_key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        secret = get_random_string(32)
        rows.append(Session(session_key=session_key, session_data=store.encode(data), expire_date=expires))
        cached[engine.KEY_PREFIX + session_key] = data
        shoppers.append(Shopper(session_key, secret, _mask_cipher_secret(secret), key))
    Session.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        # tens of thousands of rows just loaded: autovacuum would analyze them minutes later; until then the planner
        # took "lines of one cart" for a scan of every line (24 ms instead of 0.1 ms per checkout)
        cursor.execute("ANALYZE cart_cart, cart_cartline, django_session")
    cache = caches[settings.SESSION_CACHE_ALIAS]
    items = list(cached.items())
    for i in range(0, len(items), 2000):
        cache.set_many(dict(items[i : i + 2000]), timeout=settings.SESSION_COOKIE_AGE)

    if not record:
        return shoppers
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(
        json.dumps(
            {
                "prepared_at": now.isoformat(),
                "keys": [s.idempotency_key for s in shoppers],
                "stock_before": {str(k): v for k, v in stock_before.items()},
            }
        )
    )
    ANSWERS_LOG.unlink(missing_ok=True)
    CURSOR.unlink(missing_ok=True)
    return shoppers


def checkout_paths() -> list[str]:
    """The scenario's `paths`: one line per prepared shopper (wrk/checkout.lua turns each into one POST)."""
    n = int(os.environ.get(SESSIONS_ENV) or DEFAULT_SESSIONS)
    shoppers = checkout_prepare(n)
    print(f"checkout: {n:,} shoppers prepared (carts, sessions, CSRF cookies, keys)", flush=True)
    return [
        f"/checkout/?session={s.session_key}&csrf={s.csrf_secret}&token={s.csrf_token}&key={s.idempotency_key}"
        for s in shoppers
    ]


def checkout_verify() -> dict:
    """The database after a run against what wrk saw: one order per placed answer, stock taken exactly once."""
    from django.db.models import Sum

    from orders.models import Order, OrderLine
    from storefront.catalog.models import Sku

    manifest = json.loads(MANIFEST.read_text())
    keys = manifest["keys"]
    runs = [json.loads(line) for line in ANSWERS_LOG.read_text().splitlines()] if ANSWERS_LOG.exists() else []
    order_ids = []
    for i in range(0, len(keys), 5000):
        order_ids += Order.objects.filter(idempotency_key__in=keys[i : i + 5000]).values_list("pk", flat=True)
    taken = dict(
        OrderLine.objects.filter(order_id__in=order_ids)
        .values("sku_id")
        .annotate(n=Sum("quantity"))
        .values_list("sku_id", "n")
    )
    before = {int(k): v for k, v in manifest["stock_before"].items()}
    now = dict(Sku.objects.filter(pk__in=list(before)).values_list("pk", "stock"))
    mismatched = [pk for pk, stock in before.items() if now[pk] != stock - taken.get(pk, 0)]
    result = {
        "shoppers_prepared": len(keys),
        "wrk_runs": len(runs),
        "requests_answered": sum(r["requests"] for r in runs),
        "placed_answers": sum(r["placed"] for r in runs),
        "wrong_answers": sum(r["wrong"] for r in runs),
        "orders_in_database": len(order_ids),
        "order_lines": OrderLine.objects.filter(order_id__in=order_ids).count(),
        "skus_with_stock_not_before_minus_ordered": len(mismatched),
        "skus_with_negative_stock": Sku.objects.filter(stock__lt=0).count(),
    }
    # requests still in flight when a wrk run ends are placed but never answered to wrk: at most -c per run
    result["orders_without_answer_seen"] = result["orders_in_database"] - result["placed_answers"]
    return result


def checkout_split(n: int, *, show_statements: bool = False) -> dict:
    """Place N orders in this process through the whole stack (Django's test client, these settings): per order the
    wall time, this process's CPU (Python), the PostgreSQL backend's CPU and the SQL statements sent."""
    from django.db import connection
    from django.test import Client

    shoppers = checkout_prepare(n, record=False)  # a bench run's manifest stays for its `verify`
    client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
    client.get("/bench/constant/")  # connect, load the middleware
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    stat = Path(f"/proc/{pid}/stat")  # the server is on this machine (loopback only)

    def backend_ticks() -> int:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    counts = []
    ticks, cpu, wall = backend_ticks(), time.process_time(), time.perf_counter()
    with connection.execute_wrapper(record):
        for s in shoppers:
            statements.clear()
            client.cookies.clear()
            client.cookies["sessionid"], client.cookies["csrftoken"] = s.session_key, s.csrf_secret
            body = {"csrfmiddlewaretoken": s.csrf_token, "step": "place", "idempotency_key": s.idempotency_key}
            response = client.post("/checkout/", body)
            if response.status_code != 302 or "placed=1" not in response.get("Location", ""):
                raise RuntimeError(f"not placed: {response.status_code} {response.get('Location')}")
            counts.append(len(statements))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ticks = backend_ticks() - ticks
    if show_statements:  # the last order's
        print("\n".join(" ".join(sql.split())[:160] for sql in statements))
    return {
        "orders": n,
        "wall_ms_per_order": round(wall * 1000 / n, 1),
        "python_cpu_ms_per_order": round(cpu * 1000 / n, 1),
        "postgres_backend_cpu_ms_per_order": round(ticks / os.sysconf("SC_CLK_TCK") * 1000 / n, 1),
        "statements_per_order": {"min": min(counts), "median": statistics.median(counts), "max": max(counts)},
    }


def _process_cpu_ticks(prefixes: tuple[str, ...]) -> dict[str, int]:
    """utime + stime of every process whose name starts with one of `prefixes`, summed per prefix (/proc)."""
    totals = dict.fromkeys(prefixes, 0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        for prefix in prefixes:
            if name.startswith(prefix):
                fields = text.rsplit(")", 1)[1].split()
                totals[prefix] += int(fields[11]) + int(fields[12])
    return totals


def checkout_http_split(n: int, *, workers: int | None = None) -> dict:
    """Place N orders one after another through gunicorn started as the harness starts it (production's settings,
    one keep-alive connection, no concurrency): CPU per order of the gunicorn processes, PostgreSQL's (all its
    processes: backends, WAL writer) and Redis, from /proc. The machine should be otherwise idle."""
    import http.client
    import tempfile

    from benchmarks.run import Gunicorn, bench_env

    warm = 30
    shoppers = checkout_prepare(n + warm, record=False)
    groups = ("gunicorn", "postgres", "redis")
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as tmp,
        Gunicorn(bench_env(), workers=workers, access_log=False, log_dir=Path(tmp)) as server,
    ):
        conn = http.client.HTTPConnection("127.0.0.1", server.port)

        def place(s: Shopper) -> None:
            body = f"csrfmiddlewaretoken={s.csrf_token}&step=place&idempotency_key={s.idempotency_key}"
            headers = {
                "Cookie": f"sessionid={s.session_key}; csrftoken={s.csrf_secret}",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            conn.request("POST", "/checkout/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 302 or "placed=1" not in (response.getheader("Location") or ""):
                raise RuntimeError(f"not placed: {response.status} {response.getheader('Location')}")

        for s in shoppers[:warm]:
            place(s)
        before, wall = _process_cpu_ticks(groups), time.perf_counter()
        for s in shoppers[warm:]:
            place(s)
        after, wall = _process_cpu_ticks(groups), time.perf_counter() - wall
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    return {
        "orders": n,
        "workers": server.workers,
        "cpu_ms_per_order": {g: round((after[g] - before[g]) * tick_ms / n, 2) for g in groups},
        "wall_ms_per_order": round(wall * 1000 / n, 1),
    }


USAGE = """usage: python -m benchmarks.checkout verify             after `benchmarks.run --only checkout`
       python -m benchmarks.checkout split [N] [--sql]   N orders placed in this process: CPU split, statements
       python -m benchmarks.checkout http [N]            N orders one by one through gunicorn: CPU per process group"""


def main(argv: list[str]) -> int:
    if argv[:1] not in (["verify"], ["split"], ["http"]):
        print(USAGE)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    if argv[0] == "http":
        numbers = [int(a) for a in argv[1:] if a.isdigit()]
        print(json.dumps(checkout_http_split(numbers[0] if numbers else 400), indent=2))
        return 0
    if argv[0] == "split":
        numbers = [int(a) for a in argv[1:] if a.isdigit()]
        print(json.dumps(checkout_split(numbers[0] if numbers else 300, show_statements="--sql" in argv), indent=2))
        return 0
    result = checkout_verify()
    print(json.dumps(result, indent=2))
    ok = (
        result["skus_with_stock_not_before_minus_ordered"] == 0
        and result["skus_with_negative_stock"] == 0
        and result["orders_without_answer_seen"] >= 0  # fewer orders than placed answers: a shopper was reused
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
