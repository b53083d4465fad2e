"""A post remittance register (payments/reconcile.py's format) for tests and the benchmark.

    python -m payments.cod_register_generate OUT.csv --lines 100000 [--from-db] [--cp1251] [--comma] [--seed 1]

Without --from-db the tracking numbers are made up (every line is then "unknown" to a store); with --from-db
(DJANGO_SETTINGS_MODULE and DATABASE_URL as for manage.py) the lines are the store's collected COD payments, most
matching, with a share of amount mismatches, unknown numbers, repeated lines and malformed lines mixed in.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

HEADER = ["ШПИ", "Сумма наложенного платежа", "Плата за пересылку", "Дата перевода", "Номер платёжного поручения"]
INDEX = "800825"  # the accepting office in made-up domestic tracking numbers


def tracking_number_make(n: int, *, index: str = INDEX) -> str:
    """The n-th 14-digit domestic tracking number (ШПИ) of `index`, with its check digit (DOMAIN.md 2)."""
    month, serial = 1 + (n // 100_000) % 96, n % 100_000
    first13 = f"{index}{month:02d}{serial:05d}"
    s = 3 * sum(int(d) for d in first13[0::2]) + sum(int(d) for d in first13[1::2])
    return first13 + str((10 - s % 10) % 10)


@dataclass(frozen=True)
class Mix:
    """Every n-th line (0: never) is an amount mismatch, an unknown number, a repeat, a malformed line."""

    mismatch_every: int = 97
    unknown_every: int = 199
    duplicate_every: int = 499
    malformed_every: int = 997


def _money(amount: Decimal, decimal_comma: bool) -> str:
    text = f"{amount:.2f}"
    return text.replace(".", ",") if decimal_comma else text


def register_rows(
    parcels: Iterable[tuple[str, Decimal]],
    *,
    lines: int,
    mix: Mix = Mix(),
    seed: int = 1,
    decimal_comma: bool = True,
    remitted_on: date | None = None,
) -> Iterator[list[str]]:
    """`lines` register lines (cells as text) for `parcels` (tracking number, amount to collect), in that order,
    with the `mix` of problems. Stops early if the parcels run out."""
    rng = random.Random(seed)
    day = remitted_on or date.today() - timedelta(days=2)
    parcels = iter(parcels)
    previous: list[str] | None = None
    unknown = 0
    for n in range(1, lines + 1):
        if mix.duplicate_every and n % mix.duplicate_every == 0 and previous is not None:
            yield list(previous)
            continue
        if mix.malformed_every and n % mix.malformed_every == 0:
            yield rng.choice(
                [
                    ["", "100,00", "3,00", day.strftime("%d.%m.%Y"), "1"],
                    [tracking_number_make(9_000_000 + n), "сто", "3,00", day.strftime("%d.%m.%Y"), "2"],
                    [tracking_number_make(9_000_000 + n), "100,00", "3,00", "31.02.2026", "3"],
                    [tracking_number_make(9_000_000 + n), "100,00"],
                ]
            )
            continue
        if mix.unknown_every and n % mix.unknown_every == 0:
            unknown += 1
            tracking, amount = tracking_number_make(unknown, index="199999"), Decimal("1490.00")
        else:
            try:
                tracking, amount = next(parcels)
            except StopIteration:
                return
            if mix.mismatch_every and n % mix.mismatch_every == 0:
                amount -= Decimal("10.00")
        fee = (amount * Decimal("0.03") + Decimal("40")).quantize(Decimal("0.01"))
        row = [tracking, _money(amount, decimal_comma), _money(fee, decimal_comma), day.strftime("%d.%m.%Y")]
        row.append(str(100_000 + n // 1000))  # one payment order carries about a thousand parcels
        previous = row
        yield row


def register_write(path, rows: Iterable[list[str]], *, delimiter: str = ";", encoding: str = "utf-8") -> int:
    """Write a register with the standard header; returns the number of lines written (without the header)."""
    count = 0
    with Path(path).open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def parcels_made_up(start: int = 0) -> Iterator[tuple[str, Decimal]]:
    rng = random.Random(start)
    n = start
    while True:
        yield tracking_number_make(n), Decimal(rng.randrange(500, 50_000))
        n += 1


def parcels_from_db(limit: int) -> Iterator[tuple[str, Decimal]]:
    """The store's collected COD payments with a tracking number, oldest first (Django must be set up)."""
    from payments.models import CodCollection

    rows = (
        CodCollection.objects.filter(collected_at__isnull=False, tracking_number__isnull=False)
        .order_by("collected_at", "id")
        .values_list("tracking_number", "amount")
    )
    yield from rows[:limit].iterator(chunk_size=5000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m payments.cod_register_generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("out", help="the CSV file to write")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--from-db", action="store_true", help="the store's collected COD payments (needs Django)")
    parser.add_argument("--cp1251", action="store_true", help="windows-1251 instead of UTF-8")
    parser.add_argument("--comma", action="store_true", help="«,» between fields (amounts quoted) instead of «;»")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.from_db:
        import django

        django.setup()
        parcels = parcels_from_db(args.lines)
    else:
        parcels = parcels_made_up(args.seed)
    written = register_write(
        args.out,
        register_rows(parcels, lines=args.lines, seed=args.seed),
        delimiter="," if args.comma else ";",
        encoding="cp1251" if args.cp1251 else "utf-8",
    )
    print(f"{args.out}: {written} lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
